import { wasmApi, wasmModuleOnce, type WasmApi } from '@memrec/core/internal';
import { CMN_WASM_FUNCTIONS } from './cmn-wasm-kernel';

const Wasm = wasmApi;

/** The kernel's module, compiled once; null where WebAssembly or its SIMD instructions are missing. */
const kernelModule = wasmModuleOnce(CMN_WASM_FUNCTIONS);

/**
 * Whether {@link CmnWasmKernel} can run here (WebAssembly with 128-bit SIMD: Node >= 16.4 and
 * current browsers).
 *
 * @example
 * ```ts
 * const kernel = cmnWasmAvailable() ? 'wasm' : 'js';
 * ```
 */
export function cmnWasmAvailable(): boolean {
  return kernelModule() != null;
}

/** The user-independent terms {@link CmnWasmKernel} holds (row-major, unpadded, `d` columns). */
export interface CmnKernelTables {
  numUsers: number;
  numItems: number;
  dim: number;
  hops: number;
  offsets: Int32Array;
  members: Int32Array;
  /** Item memory `[items, d]`. */
  e: Float32Array;
  /** `e_i . m_v` per (item, neighbour slot), and `exp(e_i . m_v - max over the item's slots)`. */
  A: Float64Array;
  EA: Float64Array;
  m: Float32Array;
  c: Float32Array;
  /** `c_v U2` `[users, d]`; `e_i W_2 + b_2` `[items, d]` (unused for one hop). */
  CU2: Float32Array;
  WE: Float32Array;
  /** W_h `[d, d]` and b_h `[d]` for h = 3 .. hops. */
  Wh: Float32Array[];
  bh: Float32Array[];
  bU: Float32Array;
  v: Float32Array;
}

/**
 * Scores one user against all items with the WebAssembly SIMD kernel of
 * {@link CMN_WASM_FUNCTIONS}: the constructor lays the cached terms out in the kernel's memory
 * (rows padded to {@link CmnWasmKernel.dp} columns); {@link CmnWasmKernel.run} takes the user's
 * two small products and fills the scores (the mat-vec `M m_u`, its exponentials and the output
 * layer's `e_i diag(m_u) U1` run in the kernel too, so a call makes no tensor).
 *
 * @example
 * ```ts
 * const kernel = new CmnWasmKernel(tables);
 * kernel.run(user, du, wm, out); // du = diag(m_u) U1 [d, d], wm = m_u W_2 [d], out [items]
 * ```
 */
export class CmnWasmKernel {
  /** Padded row length: `dim` rounded up to a multiple of 4. */
  readonly dp: number;
  private readonly N: number;
  private readonly U: number;
  private readonly hops: number;
  private readonly at: Record<string, number> = {};
  private readonly f32: Float32Array;
  private readonly score: (...args: number[]) => void;

  constructor(t: CmnKernelTables) {
    const module = kernelModule();
    if (module == null) throw new Error('CmnWasmKernel: WebAssembly with SIMD must be available, got none (check cmnWasmAvailable() first)');
    const { numUsers: U, numItems: N, dim: d, hops } = t;
    const dp = (this.dp = Math.ceil(d / 4) * 4);
    this.N = N;
    this.U = U;
    this.hops = hops;
    const slots = t.offsets[N];
    let maxN = 1;
    for (let i = 0; i < N; i++) maxN = Math.max(maxN, t.offsets[i + 1] - t.offsets[i]);
    const sizes: [string, number][] = [
      ['offs', N + 1], ['svOff', slots], ['rowOff', slots], ['A', slots], ['ea', slots], ['sv', U], ['es', U + 4], ['allRows', U], ['mu', Math.max(dp, 16)], ['m', U * dp], ['c', U * dp], ['cu2', U * dp],
      ['we', N * dp], ['wm', dp], ['wh', Math.max(0, hops - 2) * dp * dp], ['bh', Math.max(0, hops - 2) * dp], ['e', N * dp], ['du', dp * dp],
      ['bu', dp], ['v', dp], ['p', maxN + 4], ['o', dp], ['z', Math.max(dp, 16)], ['zp', dp], ['g', dp], ['zeros', dp], ['out', N],
    ];
    let bytes = 0;
    for (const [name, n] of sizes) {
      this.at[name] = bytes;
      bytes += Math.ceil((n * 4) / 16) * 16;
    }
    const W = Wasm as WasmApi;
    const memory = new W.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    const instance = new W.Instance(module, { env: { memory } });
    this.score = instance.exports.score as (...args: number[]) => void;
    this.f32 = new Float32Array(memory.buffer);
    const i32 = new Int32Array(memory.buffer);
    i32.set(t.offsets, this.at.offs / 4);
    for (let s = 0; s < slots; s++) {
      i32[this.at.svOff / 4 + s] = t.members[s] * 4;
      i32[this.at.rowOff / 4 + s] = t.members[s] * dp * 4;
    }
    for (let v = 0; v < U; v++) i32[this.at.allRows / 4 + v] = v * dp * 4;
    this.padRows('e', t.e, N, d);
    this.f32.set(t.A, this.at.A / 4);
    this.f32.set(t.EA, this.at.ea / 4);
    this.padRows('m', t.m, U, d);
    this.padRows('c', t.c, U, d);
    this.padRows('cu2', t.CU2, U, d);
    if (hops > 1) this.padRows('we', t.WE, N, d);
    t.Wh.forEach((W, k) => this.padRows('wh', W, d, d, k * dp * dp));
    t.bh.forEach((b, k) => this.padRows('bh', b, 1, d, k * dp));
    this.padRows('bu', t.bU, 1, d);
    this.padRows('v', t.v, 1, d);
  }

