/**
 * Argument checks shared by the losses: positives `[batch]`, negatives `[batch, n]` (or `[batch]`,
 * read as n = 1), optional weights `[batch]` or `[batch, n]`, and the reduction name.
 *
 * Checks look at shapes and dtypes only: they never read tensor values (no device sync), so
 * non-finite values are not rejected here; they propagate through the loss as IEEE arithmetic says.
 */
import { Tensor, reshape } from '@tensorflow/tfjs-core';
// Every loss imports this module; importing @memrec/core registers tfjs's gradients under plain node.
import '@memrec/core';
import { show } from '@memrec/core/internal';

/**
 * How a loss collapses its per-term values: their mean, their sum, or none (per-term tensor).
 *
 * @example
 * ```ts
 * const reduction: Reduction = 'sum';
 * bprLoss(pos, neg, { reduction });
 * ```
 */
export type Reduction = 'mean' | 'sum' | 'none';

/** The reduction names accepted by every loss. */
export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Positives and negatives after checking, both 2-D: `pos2` is `[batch, 1]`, `neg2` is `[batch, n]`. */
export interface PairwiseScores {
  batch: number;
  n: number;
  pos2: Tensor;
  neg2: Tensor;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkTensor(fn: string, arg: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new Error(`${fn}: ${arg} must be a tf.Tensor, got ${show(x)}`);
  }
  if (x.isDisposed) {
    throw new Error(`${fn}: ${arg} must not be disposed, got a disposed tensor of shape ${shapeText(x.shape)}`);
  }
  if (x.dtype !== 'float32') {
    throw new Error(`${fn}: ${arg} must have dtype float32, got ${x.dtype}`);
  }
}

/**
 * Checks `pos` (`[batch]`, batch >= 1) and `neg` (`[batch]` or `[batch, n]`, n >= 1) and returns
 * 2-D views of both. Names in messages are `posName` / `negName`.
 */
export function checkPairwise(fn: string, pos: unknown, neg: unknown, posName = 'pos', negName = 'neg'): PairwiseScores {
  checkTensor(fn, posName, pos);
  checkTensor(fn, negName, neg);
  if (pos.rank !== 1 || pos.shape[0] < 1) {
    throw new Error(`${fn}: ${posName} must have shape [batch] with batch >= 1, got ${shapeText(pos.shape)}`);
  }
  const batch = pos.shape[0];
  const ns = neg.shape as number[];
  if (!((ns.length === 1 || ns.length === 2) && ns[0] === batch)) {
    throw new Error(`${fn}: ${negName} must have shape [batch] or [batch, n] with batch = ${batch}, got ${shapeText(ns)}`);
  }
  if (ns.length === 2 && ns[1] < 1) {
    throw new Error(`${fn}: ${negName} must have at least one negative per row (n >= 1), got ${shapeText(ns)}`);
  }
  const n = ns.length === 2 ? ns[1] : 1;
  return { batch, n, pos2: reshape(pos, [batch, 1]), neg2: neg.rank === 2 ? neg : reshape(neg, [batch, 1]) };
}

/**
 * Checks optional per-term weights against a `[batch, n]` term matrix and returns them as
 * `[batch, 1]` (one weight per example, broadcast over its negatives) or `[batch, n]`.
 */
export function checkWeights(fn: string, weights: unknown, batch: number, n: number): Tensor | undefined {
  if (weights === undefined) return undefined;
  checkTensor(fn, 'weights', weights);
  const s = weights.shape;
  if (weights.rank === 1 && s[0] === batch) return reshape(weights, [batch, 1]);
  if (weights.rank === 2 && s[0] === batch && (s[1] === n || s[1] === 1)) return weights;
  throw new Error(
    `${fn}: weights must have shape [batch] or [batch, n] = [${batch}] or [${batch}, ${n}], got ${shapeText(s)}`,
  );
}

/** Checks the reduction name (default `'mean'`). */
export function checkReduction(fn: string, reduction: unknown): Reduction {
  if (reduction === undefined) return 'mean';
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new Error(`${fn}: reduction must be one of 'mean', 'sum', 'none', got ${show(reduction)}`);
  }
  return reduction as Reduction;
}

/** Checks that an options argument is absent or a plain object. */
export function checkOptions(fn: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || options instanceof Tensor)) {
    throw new Error(`${fn}: options must be an object, got ${show(options)}`);
  }
}

/** Restores the caller's negative shape for `reduction: 'none'` (`[batch]` in, `[batch]` out). */
export function restoreShape(terms: Tensor, negShape: readonly number[]): Tensor {
  return negShape.length === 1 ? reshape(terms, [negShape[0]]) : terms;
}
