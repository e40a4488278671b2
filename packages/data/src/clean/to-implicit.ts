import { assertFinite } from '@memrec/core';
import { interactionsOf, type DataLike } from '../types';
import { indicesOf, rewrap, take } from './columns';

/**
 * Implicit feedback from explicit ratings: keeps the interactions rated `>= minRating` and drops
 * the rating column. Ids (and `numUsers` / `numItems`) are unchanged.
 *
 * @example
 * ```ts
 * const positives = toImplicit(await loadMovieLens('1m'), 4); // ratings 4 and 5 only
 * ```
 */
export function toImplicit<T extends DataLike>(data: T, minRating: number): T {
  const x = interactionsOf(data);
  assertFinite('toImplicit', 'minRating', minRating);
  if (!x.ratings) throw new Error('toImplicit: data must have ratings, got interactions without a ratings column');
  const r = x.ratings;
  const keep = new Uint8Array(r.length);
  for (let k = 0; k < r.length; k++) keep[k] = r[k] >= minRating ? 1 : 0;
  const out = take(x, indicesOf(keep));
  delete out.ratings;
  return rewrap(data, out);
}