  /**
   * Scores into `out` `[items]` for user `u`: `du` `[d, d]` (`diag(m_u) U1`) and `wm` `[d]`
   * (`m_u W_2`; ignored for one hop); everything else comes from the cached tables.
   */
  run(u: number, du: Float32Array, wm: ArrayLike<number>, out: Float32Array): void {
    const a = this.at;
    const dp = this.dp;
    const d = wm.length;
    this.f32.copyWithin(a.mu / 4, a.m / 4 + u * dp, a.m / 4 + (u + 1) * dp);
    this.padRows('du', du, d, d);
    for (let k = 0; k < d; k++) this.f32[a.wm / 4 + k] = wm[k];
    this.score(
      0, this.N, this.hops, dp / 4,
      a.offs, a.svOff, a.rowOff, a.A, a.ea, a.sv, a.es, a.m, a.c, a.cu2, a.we, a.wm, a.wh, a.bh, a.e, a.du, a.bu, a.v,
      a.p, a.o, a.z, a.zp, a.g, a.zeros, a.out, this.U, a.mu, a.allRows,
    );
    out.set(this.f32.subarray(a.out / 4, a.out / 4 + this.N));
  }

  /** Copies `rows` rows of `d` values into region `name` (plus `skip` floats) with row stride dp. */
  private padRows(name: string, src: Float32Array, rows: number, d: number, skip = 0): void {
    const base = this.at[name] / 4 + skip;
    for (let r = 0; r < rows; r++) this.f32.set(src.subarray(r * d, (r + 1) * d), base + r * this.dp);
  }
}

/**
 * The training hops of {@link HostHop} in the WebAssembly SIMD kernel (`attend` / `attendBack`):
 * {@link CmnWasmAttention.begin} copies the rows of m and c of the batch's distinct neighbours
 * into compact tables in the kernel's memory; each hop's forward keeps its query and attention
 * weights there for its backward pass, which sums the neighbours' gradients per compact row.
 *
 * @example
 * ```ts
 * const att = new CmnWasmAttention(numUsers, dim, hops);
 * att.begin(items, neighbourhoods, m.data, c.data);
 * const o = att.forward(0, z);        // [P, d]
 * const dz = att.backward(0, dLdo);   // [P, d]; att.gradients() then holds dL/dm_v, dL/dc_v
 * ```
 */
export class CmnWasmAttention {
  private readonly d: number;
  private readonly dp: number;
  private readonly hops: number;
  private readonly memory: { buffer: ArrayBuffer; grow(pages: number): number };
  private readonly attend: (...args: number[]) => void;
  private readonly attendBack: (...args: number[]) => void;
  private f32: Float32Array;
  private i32: Int32Array;
  private slot: Int32Array;
  private ids = new Int32Array(0);
  private P = 0;
  private at: Record<string, number> = {};

  constructor(numUsers: number, dim: number, hops: number) {
    const module = kernelModule();
    if (module == null) throw new Error('CmnWasmAttention: WebAssembly with SIMD must be available, got none (check cmnWasmAvailable() first)');
    this.d = dim;
    this.dp = Math.ceil(dim / 4) * 4;
    this.hops = hops;
    const W = Wasm as WasmApi;
    this.memory = new W.Memory({ initial: 1 });
    const exports = new W.Instance(module, { env: { memory: this.memory } }).exports;
    this.attend = exports.attend as (...args: number[]) => void;
    this.attendBack = exports.attendBack as (...args: number[]) => void;
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.slot = new Int32Array(numUsers).fill(-1);
  }

