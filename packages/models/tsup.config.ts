import { defineConfig } from 'tsup';

/** ESM + CJS + .d.ts; `node` is the node:fs adapter (checkpoint files), kept out of the main entry. */
export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
