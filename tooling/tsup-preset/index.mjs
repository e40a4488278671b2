/**
 * The tsup options every memrec library package builds with: ESM + CJS + .d.ts, node20,
 * source maps, the public tfjs packages external (a user loads one engine). Plain JavaScript,
 * so nothing has to be built before the packages that use it.
 */

/** Keeps `@tensorflow/tfjs-core` and the backend packages external, whatever else is bundled. */
const tfjsPublicExternal = {
  name: 'tfjs-public-external',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-(core|backend-cpu|backend-wasm|node)$/ }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};

/**
 * tsup options for a memrec library package.
 *
 * `entry`: the entry points (default `['src/index.ts']`). With more than one, code splitting
 * is on for CJS as well as ESM, so that the entries share one copy of each module (and of its
 * state, such as the RNG's state table) instead of each bundling its own.
 *
 * `bundleTfjsCoreInternals`: bundle `@tensorflow/tfjs-core/dist/...` files into the output
 * (@memrec/core does, to register tfjs's gradients under plain node: see its gradients.ts).
 *
 * @example
 * ```ts
 * // tsup.config.ts
 * import { defineConfig } from 'tsup';
 * import { libraryPreset } from '@memrec/tsup-preset';
 * export default defineConfig(libraryPreset());
 * ```
 */
export function libraryPreset(options = {}) {
  const entry = options.entry ?? ['src/index.ts'];
  const entries = Array.isArray(entry) ? entry.length : Object.keys(entry).length;
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: entries > 1,
    noExternal: options.bundleTfjsCoreInternals ? [/^@tensorflow\/tfjs-core\/dist\//] : [],
    esbuildPlugins: [tfjsPublicExternal],
  };
}
