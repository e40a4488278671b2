import { defineConfig } from 'tsup';
import { libraryPreset } from '@memrec/tsup-preset';

/**
 * Three entries: the package (`.`), helpers for memrec's own packages (`./internal`) and the
 * node-only file helpers (`./node`). tfjs-core's `dist/register_all_gradients` is bundled on
 * purpose (see src/gradients.ts); the public tfjs packages stay external.
 */
export default defineConfig(
  libraryPreset({
    entry: { index: 'src/index.ts', internal: 'src/internal.ts', node: 'src/node/index.ts' },
    bundleTfjsCoreInternals: true,
  }),
);
