import { defineConfig } from 'tsup';

/** The CLI (`cli.js`) and the performance scripts (`perf.js`), ESM, run by plain node. */
export default defineConfig({
  entry: ['src/cli.ts', 'src/perf.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
});
