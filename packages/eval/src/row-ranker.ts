import { wasmApi, wasmModuleOnce, type WasmApi } from '@memrec/core/internal';
import { MAX_THRESHOLDS, RANK_WASM_FUNCTIONS } from './rank-kernels';
import { findNaN, prepareRow, ranksPrepared, topKPrepared } from './rank-js';

const Wasm = wasmApi;
type Kernel = (...args: number[]) => number;

/** The kernels' module, compiled once; null where WebAssembly or its SIMD instructions are missing. */
const kernelModule = wasmModuleOnce(RANK_WASM_FUNCTIONS);

const f32Bits = new Float32Array(1);
const i32Bits = new Int32Array(f32Bits.buffer);

/** The largest float32 below the float32 `t` (t > -Infinity): `x >= t` iff `x > nextDown(t)` for float32 x. */
function nextDown(t: number): number {
  if (t === 0) return -1.401298464324817e-45;
  f32Bits[0] = t;
  i32Bits[0] += t > 0 ? -1 : 1;
  return f32Bits[0];
}

/** Options of {@link RowRanker}. */
export interface RowRankerOptions {
  /** Use the WebAssembly SIMD kernels where they run (default true); false: plain JavaScript only. */
  wasm?: boolean;
}

/**
 * Ranks score rows one after another with buffers kept across rows: the top k (best first) and
 * the exact 0-based positions of the relevant items among the items not excluded, with the order
 * and tie rule of `topKRow` (equal values rank the lower item id first).
 *
 * Where WebAssembly SIMD runs, a row is copied once into the kernels' memory (negated for
 * distances, excluded items set to -Infinity) and ranked in three steps:
 * 1. one branch-free SIMD pass folds every run of 64 keys into its lane maxima (4 disjoint
 *    groups of 16 keys) and tests for NaN;
 * 2. top k: tau, the k-th largest group maximum (of groups of 64 keys when there are at least 2k
 *    of them), is at most the k-th best key, since k groups each hold a key >= tau; the keys
 *    >= tau (about k of them for a row in random order) are listed without data-dependent
 *    branches (runs, then vectors, then keys that reach tau) and the best k kept by insertion;
 * 3. ranks: the position of relevant item r with key t is the number of items with key > t plus
 *    those with key = t and a lower id, that is key > t after r and key > nextDown(t) before r;
 *    one SIMD pass counts for up to 4 relevant items at once, thresholds switching at their ids.
 *
 * Anything the SIMD path does not cover (no SIMD, fewer groups than k, tau = -Infinity, a
 * relevant key of -Infinity) runs the plain kernels (`prepareRow`, `topKPrepared`,
 * `ranksPrepared`) on that row; both give the same numbers (see the tests).
 *
 * @example
 * ```ts
 * const ranker = new RowRanker();
 * const top = new Int32Array(10);
 * const positions = new Int32Array(relevant.length);
 * const numRanked = ranker.rank(scores, 0, numItems, exclude, false, 10, top, relevant, positions);
 * if (numRanked < 0) throw new Error('NaN score');
 * console.log(top.subarray(0, ranker.count), positions);
 * ```
 */
export class RowRanker {
  /** Entries written to `top` by the last {@link RowRanker.rank}: min(k, items ranked). */
  count = 0;
  /** Rows ranked by each path (for tests and benchmarks). */
  readonly rows = { simd: 0, plain: 0 };
  private readonly module: object | null;
  private memory: { buffer: ArrayBuffer; grow(pages: number): number } | null = null;
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  private runMax: Kernel = () => 0;
  private negRunMax: Kernel = () => 0;
  private superMax: Kernel = () => 0;
  private kthLargest: Kernel = () => 0;
  private kthByCount: Kernel = () => 0;
  private exclude: Kernel = () => 0;
  private bestOf: Kernel = () => 0;
  private count1: Kernel = () => 0;
  private count2: Kernel = () => 0;
  private count3: Kernel = () => 0;
  private count4: Kernel = () => 0;
  private layoutFor = -1;
  private lanesAt = 0;
  private superAt = 0;
  private candAt = 0;
  private scratchAt = 0;
  private listAt = 0;
  private segAt = 0;
  private outAt = 0;
  private heapVals = new Float64Array(16);
  private heapIds = new Int32Array(16);
  private keys = new Float32Array(0);

  constructor(options: RowRankerOptions = {}) {
    this.module = options.wasm === false ? null : kernelModule();
  }

