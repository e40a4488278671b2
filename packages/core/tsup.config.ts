import { defineConfig } from 'tsup';

/**
 * Bundles the package to ESM + CJS + .d.ts. The public tfjs packages stay external (one
 * engine per process); tfjs-core's `dist/register_all_gradients` is bundled on purpose
 * (see src/gradients.ts).
 */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  external: [],
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  esbuildPlugins: [
    {
      name: 'tfjs-public-external',
      setup(build) {
        build.onResolve({ filter: /^@tensorflow\/tfjs-(core|backend-cpu|backend-wasm|node)$/ }, (args) => ({
          path: args.path,
          external: true,
        }));
      },
    },
  ],
});
