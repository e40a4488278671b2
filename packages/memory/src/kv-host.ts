import { DIST_EPS, type AddressMetric } from './kv-ops';

/*
 * The key-value memory's read and distances as plain `Float32Array` loops, no tensors: the
 * host-side paths of KeyValueMemory (`readHost`, `distanceHost`, the address of `write`), where a
 * micro-batch is too small for tensor ops to pay off. Each matches its tensor twin in `kv-ops.ts`
 * (same formula, same `DIST_EPS`) to float32 rounding. Shapes are row-major.
 */

/**
 * Squared distance of `a[ao, ao + D)` and `b[bo, bo + D)`; four accumulators (independent add
 * chains run about twice as fast as one).
 *
 * @example
 * ```ts
 * sqDist(Float32Array.of(0, 0), 0, Float32Array.of(3, 4), 0, 2); // 25
 * ```
 */
export function sqDist(a: Float32Array, ao: number, b: Float32Array, bo: number, D: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < D; d += 4) {
    const x0 = a[ao + d] - b[bo + d];
    const x1 = a[ao + d + 1] - b[bo + d + 1];
    const x2 = a[ao + d + 2] - b[bo + d + 2];
    const x3 = a[ao + d + 3] - b[bo + d + 3];
    s0 += x0 * x0;
    s1 += x1 * x1;
    s2 += x2 * x2;
    s3 += x3 * x3;
  }
  for (; d < D; d++) {
    const x = a[ao + d] - b[bo + d];
    s0 += x * x;
  }
  return s0 + s1 + (s2 + s3);
}

/**
 * Dot product of `a[ao, ao + D)` and `b[bo, bo + D)`, four accumulators.
 *
 * @example
 * ```ts
 * dotAt(Float32Array.of(1, 2), 0, Float32Array.of(3, 4), 0, 2); // 11
 * ```
 */
export function dotAt(a: Float32Array, ao: number, b: Float32Array, bo: number, D: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < D; d += 4) {
    s0 += a[ao + d] * b[bo + d];
    s1 += a[ao + d + 1] * b[bo + d + 1];
    s2 += a[ao + d + 2] * b[bo + d + 2];
    s3 += a[ao + d + 3] * b[bo + d + 3];
  }
  for (; d < D; d++) s0 += a[ao + d] * b[bo + d];
  return s0 + s1 + (s2 + s3);
}

/**
 * Soft address `w = softmax(-||u - M^k_j|| / T)` (`euclidean`) or `softmax(u . M^k_j / T)`
 * (`dot`) of `b` user rows `u` (`[b * D]`) against `keys` (`[H * D]`), written to `out` (`[b * H]`).
 *
 * @example
 * ```ts
 * const w = hostAddress(Float32Array.of(0, 0), 1, Float32Array.of(0, 0, 3, 4), 2, 2, 'euclidean', 1, new Float32Array(2));
 * // logits [-0, -5]: w = [1 / (1 + e^-5), e^-5 / (1 + e^-5)]
 * ```
 */
export function hostAddress(u: Float32Array, b: number, keys: Float32Array, H: number, D: number, metric: AddressMetric, temperature: number, out: Float32Array): Float32Array {
  const logits = new Float64Array(H);
  const dot = metric === 'dot';
  for (let r = 0; r < b; r++) {
    const uo = r * D;
    let mx = -Infinity;
    for (let j = 0; j < H; j++) {
      const l = (dot ? dotAt(u, uo, keys, j * D, D) : -Math.sqrt(sqDist(u, uo, keys, j * D, D) + DIST_EPS)) / temperature;
      logits[j] = l;
      if (l > mx) mx = l;
    }
    let z = 0;
    for (let j = 0; j < H; j++) {
      const x = Math.exp(logits[j] - mx);
      logits[j] = x;
      z += x;
    }
    for (let j = 0; j < H; j++) out[r * H + j] = logits[j] / z;
  }
  return out;
}

/**
 * Read vectors `s_r = sum_j w_rj M_j` for `b` rows: `w` is `[b * H]`; row r reads the memory at
 * offset `memIds[r] * H * D` of `memory` (every row reads memory 0 when `memIds` is null).
 * Writes `out` (`[b * D]`).
 *
 * @example
 * ```ts
 * hostRead(Float32Array.of(0.5, 0.5), 1, Float32Array.of(1, 0, 0, 1), null, 2, 2, new Float32Array(2)); // [0.5, 0.5]
 * ```
 */
export function hostRead(w: Float32Array, b: number, memory: Float32Array, memIds: Int32Array | null, H: number, D: number, out: Float32Array): Float32Array {
  for (let r = 0; r < b; r++) {
    const base = (memIds ? memIds[r] : 0) * H * D;
    const oo = r * D;
    out.fill(0, oo, oo + D);
    for (let j = 0; j < H; j++) {
      const wj = w[r * H + j];
      const mo = base + j * D;
      for (let d = 0; d < D; d++) out[oo + d] += wj * memory[mo + d];
    }
  }
  return out;
}

/**
 * Distances `||s_r - v_i||` (with `DIST_EPS` under the root, as `kvDistance`) of `b` read
 * vectors `s` (`[b * D]`) to `n` items each: item ids `ids` (`[b * n]`, row-major) index the
 * table `items` (`[rows * D]`). Writes `out` (`[b * n]`).
 *
 * @example
 * ```ts
 * hostDistances(Float32Array.of(0, 0), 1, Float32Array.of(3, 4, 6, 8), Int32Array.of(1, 0), 2, 2, new Float32Array(2)); // [10, 5]
 * ```
 */
export function hostDistances(s: Float32Array, b: number, items: Float32Array, ids: Int32Array, n: number, D: number, out: Float32Array): Float32Array {
  for (let r = 0; r < b; r++) {
    const so = r * D;
    for (let k = r * n, end = k + n; k < end; k++) out[k] = Math.sqrt(sqDist(s, so, items, ids[k] * D, D) + DIST_EPS);
  }
  return out;
}
