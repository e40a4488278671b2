import { defineConfig } from 'tsup';
import { libraryPreset } from '@memrec/tsup-preset';

/** ESM + CJS + .d.ts (see @memrec/tsup-preset); `node` holds the node:fs / node:crypto loaders, kept out of the browser-safe main entry. */
export default defineConfig(libraryPreset({ entry: ['src/index.ts', 'src/node.ts'] }));
