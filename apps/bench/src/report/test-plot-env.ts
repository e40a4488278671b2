/**
 * Loads Observable Plot the way the CLI does. Plot decides once, when it loads, whether to draw
 * at half-pixel offsets: it does when it sees a global `it` (a test runner), not under plain
 * node. This module hides jest's `it` while Plot loads, so the charts a test draws are the bytes
 * the CLI writes. Import it first, before anything that imports Plot.
 *
 * @example
 * ```ts
 * import './test-plot-env';
 * import { streamChart } from './charts';
 * ```
 */
const scope = globalThis as { it?: unknown };
const saved = scope.it;
delete scope.it;
try {
  jest.requireActual('@observablehq/plot');
} finally {
  scope.it = saved;
}

export {};
