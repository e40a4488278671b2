import { interactionsOf, type DataLike } from '../types';
import { rewrap, take } from './columns';

/**
 * Row order sorted by time, stable (equal timestamps keep their row order). Without timestamps,
 * row order is taken as time order.
 *
 * @example
 * ```ts
 * const order = timeOrder(data); // Int32Array of row indices
 * ```
 */
export function timeOrder(data: DataLike): Int32Array {
  const x = interactionsOf(data);
  const n = x.users.length;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  const t = x.timestamps;
  if (!t) return order;
  let sorted = true;
  for (let k = 1; k < n && sorted; k++) if (t[k] < t[k - 1]) sorted = false;
  if (!sorted) order.sort((a, b) => t[a] - t[b] || a - b);
  return order;
}

/**
 * Stable sort by timestamp (equal times keep their row order); ids are unchanged.
 *
 * @example
 * ```ts
 * const stream = sortByTime(await loadMovieLens('100k'));
 * ```
 */
export function sortByTime<T extends DataLike>(data: T): T {
  const x = interactionsOf(data);
  if (!x.timestamps) throw new Error('sortByTime: data must have timestamps, got interactions without a timestamps column');
  return rewrap(data, take(x, timeOrder(x)));
}
