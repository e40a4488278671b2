import { interactionsOf, type DataLike } from '../types';
import { groupByUser, rewrap, take } from './columns';

/** What {@link dedupe} keeps of repeated (user, item) pairs. */
export type DedupePolicy = 'first' | 'last' | 'count';

/**
 * Removes repeated (user, item) pairs. "First" and "last" are in time order when the data has
 * timestamps (ties: row order), else in row order. `'first'` / `'last'` keep that occurrence;
 * `'count'` keeps the first occurrence with `ratings` replaced by the number of occurrences.
 * Kept rows stay in their original row order.
 *
 * @example
 * ```ts
 * const unique = dedupe(data, 'last');
 * const counted = dedupe(data, 'count'); // counted.ratings = play counts
 * ```
 */
export function dedupe<T extends DataLike>(data: T, policy: DedupePolicy): T {
  if (policy !== 'first' && policy !== 'last' && policy !== 'count') {
    throw new Error(`dedupe: policy must be 'first', 'last' or 'count', got ${JSON.stringify(policy)}`);
  }
  const x = interactionsOf(data);
  const n = x.users.length;
  const { start, order } = groupByUser(x, true);
  const mark = new Int32Array(x.numItems).fill(-1);
  const keptAt = new Int32Array(x.numItems);
  const keep = new Uint8Array(n);
  const counts = new Float32Array(n);
  for (let u = 0; u < x.numUsers; u++) {
    const a = start[u];
    const b = start[u + 1];
    const reverse = policy === 'last';
    for (let j = 0; j < b - a; j++) {
      const row = order[reverse ? b - 1 - j : a + j];
      const i = x.items[row];
      if (mark[i] !== u) {
        mark[i] = u;
        keptAt[i] = row;
        keep[row] = 1;
        counts[row] = 1;
      } else {
        counts[keptAt[i]]++;
      }
    }
  }
  let m = 0;
  for (let k = 0; k < n; k++) m += keep[k];
  const idx = new Int32Array(m);
  for (let k = 0, j = 0; k < n; k++) if (keep[k]) idx[j++] = k;
  const out = take(x, idx);
  if (policy === 'count') {
    const r = new Float32Array(m);
    for (let j = 0; j < m; j++) r[j] = counts[idx[j]];
    out.ratings = r;
  }
  return rewrap(data, out);
}
