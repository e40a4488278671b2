import { defineConfig } from 'tsup';
import { libraryPreset } from '@memrec/tsup-preset';

/**
 * Three entries: the package (`.`), the Node-only helpers (`./node`) and the thread they start
 * (`dist/rank-worker.js`, found next to the entry through `import.meta.url`; tsup's shims give
 * the CommonJS build the same URL). Dependencies and peer dependencies stay external.
 */
export default defineConfig({
  ...libraryPreset({ entry: { index: 'src/index.ts', node: 'src/node/index.ts', 'rank-worker': 'src/node/rank-worker.ts' } }),
  shims: true,
});
