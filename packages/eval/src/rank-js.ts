/**
 * Plain-JavaScript ranking kernels over one score row: top-k by partial selection and the
 * positions of the relevant items in the full ranking, both skipping excluded items, without
 * sorting the row. They are the reference of {@link RowRanker}'s SIMD path and its fallback.
 *
 * Order (everywhere in @memrec/eval): a higher score ranks first (a lower distance when
 * `distance` is true); **equal values rank the lower item id first**. NaN must be rejected by
 * the caller (see {@link findNaN}).
 */

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
 * Copies `row` into `scratch` as ranking keys: the value (negated when `distance`), NaN for every
 * item listed in `exclude` (sorted ascending). Returns the number of items left to rank. The
 * kernels {@link topKPrepared} and {@link ranksPrepared} read these keys; NaN never ranks.
 *
 * @example
 * ```ts
 * const keys = new Float32Array(3);
 * prepareRow(Float32Array.from([1, 2, 3]), Int32Array.from([1]), true, keys); // 2; keys = [-1, NaN, -3]
 * ```
 */
export function prepareRow(row: Float32Array, exclude: Int32Array, distance: boolean, scratch: Float32Array): number {
  const n = row.length;
  if (distance) for (let j = 0; j < n; j++) scratch[j] = -row[j];
  else scratch.set(row);
  let excluded = 0;
  for (let e = 0; e < exclude.length; e++) {
    const j = exclude[e];
    if (j < n && (e === 0 || exclude[e - 1] !== j)) {
      scratch[j] = NaN;
      excluded++;
    }
  }
  return n - excluded;
}

/**
 * {@link topKRow} over keys made by {@link prepareRow} (NaN = excluded), with caller-owned heap
 * buffers of length >= k.
 *
 * @example
 * ```ts
 * topKPrepared(keys, 10, out, new Float64Array(10), new Int32Array(10));
 * ```
 */
export function topKPrepared(keys: Float32Array, k: number, out: Int32Array, heapVals: Float64Array, heapIds: Int32Array): number {
  const n = keys.length;
  let size = 0;
  let j = 0;
  // Fill the heap with the first k ranked items.
  for (; j < n && size < k; j++) {
    const v = keys[j];
    if (v === v) heapPush(heapVals, heapIds, size++, v, j);
  }
  // Every later item has a larger id, so it beats the root only with a strictly larger value
  // (NaN compares false: excluded items never enter).
  let thr = size === k ? heapVals[0] : Infinity;
  for (; j < n; j++) {
    const v = keys[j];
    if (v > thr) {
      heapReplaceRoot(heapVals, heapIds, k, v, j);
      thr = heapVals[0];
    }
  }
  // Pop worst-first into the tail of `out`.
  for (let p = size - 1; p >= 0; p--) {
    out[p] = heapIds[0];
    if (p > 0) heapReplaceRoot(heapVals, heapIds, p, heapVals[p], heapIds[p]);
  }
  return size;
}

let binTable = new Int32Array(0);

/** a ranks below b: smaller value, or equal value and larger id. */
function worse(va: number, ia: number, vb: number, ib: number): boolean {
  return va < vb || (va === vb && ia > ib);
}

/** Pushes (v, id) into the min-heap (root = the worst ranked) of `size` entries. */
export function heapPush(vals: Float64Array, ids: Int32Array, size: number, v: number, id: number): void {
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

/** Replaces the root of the min-heap of `size` entries by (v, id) and restores the heap. */
export function heapReplaceRoot(vals: Float64Array, ids: Int32Array, size: number, v: number, id: number): void {
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
 * {@link relevantRanksRow} over keys made by {@link prepareRow} (NaN = excluded; the relevant
 * items must not be excluded).
 *
 * @example
 * ```ts
 * ranksPrepared(keys, Int32Array.from([4, 9]), positions);
 * ```
 */
export function ranksPrepared(keys: Float32Array, relevant: Int32Array, out: Int32Array): void {
  const n = keys.length;
  const m = relevant.length;
  if (m === 0) return;
  if (m === 1) {
    // One relevant item (leave-one-out): its position is the number of items ranked ahead of it,
    // a larger key or an equal key with a lower id (NaN compares false: excluded items never count).
    const id = relevant[0];
    const val = keys[id];
    let ahead = 0;
    for (let j = 0; j < n; j++) if (keys[j] > val) ahead++;
    for (let j = 0; j < id; j++) if (keys[j] === val) ahead++;
    out[0] = ahead;
    return;
  }
  // Relevant items in rank order.
  const order = Array.from(relevant).sort((a, b) => (keys[a] !== keys[b] ? keys[b] - keys[a] : a - b));
  const vals = Float64Array.from(order, (id) => keys[id]);
  const ids = Int32Array.from(order);
  const cnt = new Int32Array(m + 1);
  const wv = vals[m - 1];
  const wid = ids[m - 1];
  const top = vals[0];
  // Bin table over [wv, top]: a bin holding no relevant value tells directly how many relevant
  // items rank ahead of any item in it (binning is monotone); bins holding one need the search.
  const useBins = m > 1 && top > wv && Number.isFinite(top - wv);
  const B = useBins ? Math.min(8192, Math.max(256, 64 * m)) : 0;
  const scale = useBins ? B / (top - wv) : 0;
  if (useBins) {
    if (binTable.length < B) binTable = new Int32Array(B);
    const bins = new Int32Array(m);
    for (let h = 0; h < m; h++) bins[h] = Math.min(B - 1, ((vals[h] - wv) * scale) | 0);
    // bins[] is non-increasing in h; sweep bins downwards counting relevant values in higher bins.
    let h = 0;
    for (let b = B - 1; b >= 0; b--) {
      while (h < m && bins[h] > b) h++;
      binTable[b] = h < m && bins[h] === b ? -1 : h;
    }
  }
  const table = binTable;
  for (let j = 0; j < n; j++) {
    const v = keys[j];
    if (!(v >= wv)) continue; // below every relevant item, or excluded (NaN)
    if (useBins) {
      if (v > top) {
        cnt[0]++;
        continue;
      }
      let b = ((v - wv) * scale) | 0;
      if (b >= B) b = B - 1;
      const t = table[b];
      if (t >= 0) {
        cnt[t]++;
        continue;
      }
    }
    if (v === wv && j >= wid) continue; // tied with the worst relevant item and not ahead of it
    // lo = number of relevant items ranked ahead of j (value larger, or equal with a lower id).
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vals[mid] > v) lo = mid + 1;
      else hi = mid;
    }
    while (lo < m && vals[lo] === v && ids[lo] < j) lo++;
    cnt[lo]++;
  }
  // The h-th relevant item itself was counted in cnt[h] (h relevant items are ahead of it),
  // except the worst, which the loop skipped.
  let above = 0;
  for (let h = 0; h < m; h++) {
    above += cnt[h] - (h < m - 1 ? 1 : 0);
    out[h] = above + h;
  }
}
