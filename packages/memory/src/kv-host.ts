import type * as tf from '@tensorflow/tfjs-core';
import type { SparseEmbedding } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkIds, checkPerRow } from './check';
import { DIST_EPS, type AddressMetric } from './kv-ops';
import { distinctIds, type ValueMemory } from './value-memory';

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
 * Distances `||s_r - v_i||` (with `DIST_EPS` under the root, as `kvDistance`) of `b` rows to `n`
 * items each: row r uses read vector `sRows[r]` of `s` (`[* D]`; row r itself when `sRows` is
 * null), item ids `ids` (`[b * n]`, row-major) index the table `items` (`[rows * D]`).
 * Writes `out` (`[b * n]`).
 *
 * @example
 * ```ts
 * hostDistances(Float32Array.of(0, 0), 1, Float32Array.of(3, 4, 6, 8), Int32Array.of(1, 0), 2, 2, new Float32Array(2)); // [10, 5]
 * ```
 */
export function hostDistances(s: Float32Array, b: number, items: Float32Array, ids: Int32Array, n: number, D: number, out: Float32Array, sRows: Int32Array | null = null): Float32Array {
  for (let r = 0; r < b; r++) {
    const so = (sRows ? sRows[r] : r) * D;
    for (let k = r * n, end = k + n; k < end; k++) out[k] = Math.sqrt(sqDist(s, so, items, ids[k] * D, D) + DIST_EPS);
  }
  return out;
}

/** What the host paths read from the layer (a `KeyValueMemory` is one). */
export interface KvHostLayer {
  readonly users: SparseEmbedding;
  readonly items: SparseEmbedding;
  readonly keys: tf.Variable;
  readonly slots: number;
  readonly dim: number;
  readonly metric: AddressMetric;
  readonly temperature: number;
  readonly memory: ValueMemory;
}

/** Distances of the scorer's users to items: `(users, items, out?) => Float32Array[items.length]`. */
export type HostScorer = (users: Int32Array, items: Int32Array, out?: Float32Array) => Float32Array;

/**
 * Read vectors of `users` (already checked) on the host into `out` (`[b * D]`).
 *
 * @example
 * ```ts
 * const s = hostReadUsers(kv, Int32Array.of(0, 1), new Float32Array(2 * kv.dim));
 * ```
 */
export function hostReadUsers(kv: KvHostLayer, users: Int32Array, out: Float32Array): Float32Array {
  const b = users.length;
  const H = kv.slots;
  const D = kv.dim;
  const w = hostAddress(kv.users.gather(users), b, kv.keys.dataSync() as Float32Array, H, D, kv.metric, kv.temperature, new Float32Array(b * H));
  return hostRead(w, b, kv.memory.data, kv.memory.perUser ? users : null, H, D, out);
}

/**
 * Reads `users` (already checked) once per distinct user, now, and returns a {@link HostScorer}
 * for any of them (any order, repeats allowed); `items` holds n ids per user, row-major, item
 * rows read at each call. Errors name `fn`.
 *
 * @example
 * ```ts
 * const score = hostScorer('KeyValueMemory.scorerFor', kv, users);
 * const d = score(users, items); // [users.length * n]
 * ```
 */
export function hostScorer(fn: string, kv: KvHostLayer, users: Int32Array): HostScorer {
  const { distinct } = distinctIds(users);
  const D = kv.dim;
  const s = hostReadUsers(kv, distinct, new Float32Array(distinct.length * D));
  const rowOf = new Map<number, number>();
  distinct.forEach((u, k) => rowOf.set(u, k));
  return (us: Int32Array, items: Int32Array, out?: Float32Array): Float32Array => {
    if (!(us instanceof Int32Array)) throw new Error(`${fn}: users must be an Int32Array, got ${show(us)}`);
    checkIds(fn, 'items', items, kv.items.rows);
    const b = us.length;
    const n = checkPerRow(fn, 'items', items, b, 'n');
    const res = checkOut(fn, out, b * n);
    const sRows = new Int32Array(b);
    for (let r = 0; r < b; r++) {
      const k = rowOf.get(us[r]);
      if (k === undefined) throw new Error(`${fn}: users[${r}] must be one of the users the scorer was made for, got ${us[r]}`);
      sRows[r] = k;
    }
    return hostDistances(s, b, kv.items.data, items, n, D, res, sRows);
  };
}

/**
 * `out`, checked to hold at least `need` floats, or a new array of `need`.
 *
 * @example
 * ```ts
 * const res = checkOut('KeyValueMemory.readHost', out, b * D);
 * ```
 */
export function checkOut(fn: string, out: Float32Array | undefined, need: number): Float32Array {
  if (out === undefined) return new Float32Array(need);
  if (!(out instanceof Float32Array) || out.length < need) throw new Error(`${fn}: out must be a Float32Array of length >= ${need}, got ${show(out)}`);
  return out;
}
