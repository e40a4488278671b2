import { checkOptionKeys } from '@memrec/core/internal';
import { assertFinite, deriveSeed, seededRng, shuffleInPlace } from '@memrec/core';
import { groupByUser } from '../clean/columns';
import { interactionsOf, type DataLike } from '../types';
import { finishSplit, type SplitResult } from './report';

/** Options of {@link stratifiedSplit}. */
export interface RatioSplitOptions {
  /** Fraction of interactions in train, in (0, 1). */
  ratio?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Keep test interactions of users / items absent from train (default false: dropped, reported). */
  allowColdStart?: boolean;
}

/**
 * Per-user stratified ratio split (protocol `stratified-ratio`), as Microsoft Recommenders'
 * `python_stratified_split` does for its MovieLens benchmark: each user's interactions are
 * shuffled (seeded) and the first `round(ratio * n)` go to train, the rest to test.
 *
 * @example
 * ```ts
 * const { train, test } = stratifiedSplit(data, { ratio: 0.75, seed: 42 });
 * ```
 */
export function stratifiedSplit(data: DataLike, options: RatioSplitOptions = {}): SplitResult {
  checkOptionKeys('stratifiedSplit', options, ['ratio', 'seed', 'allowColdStart']);
  const ratio = options.ratio ?? 0.75;
  const seed = options.seed ?? 0;
  assertFinite('stratifiedSplit', 'ratio', ratio, 0, 1);
  if (ratio <= 0 || ratio >= 1) throw new Error(`stratifiedSplit: ratio must be in (0, 1), got ${ratio}`);
  assertFinite('stratifiedSplit', 'seed', seed);
  const x = interactionsOf(data);
  const rng = seededRng(deriveSeed(seed, 'stratified-ratio'));
  const { start, order } = groupByUser(x, false);
  const isTrain = new Uint8Array(x.users.length);
  for (let u = 0; u < x.numUsers; u++) {
    const seg = order.subarray(start[u], start[u + 1]);
    shuffleInPlace(seg, rng);
    const nTrain = Math.round(ratio * seg.length);
    for (let q = 0; q < nTrain; q++) isTrain[seg[q]] = 1;
  }
  const [train, test] = partition(isTrain);
  return finishSplit(x, train, test, null, {
    protocol: 'stratified-ratio',
    params: { ratio, seed, allowColdStart: !!options.allowColdStart },
    timeCheck: 'none',
    allowColdStart: !!options.allowColdStart,
  });
}

/** Row indices with flag 1 and with flag 0, each ascending. */
export function partition(flag: Uint8Array): [Int32Array, Int32Array] {
  let n1 = 0;
  for (let k = 0; k < flag.length; k++) n1 += flag[k];
  const a = new Int32Array(n1);
  const b = new Int32Array(flag.length - n1);
  for (let k = 0, i = 0, j = 0; k < flag.length; k++) {
    if (flag[k]) a[i++] = k;
    else b[j++] = k;
  }
  return [a, b];
}
