/**
 * Ranking over one score row: top-k by partial selection and the positions of the relevant items
 * in the full ranking, both skipping excluded items, without sorting the row (see
 * {@link RowRanker}); and the ranking of a short candidate list.
 *
 * Order (everywhere in @memrec/eval): a higher score ranks first (a lower distance when
 * `distance` is true); **equal values rank the lower item id first**. NaN must be rejected by
 * the caller (see {@link findNaN}).
 */
import { prepareRow, ranksPrepared, topKPrepared } from './rank-js';
import { RowRanker } from './row-ranker';

export { findNaN, prepareRow, ranksPrepared, topKPrepared } from './rank-js';

let shared: RowRanker | undefined;

/** One ranker for the row functions (its buffers grow to the largest row seen). */
function sharedRanker(): RowRanker {
  shared ??= new RowRanker();
  return shared;
}

const NONE = new Int32Array(0);

/**
 * Writes the ids of the best `k` items of `row` (best first) into `out` and returns how many
 * were written (`min(k, candidates)`). Items listed in `exclude` (sorted ascending, duplicate
 * free) are skipped. Runs a fixed-size min-heap: O(n + m log k) where m, the number of heap
 * replacements, is small for a random row; most items cost one comparison with the threshold.
 *
 * @example
 * ```ts
 * const out = new Int32Array(2);
 * topKRow(Float32Array.from([0.1, 0.9, 0.5, 0.9]), 2, Int32Array.from([1]), false, out); // 2; out = [3, 2]
 * ```
 */
export function topKRow(row: Float32Array, k: number, exclude: Int32Array, distance: boolean, out: Int32Array): number {
  const ranker = sharedRanker();
  if (ranker.rank(row, 0, row.length, exclude, distance, k, out, NONE, NONE) >= 0) return ranker.count;
  // a NaN in the row: NaN items never rank
  const keys = new Float32Array(row.length);
  prepareRow(row, exclude, distance, keys);
  return topKPrepared(keys, k, out, new Float64Array(k), new Int32Array(k));
}

/**
 * Positions (0-based, ascending) of the `relevant` items in the full ranking of the items of
 * `row` not listed in `exclude`, written into `out`; returns the number of ranked items.
 * `relevant` and `exclude` are sorted ascending and disjoint. O(n + a log |relevant|) where a
 * counts the items ranked above the worst relevant item.
 *
 * @example
 * ```ts
 * const pos = new Int32Array(1);
 * relevantRanksRow(Float32Array.from([0.3, 0.9, 0.5]), Int32Array.from([0]), new Int32Array(0), false, pos); // 3; pos = [2]
 * ```
 */
export function relevantRanksRow(row: Float32Array, relevant: Int32Array, exclude: Int32Array, distance: boolean, out: Int32Array): number {
  const ranked = sharedRanker().rank(row, 0, row.length, exclude, distance, 0, NONE, relevant, out);
  if (ranked >= 0) return ranked;
  // a NaN in the row: NaN items never rank ahead
  const keys = new Float32Array(row.length);
  const n = prepareRow(row, exclude, distance, keys);
  ranksPrepared(keys, relevant, out);
  return n;
}

/**
 * Ranks a short candidate list (sampled-N): returns the 0-based position of `ids[target]` among
 * all `ids` and writes the best `min(k, ids.length)` ids into `top` (same order and tie rule as
 * {@link topKRow}). `ids` must be distinct.
 *
 * @example
 * ```ts
 * const top = new Int32Array(2);
 * rankCandidates(Float32Array.from([0.5, 0.9, 0.5]), Int32Array.from([7, 3, 2]), 0, false, 2, top); // 2; top = [3, 2]
 * ```
 */
export function rankCandidates(vals: Float32Array, ids: Int32Array, target: number, distance: boolean, k: number, top: Int32Array): number {
  const sign = distance ? -1 : 1;
  const vt = sign * vals[target];
  const it = ids[target];
  let pos = 0;
  for (let j = 0; j < ids.length; j++) {
    const v = sign * vals[j];
    if (v > vt || (v === vt && ids[j] < it)) pos++;
  }
  const order = Array.from({ length: ids.length }, (_, j) => j).sort((a, b) => {
    const va = sign * vals[a];
    const vb = sign * vals[b];
    return va !== vb ? vb - va : ids[a] - ids[b];
  });
  const n = Math.min(k, ids.length);
  for (let p = 0; p < n; p++) top[p] = ids[order[p]];
  return pos;
}
