import { checkOptionKeys } from '@memrec/core/internal';
import { assertFinite, deriveSeed, seededRng, shuffleInPlace } from '@memrec/core';
import { interactionsOf, type DataLike } from '../types';
import { finishSplit, type SplitResult } from './report';
import { partition, type RatioSplitOptions } from './stratified';

/**
 * Random ratio split (protocol `random-ratio`): a seeded shuffle of all interactions, the first
 * `round(ratio * n)` to train. Rows keep their original order inside each part.
 *
 * @example
 * ```ts
 * const { train, test } = randomSplit(data, { ratio: 0.8, seed: 1 });
 * ```
 */
export function randomSplit(data: DataLike, options: RatioSplitOptions = {}): SplitResult {
  checkOptionKeys('randomSplit', options, ['ratio', 'seed', 'allowColdStart']);
  const ratio = options.ratio ?? 0.8;
  const seed = options.seed ?? 0;
  assertFinite('randomSplit', 'ratio', ratio, 0, 1);
  if (ratio <= 0 || ratio >= 1) throw new Error(`randomSplit: ratio must be in (0, 1), got ${ratio}`);
  assertFinite('randomSplit', 'seed', seed);
  const x = interactionsOf(data);
  const n = x.users.length;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  shuffleInPlace(order, seededRng(deriveSeed(seed, 'random-ratio')));
  const isTrain = new Uint8Array(n);
  const nTrain = Math.round(ratio * n);
  for (let q = 0; q < nTrain; q++) isTrain[order[q]] = 1;
  const [train, test] = partition(isTrain);
  return finishSplit(x, train, test, null, {
    protocol: 'random-ratio',
    params: { ratio, seed, allowColdStart: !!options.allowColdStart },
    timeCheck: 'none',
    allowColdStart: !!options.allowColdStart,
  });
}
