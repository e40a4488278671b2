/**
 * Bayesian Personalized Ranking loss (Rendle et al., UAI 2009).
 */
import { op, softplus, sub, type Scalar, type Tensor } from '@tensorflow/tfjs-core';
import { weightAndReduce } from './reduce';
import { checkOptions, checkPairwise, checkReduction, checkWeights, restoreShape, type Reduction } from './shapes';

/**
 * Options of {@link bprLoss}.
 *
 * @example
 * ```ts
 * const opts: BprLossOptions = { reduction: 'sum', weights: tf.tensor1d([1, 0.5]) };
 * ```
 */
export interface BprLossOptions {
  /** `'mean'` (default) over all batch x n terms, `'sum'`, or `'none'` (per-term, shaped like `neg`). */
  reduction?: Reduction;
  /** Optional float32 weights, `[batch]` (one per positive, shared by its negatives) or `[batch, n]`. */
  weights?: Tensor;
}

/** Implementation of {@link bprLoss} (wrapped by `op()` below). */
function bprLoss_(pos: Tensor, neg: Tensor, options: BprLossOptions = {}): Tensor {
  const fn = 'bprLoss';
  checkOptions(fn, options);
  const { batch, n, pos2, neg2 } = checkPairwise(fn, pos, neg);
  const reduction = checkReduction(fn, options.reduction);
  const weights = checkWeights(fn, options.weights, batch, n);
  const terms = softplus(sub(neg2, pos2));
  const out = weightAndReduce(terms, weights, reduction);
  return reduction === 'none' ? restoreShape(out, neg.shape) : out;
}

/**
 * Call signatures of {@link bprLoss}: a `Scalar` when reduced (`'mean'`, `'sum'`), else a `Tensor`.
 *
 * @example
 * ```ts
 * const loss: BprLoss = bprLoss;
 * const s: tf.Scalar = loss(tf.tensor1d([1]), tf.tensor1d([0]));
 * ```
 */
export interface BprLoss {
  (pos: Tensor, neg: Tensor, options?: BprLossOptions & { reduction?: 'mean' | 'sum' }): Scalar;
  (pos: Tensor, neg: Tensor, options?: BprLossOptions): Tensor;
}

/**
 * BPR loss: `l(b, j) = -log sigmoid(pos[b] - neg[b, j])`, computed as the identical and numerically
 * stable `softplus(neg[b, j] - pos[b])` (finite for any finite scores; `tf.logSigmoid` is avoided
 * because its gradient fails under `optimizer.minimize` in tfjs 4.22).
 *
 * Scores are similarities (larger = more relevant). `pos` is `[batch]`; `neg` is `[batch, n]`
 * (n sampled negatives per positive) or `[batch]` (n = 1). With `weights`, each term is multiplied
 * by its weight before reduction; `'mean'` divides by batch x n (not by the weight sum).
 * Values are not inspected: a NaN score gives a NaN loss.
 *
 * Reference: S. Rendle, C. Freudenthaler, Z. Gantner, L. Schmidt-Thieme, "BPR: Bayesian
 * Personalized Ranking from Implicit Feedback", UAI 2009.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { bprLoss } from '@memrec/losses';
 * const pos = tf.tensor1d([2, 0]);
 * const neg = tf.tensor2d([[0, 1], [0, -1]]);
 * bprLoss(pos, neg).print(); // mean of softplus([[-2, -1], [0, -1]]) = 0.3616
 * ```
 */
export const bprLoss: BprLoss = op({ bprLoss_ }) as BprLoss;