  /** Whether rows go through the WebAssembly SIMD kernels. */
  get simd(): boolean {
    return this.module != null;
  }

  /**
   * Ranks `scores[offset, offset + n)`: writes the best min(k, ranked) item ids into `top` (best
   * first; their number in {@link RowRanker.count}) and the sorted positions of `relevant` into
   * `positions`. `exclude` and `relevant` are sorted ascending and disjoint; `k` may be 0 (no
   * top list). Returns the number of ranked items, or -1 (nothing written) when the row holds a
   * NaN anywhere, excluded items included.
   */
  rank(scores: Float32Array, offset: number, n: number, exclude: Int32Array, distance: boolean, k: number, top: Int32Array, relevant: Int32Array, positions: Int32Array): number {
    if (this.heapVals.length < k) {
      this.heapVals = new Float64Array(k);
      this.heapIds = new Int32Array(k);
    }
    if (this.module == null) return this.plain(scores, offset, n, exclude, distance, k, top, relevant, positions);
    this.layout(n);
    this.reserveList(exclude.length);
    const f32 = this.f32;
    f32.set(offset === 0 && scores.length === n ? scores : scores.subarray(offset, offset + n));
    const runs = (n + 63) >> 6;
    const sentinel = distance ? Infinity : -Infinity; // -Infinity once negated
    for (let j = n; j < runs << 6; j++) f32[j] = sentinel;
    let excluded = 0;
    if (exclude.length > 0) {
      this.i32.set(exclude, this.listAt >> 2);
      excluded = this.exclude(this.listAt, exclude.length, n, sentinel);
      if (excluded < 0) return -1;
    }
    if ((distance ? this.negRunMax(0, runs << 8, this.lanesAt) : this.runMax(0, runs << 8, this.lanesAt)) !== 0) return -1;
    const m = relevant.length;
    for (let h = 0; h < m; h++) if (!(f32[relevant[h]] > -Infinity)) return this.plain(scores, offset, n, exclude, distance, k, top, relevant, positions);
    if (k > 0 && !this.topK(runs, k, top)) return this.plain(scores, offset, n, exclude, distance, k, top, relevant, positions);
    if (k <= 0) this.count = 0;
    this.ranks(n, relevant, positions);
    this.rows.simd++;
    return n - excluded;
  }

  /**
   * Top k. Lane l of a run's maxima is the largest of 16 of its keys; these groups (or the groups
   * of 64 keys of 4 runs, when there are at least 2k of them) are disjoint, so with tau the k-th
   * largest group maximum, k keys are >= tau: the best k keys are >= tau, and only the runs whose
   * maxima reach tau are read. False (nothing written) when there are fewer than k groups or
   * tau is -Infinity (excluded items).
   */
  private topK(runs: number, k: number, top: Int32Array): boolean {
    const quads = (runs + 3) >> 2;
    let from: number;
    let count: number;
    if (4 * quads >= 2 * k) {
      const f32 = this.f32;
      for (let j = (this.lanesAt >> 2) + 4 * runs, end = (this.lanesAt >> 2) + 16 * quads; j < end; j++) f32[j] = -Infinity;
      this.superMax(this.lanesAt, 4 * quads, this.superAt);
      from = this.superAt;
      count = 4 * quads;
    } else if (4 * runs >= k) {
      from = this.lanesAt;
      count = 4 * runs;
    } else {
      return false;
    }
    const tau = count <= 128 ? this.kthByCount(from, count, k) : this.kthLargest(from, count, k, this.candAt);
    if (!(tau > -Infinity)) return false;
    this.bestOf(this.lanesAt, runs, tau, k, this.candAt, this.scratchAt);
    const i32 = this.i32;
    const at = this.candAt >> 2;
    for (let p = 0; p < k; p++) top[p] = i32[at + p];
    this.count = k;
    return true;
  }

