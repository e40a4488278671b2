import { defineConfig } from 'tsup';
import { libraryPreset } from '@memrec/tsup-preset';

/** The library (ESM + CJS + .d.ts, see @memrec/tsup-preset) and the `memrec-serve` CLI (ESM, run by plain node). */
export default defineConfig([
  { ...libraryPreset({ entry: ['src/index.ts'] }), clean: false }, // the build script empties dist first: two parallel configs must not clean each other's output
  {
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
