import { defineConfig } from 'tsup';
import { libraryPreset } from '@memrec/tsup-preset';

/** ESM + CJS + .d.ts (see @memrec/tsup-preset); dependencies and peer dependencies stay external. */
export default defineConfig(libraryPreset());
