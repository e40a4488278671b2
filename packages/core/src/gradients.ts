/**
 * Gradient registration.
 *
 * `@tensorflow/tfjs-core` registers no gradients when loaded by plain `node`: its
 * `dist/register_all_gradients.js` is ESM with extension-less imports that Node cannot
 * resolve. The build of this package therefore *bundles* that file (and the tfjs-core
 * internals it needs) while keeping the public `@tensorflow/tfjs-core` external; the
 * bundled copy registers every gradient into tfjs's global registry, which the user's
 * single engine reads. Importing `@memrec/core` is enough.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { getGradient } from '@tensorflow/tfjs-core';
import { registerMatMulGradient } from './matmul';

// After tfjs's own: rank-2 matMul gradients without transpose flags on wasm (see matmul.ts).
registerMatMulGradient();

/**
 * Whether tfjs gradients are registered (checks a kernel every model uses, `MatMul`).
 *
 * @example
 * ```ts
 * import { gradientsRegistered } from '@memrec/core';
 * if (!gradientsRegistered()) throw new Error('no gradients');
 * ```
 */
export function gradientsRegistered(): boolean {
  return getGradient('BatchMatMul') != null && getGradient('Softplus') != null;
}