  /** Positions of the relevant items, up to MAX_THRESHOLDS per SIMD pass. */
  private ranks(n: number, relevant: Int32Array, positions: Int32Array): void {
    const f32 = this.f32;
    const i32 = this.i32;
    const m = relevant.length;
    const seg = this.segAt >> 2;
    const out = this.outAt >> 2;
    for (let g = 0; g < m; ) {
      const G = Math.min(MAX_THRESHOLDS, m - g);
      // bounds: 0, the G relevant ids, n; segment s compares with t_h for h < s (after item h)
      // and with nextDown(t_h) for h >= s (before item h: ties with a lower id rank ahead)
      i32[seg] = 0;
      for (let h = 0; h < G; h++) i32[seg + 1 + h] = relevant[g + h];
      i32[seg + G + 1] = n;
      const thr = seg + G + 2;
      for (let h = 0; h < G; h++) {
        const t = f32[relevant[g + h]];
        const below = nextDown(t);
        for (let s = 0; s <= G; s++) f32[thr + s * G + h] = s > h ? t : below;
      }
      // one call site per kernel (a monomorphic call from JavaScript into WebAssembly)
      if (G === 4) this.count4(this.segAt, this.outAt);
      else if (G === 3) this.count3(this.segAt, this.outAt);
      else if (G === 2) this.count2(this.segAt, this.outAt);
      else this.count1(this.segAt, this.outAt);
      for (let h = 0; h < G; h++) positions[g + h] = i32[out + h];
      g += G;
    }
    // positions of distinct items are distinct: sorting them gives rank order
    for (let a = 1; a < m; a++) {
      const v = positions[a];
      let b = a;
      while (b > 0 && positions[b - 1] > v) {
        positions[b] = positions[b - 1];
        b--;
      }
      positions[b] = v;
    }
  }

  /** The plain kernels on one row (the reference path). */
  private plain(scores: Float32Array, offset: number, n: number, exclude: Int32Array, distance: boolean, k: number, top: Int32Array, relevant: Int32Array, positions: Int32Array): number {
    const row = offset === 0 && scores.length === n ? scores : scores.subarray(offset, offset + n);
    if (findNaN(row) >= 0) return -1;
    if (this.keys.length < n) this.keys = new Float32Array(n);
    const keys = this.keys.length === n ? this.keys : this.keys.subarray(0, n);
    const ranked = prepareRow(row, exclude, distance, keys);
    this.count = k > 0 ? topKPrepared(keys, k, top, this.heapVals, this.heapIds) : 0;
    ranksPrepared(keys, relevant, positions);
    this.rows.plain++;
    return ranked;
  }

  /**
   * Lays the memory out for rows of n items: keys (whole runs of 64), run maxima (a vector per
   * run, whole groups of 4 runs), their maxima per group, the count table, the counts, the top k
   * (k <= 4 runs), the lists of `topK`, the excluded ids (room for n, more on demand).
   */
  private layout(n: number): void {
    if (n === this.layoutFor) return;
    const runs = (n + 63) >> 6;
    const quads = (runs + 3) >> 2;
    const G = MAX_THRESHOLDS;
    const align = (bytes: number) => (bytes + 15) & ~15;
    const lanesAt = runs << 8;
    const superAt = lanesAt + 64 * quads;
    const segAt = superAt + 16 * quads;
    const outAt = segAt + align(4 * (G + 2 + (G + 1) * G));
    const candAt = outAt + align(4 * G);
    const scratchAt = candAt + 16 * runs;
    const listAt = scratchAt + 324 * runs;
    const bytes = listAt + 4 * n;
    const pages = Math.ceil(bytes / 65536);
    if (this.memory == null) {
      this.memory = new (Wasm as WasmApi).Memory({ initial: pages });
      const exports = new (Wasm as WasmApi).Instance(this.module as object, { env: { memory: this.memory } }).exports as Record<string, Kernel>;
      this.runMax = exports.runMax;
      this.negRunMax = exports.negRunMax;
      this.superMax = exports.superMax;
      this.kthLargest = exports.kthLargest;
      this.kthByCount = exports.kthByCount;
      this.exclude = exports.exclude;
      this.bestOf = exports.topK;
      this.count1 = exports.count1;
      this.count2 = exports.count2;
      this.count3 = exports.count3;
      this.count4 = exports.count4;
    } else if (this.memory.buffer.byteLength < bytes) {
      this.memory.grow(pages - this.memory.buffer.byteLength / 65536);
    }
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.layoutFor = n;
    this.lanesAt = lanesAt;
    this.superAt = superAt;
    this.segAt = segAt;
    this.outAt = outAt;
    this.candAt = candAt;
    this.scratchAt = scratchAt;
    this.listAt = listAt;
  }

  /** Room for an exclusion list of `count` ids after the layout (the memory grows when needed). */
  private reserveList(count: number): void {
    const memory = this.memory as { buffer: ArrayBuffer; grow(pages: number): number };
    const bytes = this.listAt + 4 * count;
    if (memory.buffer.byteLength >= bytes) return;
    memory.grow(Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536);
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }
}