  /** Lays out a batch: query t attends over the neighbourhood of `items[t]`; m, c are the tables' data. */
  begin(items: Int32Array, nb: { offsets: Int32Array; members: Int32Array }, m: Float32Array, c: Float32Array): void {
    const { d, dp } = this;
    const P = (this.P = items.length);
    let slots = 0;
    let maxN = 1;
    for (let t = 0; t < P; t++) {
      const n = nb.offsets[items[t] + 1] - nb.offsets[items[t]];
      slots += n;
      maxN = Math.max(maxN, n);
    }
    // distinct neighbours in first-touch order
    const ids: number[] = [];
    for (let t = 0; t < P; t++) {
      for (let s = nb.offsets[items[t]]; s < nb.offsets[items[t] + 1]; s++) {
        const v = nb.members[s];
        if (this.slot[v] < 0) this.slot[v] = ids.push(v) - 1;
      }
    }
    const K = ids.length;
    const sizes: [string, number][] = [['start', P + 1], ['rowOff', slots], ['M', K * dp], ['C', K * dp], ['GM', K * dp], ['GC', K * dp],
      ['o', P * dp], ['g', P * dp], ['dz', P * dp], ['tmp', maxN + 4]];
    for (let h = 0; h < this.hops; h++) sizes.push([`z${h}`, P * dp], [`p${h}`, slots + 4]);
    let bytes = 0;
    this.at = {};
    for (const [name, n] of sizes) {
      this.at[name] = bytes;
      bytes += Math.ceil((n * 4) / 16) * 16 + 64; // 64 bytes of slack: the kernel reads 16 columns of a query at once
    }
    if (bytes > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / 65536));
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
    const { f32, i32, at } = this;
    f32.fill(0, 0, bytes / 4); // padded columns must read 0 (the memory holds the last batch's layout)
    let q = 0;
    i32[at.start / 4] = 0;
    for (let t = 0; t < P; t++) {
      for (let s = nb.offsets[items[t]]; s < nb.offsets[items[t] + 1]; s++) i32[at.rowOff / 4 + q++] = this.slot[nb.members[s]] * dp * 4;
      i32[at.start / 4 + t + 1] = q;
    }
    for (let k = 0; k < K; k++) {
      const v = ids[k];
      this.slot[v] = -1;
      f32.set(m.subarray(v * d, (v + 1) * d), at.M / 4 + k * dp);
      f32.set(c.subarray(v * d, (v + 1) * d), at.C / 4 + k * dp);
    }
    this.ids = Int32Array.from(ids);
  }

  /** Hop `h`'s forward: `o` `[P, d]` from `z` `[P, d]`. */
  forward(h: number, z: Float32Array): Float32Array {
    const a = this.at;
    this.put(z, a[`z${h}`]);
    this.attend(this.P, a.start, a.rowOff, a.M, a.C, a[`z${h}`], a.o, a[`p${h}`], this.dp / 4);
    return this.take(a.o);
  }

  /** Hop `h`'s backward: `dL/dz` `[P, d]` from `g = dL/do`; neighbour gradients accumulate. */
  backward(h: number, g: Float32Array): Float32Array {
    const a = this.at;
    this.put(g, a.g);
    this.attendBack(this.P, a.start, a.rowOff, a.M, a.C, a[`z${h}`], a.g, a[`p${h}`], a.dz, a.GM, a.GC, a.tmp, this.dp / 4);
    return this.take(a.dz);
  }

  /** The batch's distinct neighbours and the summed gradients of their m and c rows, `[K, d]`. */
  gradients(): { ids: Int32Array; gm: Float32Array; gc: Float32Array } {
    const K = this.ids.length;
    return { ids: this.ids, gm: this.take(this.at.GM, K), gc: this.take(this.at.GC, K) };
  }

  /** Writes `[rows, d]` values at byte offset `at`, rows padded to dp. */
  private put(x: Float32Array, at: number): void {
    const { d, dp } = this;
    if (d === dp) this.f32.set(x, at / 4);
    else for (let r = 0; r < x.length / d; r++) this.f32.set(x.subarray(r * d, (r + 1) * d), at / 4 + r * dp);
  }

  /** Reads `rows` (default P) padded rows at byte offset `at` into a new `[rows, d]` array. */
  private take(at: number, rows = this.P): Float32Array {
    const { d, dp } = this;
    const base = at / 4;
    if (d === dp) return this.f32.slice(base, base + rows * d);
    const out = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) out.set(this.f32.subarray(base + r * dp, base + r * dp + d), r * d);
    return out;
  }
}
