import { defineConfig } from 'tsup';

/** ESM + CJS + .d.ts; dependencies and peer dependencies stay external. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
});
