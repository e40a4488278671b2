import { defineConfig } from 'tsup';
import { libraryPreset } from '@memrec/tsup-preset';

/** ESM + CJS + .d.ts (see @memrec/tsup-preset); `node` is the node:fs adapter (checkpoint files), kept out of the main entry. */
export default defineConfig(libraryPreset({ entry: ['src/index.ts', 'src/node.ts'] }));
