import type { PerfScript } from './types';

/** Every `pnpm bench:perf NAME` script, loaded on demand. Add one line per script. */
export const PERF_SCRIPTS: Record<string, () => Promise<PerfScript>> = {
  embeddings: () => import('./embeddings'),
  samplers: () => import('./samplers'),
  eval: () => import('./eval'),
  data: () => import('./data'),
  memory: () => import('./memory'),
  'nmrn-stream': () => import('./nmrn-stream'),
  models: () => import('./models'),
  server: () => import('./server'),
};
