/**
 * Margin (hinge) ranking loss for distance or similarity scores, optionally weighted
 * (the rank-weighted hinge of WARP / CML / NMRN).
 */
import { add, op, relu, sub, type Scalar, type Tensor } from '@tensorflow/tfjs-core';
import { assertFinite } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { weightAndReduce } from './reduce';
import { checkOptions, checkPairwise, checkReduction, checkWeights, restoreShape, type Reduction } from './shapes';

/**
 * Whether scores are distances (smaller = more relevant) or similarities (larger = more relevant).
 *
 * @example
 * ```ts
 * const kind: ScoreKind = model.kind === 'distance' ? 'distance' : 'similarity';
 * ```
 */
export type ScoreKind = 'distance' | 'similarity';

/**
 * Options of {@link hingeLoss}.
 *
 * @example
 * ```ts
 * const opts: HingeLossOptions = { kind: 'distance', margin: 3, reduction: 'mean' };
 * ```
 */
export interface HingeLossOptions {
  /** Score kind; required, since the two forms differ in sign and a wrong default trains backwards. */
  kind: ScoreKind;
  /** Margin m, a finite number >= 0 (default 1). */
  margin?: number;
  /** `'mean'` (default) over all batch x n terms, `'sum'`, or `'none'` (per-term, shaped like `neg`). */
  reduction?: Reduction;
  /**
   * Optional float32 weights, `[batch]` or `[batch, n]`, e.g. the rank weights
   * `log(floor((N - 1) / k) + 1)` of WARP / CML / NMRN. Treat them as constants (do not differentiate).
   */
  weights?: Tensor;
}

/** Implementation of {@link hingeLoss} (wrapped by `op()` below). */
function hingeLoss_(pos: Tensor, neg: Tensor, options: HingeLossOptions): Tensor {
  const fn = 'hingeLoss';
  checkOptions(fn, options);
  const kind = options?.kind;
  if (kind !== 'distance' && kind !== 'similarity') {
    throw new Error(`${fn}: kind must be 'distance' or 'similarity', got ${show(kind)}`);
  }
  const margin = options.margin ?? 1;
  assertFinite(fn, 'margin', margin, 0);
  const { batch, n, pos2, neg2 } = checkPairwise(fn, pos, neg);
  const reduction = checkReduction(fn, options.reduction);
  const weights = checkWeights(fn, options.weights, batch, n);
  const gap = kind === 'distance' ? sub(pos2, neg2) : sub(neg2, pos2);
  const terms = relu(add(gap, margin));
  const out = weightAndReduce(terms, weights, reduction);
  return reduction === 'none' ? restoreShape(out, neg.shape) : out;
}

/**
 * Call signatures of {@link hingeLoss}: a `Scalar` when reduced (`'mean'`, `'sum'`), else a `Tensor`.
 *
 * @example
 * ```ts
 * const loss: HingeLoss = hingeLoss;
 * const terms: tf.Tensor = loss(tf.tensor1d([1]), tf.tensor1d([2]), { kind: 'distance', reduction: 'none' });
 * ```
 */
export interface HingeLoss {
  (pos: Tensor, neg: Tensor, options: HingeLossOptions & { reduction?: 'mean' | 'sum' }): Scalar;
  (pos: Tensor, neg: Tensor, options: HingeLossOptions): Tensor;
}

/**
 * Hinge ranking loss with margin m:
 *
 * - distance scores:   `l(b, j) = max(0, m + pos[b] - neg[b, j])`  (pos = d(u, v), neg = d(u, v-))
 * - similarity scores: `l(b, j) = max(0, m - pos[b] + neg[b, j])`
 *
 * `pos` is `[batch]`; `neg` is `[batch, n]` or `[batch]` (n = 1). With `weights` w, each term becomes
 * `w * l` (the weighted hinge of NMRN); `'mean'` divides by batch x n (not by the weight sum).
 * At the kink (`l = 0` exactly) the gradient is 0. Values are not inspected: NaN propagates.
 *
 * References: C.-K. Hsieh et al., "Collaborative Metric Learning", WWW 2017 (distance form, rank
 * weights); J. Weston, S. Bengio, N. Usunier, "WSABIE: Scaling Up To Large Vocabulary Image
 * Annotation", IJCAI 2011 (WARP rank weights); Q. Wang et al., "Neural Memory Streaming Recommender
 * Networks with Adversarial Training", KDD 2018 (weighted hinge on memory distances).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { hingeLoss } from '@memrec/losses';
 * const dPos = tf.tensor1d([0.5, 2]);
 * const dNeg = tf.tensor2d([[1, 3], [1, 4]]);
 * // terms max(0, 1 + 0.5 - [1, 3]) = [0.5, 0], max(0, 1 + 2 - [1, 4]) = [2, 0]
 * hingeLoss(dPos, dNeg, { kind: 'distance', margin: 1, reduction: 'sum' }).print(); // 2.5
 * ```
 */
export const hingeLoss: HingeLoss = op({ hingeLoss_ }) as HingeLoss;
