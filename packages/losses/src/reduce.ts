/**
 * Weighting and reduction of a per-term loss matrix, shared by every loss.
 */
import { mean, mul, sum, type Tensor } from '@tensorflow/tfjs-core';
import type { Reduction } from './shapes';

/**
 * Applies optional weights, then reduces.
 *
 * - `'none'`: the weighted terms `w * l`, same shape as `terms`.
 * - `'sum'`:  `sum(w * l)`.
 * - `'mean'`: `sum(w * l) / count`, where `count` is the number of terms (`terms.size`), not the
 *   sum of the weights: weights scale terms, they do not renormalise the mean.
 */
export function weightAndReduce(terms: Tensor, weights: Tensor | undefined, reduction: Reduction): Tensor {
  const weighted = weights === undefined ? terms : mul(terms, weights);
  if (reduction === 'sum') return sum(weighted);
  if (reduction === 'mean') return mean(weighted);
  return weighted;
}
