/**
 * Ranking kernels over one score row: top-k by partial selection and the positions of the
 * relevant items in the full ranking, both skipping excluded items, without sorting the row.
 *
 * Order (everywhere in @memrec/eval): a higher score ranks first (a lower distance when
 * `distance` is true); **equal values rank the lower item id first**. NaN must be rejected by
 * the caller (see {@link findNaN}).
 */

const EMPTY = new Int32Array(0);

/**
 * Index of the first NaN in `row`, or -1.
 *
 * @example
 * ```ts
 * findNaN(Float32Array.from([1, NaN])); // 1
 * ```
 */
export function findNaN(row: Float32Array): number {
  for (let j = 0; j < row.length; j++) if (row[j] !== row[j]) return j;
  return -1;
}

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
export function topKRow(row: Float32Array, k: number, exclude: Int32Array, distance: boolean, out: Int32Array, heapVals = new Float64Array(k), heapIds = new Int32Array(k)): number {
  const n = row.length;
  const sign = distance ? -1 : 1;
  let size = 0;
  let thr = -Infinity;
  let e = 0;
  let start = 0;
  while (start < n) {
    while (e < exclude.length && exclude[e] < start) e++;
    const stop = e < exclude.length && exclude[e] < n ? exclude[e] : n;
    let j = start;
    // Fill the heap.
    for (; j < stop && size < k; j++) {
      heapPush(heapVals, heapIds, size++, sign * row[j], j);
      if (size === k) thr = heapVals[0];
    }
    // Every later item has a larger id, so it beats the root only with a strictly larger value.
    for (; j < stop; j++) {
      const v = sign * row[j];
      if (v > thr) {
        heapReplaceRoot(heapVals, heapIds, k, v, j);
        thr = heapVals[0];
      }
    }
    start = stop + 1;
  }
  // Pop worst-first into the tail of `out`.
  for (let p = size - 1; p >= 0; p--) {
    out[p] = heapIds[0];
    const last = p;
    if (last > 0) heapReplaceRoot(heapVals, heapIds, last, heapVals[last], heapIds[last]);
  }
  return size;
}

/** a ranks below b: smaller value, or equal value and larger id. */
function worse(va: number, ia: number, vb: number, ib: number): boolean {
  return va < vb || (va === vb && ia > ib);
}

function heapPush(vals: Float64Array, ids: Int32Array, size: number, v: number, id: number): void {
  let c = size;
  while (c > 0) {
    const p = (c - 1) >> 1;
    if (!worse(v, id, vals[p], ids[p])) break;
    vals[c] = vals[p];
    ids[c] = ids[p];
    c = p;
  }
  vals[c] = v;
  ids[c] = id;
}

function heapReplaceRoot(vals: Float64Array, ids: Int32Array, size: number, v: number, id: number): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const m = r < size && worse(vals[r], ids[r], vals[l], ids[l]) ? r : l;
    if (!worse(vals[m], ids[m], v, id)) break;
    vals[c] = vals[m];
    ids[c] = ids[m];
    c = m;
  }
  vals[c] = v;
  ids[c] = id;
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
  const n = row.length;
  const m = relevant.length;
  const sign = distance ? -1 : 1;
  // Relevant items in rank order.
  const order = Array.from(relevant, (id) => id).sort((a, b) => {
    const va = sign * row[a];
    const vb = sign * row[b];
    return va !== vb ? vb - va : a - b;
  });
  const vals = Float64Array.from(order, (id) => sign * row[id]);
  const ids = Int32Array.from(order);
  const cnt = new Int32Array(m + 1);
  const wv = m > 0 ? vals[m - 1] : Infinity;
  const wid = m > 0 ? ids[m - 1] : -1;
  let ranked = 0;
  let e = 0;
  let rp = 0;
  let start = 0;
  const ex = exclude.length > 0 ? exclude : EMPTY;
  while (start < n) {
    while (e < ex.length && ex[e] < start) e++;
    const stop = e < ex.length && ex[e] < n ? ex[e] : n;
    ranked += stop - start;
    for (let j = start; j < stop; j++) {
      const v = sign * row[j];
      if (v < wv || (v === wv && j >= wid)) continue; // ranked below every relevant item (or the worst itself)
      while (rp < m && relevant[rp] < j) rp++;
      if (rp < m && relevant[rp] === j) continue;
      // idx = number of relevant items ranked ahead of j.
      let lo = 0;
      let hi = m;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (worse(v, j, vals[mid], ids[mid])) lo = mid + 1;
        else hi = mid;
      }
      cnt[lo]++;
    }
    start = stop + 1;
  }
  let negAbove = 0;
  for (let h = 0; h < m; h++) {
    negAbove += cnt[h];
    out[h] = negAbove + h;
  }
  return ranked;
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
