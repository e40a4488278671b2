/**
 * Pointwise binary cross-entropy on logits with sampled negatives (NCF / NeuMF).
 */
import { concat, neg as negate, op, softplus, type Scalar, type Tensor } from '@tensorflow/tfjs-core';
import { weightAndReduce } from './reduce';
import { checkOptions, checkPairwise, checkReduction } from './shapes';

/**
 * Options of {@link bceLoss}.
 *
 * @example
 * ```ts
 * const opts: BceLossOptions = { reduction: 'none' }; // [batch, 1 + n] terms
 * ```
 */
export interface BceLossOptions {
  /**
   * `'mean'` (default): the sum of all terms divided by batch x (1 + n), i.e. every positive and every
   * negative counts as one training instance; `'sum'`; or `'none'`: a `[batch, 1 + n]` tensor whose
   * column 0 holds the positive terms and columns 1..n the negative terms.
   */
  reduction?: 'mean' | 'sum' | 'none';
}

/** Implementation of {@link bceLoss} (wrapped by `op()` below). */
function bceLoss_(posLogits: Tensor, negLogits: Tensor, options: BceLossOptions = {}): Tensor {
  const fn = 'bceLoss';
  checkOptions(fn, options);
  const { pos2, neg2 } = checkPairwise(fn, posLogits, negLogits, 'posLogits', 'negLogits');
  const reduction = checkReduction(fn, options.reduction);
  const terms = concat([softplus(negate(pos2)), softplus(neg2)], 1);
  return weightAndReduce(terms, undefined, reduction);
}

/**
 * Call signatures of {@link bceLoss}: a `Scalar` when reduced (`'mean'`, `'sum'`), else a `Tensor`.
 *
 * @example
 * ```ts
 * const loss: BceLoss = bceLoss;
 * const s: tf.Scalar = loss(tf.tensor1d([2]), tf.tensor2d([[0, -1]]));
 * ```
 */
export interface BceLoss {
  (posLogits: Tensor, negLogits: Tensor, options?: { reduction?: 'mean' | 'sum' }): Scalar;
  (posLogits: Tensor, negLogits: Tensor, options?: BceLossOptions): Tensor;
}

/**
 * Binary cross-entropy for implicit feedback with sampled negatives, on logits (pre-sigmoid scores):
 * each positive has label 1 and contributes `-log sigmoid(x) = softplus(-x)`; each negative has
 * label 0 and contributes `-log(1 - sigmoid(x)) = softplus(x)`. The softplus form is exact and
 * numerically stable (no `log(0)` for large |x|).
 *
 * `posLogits` is `[batch]`; `negLogits` is `[batch, n]` (n negatives per positive, 4 in NCF) or
 * `[batch]` (n = 1). `'mean'` averages over all batch x (1 + n) instances, as a Keras
 * `binary_crossentropy` over a batch of labelled (user, item) rows does in the NCF reference code.
 * Values are not inspected: NaN propagates.
 *
 * Reference: X. He, L. Liao, H. Zhang, L. Nie, X. Hu, T.-S. Chua, "Neural Collaborative Filtering",
 * WWW 2017 (equation 7: the log loss over positives and sampled negatives).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { bceLoss } from '@memrec/losses';
 * const pos = tf.tensor1d([0]);
 * const neg = tf.tensor2d([[0, 0, 0]]);
 * bceLoss(pos, neg).print(); // every term is log 2: 0.6931
 * ```
 */
export const bceLoss: BceLoss = op({ bceLoss_ }) as BceLoss;
