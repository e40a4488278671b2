import * as tf from '@tensorflow/tfjs-core';
import { matMul2d, type SparseEmbedding } from '@memrec/core';
import type { NeighbourLists } from './cmn-attention';
import { show } from '@memrec/core/internal';
import { cmnWasmAvailable, CmnWasmKernel } from './cmn-wasm';
import { dotRow, weightedRows } from './row-kernels';
import { sameFloats } from './same-floats';

/** What {@link CmnScorer} reads: a CMN layer's tables, neighbourhoods and dense weights. */
export interface CmnScorerSource {
  readonly numUsers: number;
  readonly numItems: number;
  readonly dim: number;
  readonly hops: number;
  readonly userMemory: SparseEmbedding;
  readonly outputMemory: SparseEmbedding;
  readonly itemMemory: SparseEmbedding;
  readonly neighbourhoods: NeighbourLists;
  readonly weights: { hopW: tf.Variable[]; hopB: tf.Variable[]; U1: tf.Variable; U2: tf.Variable; bU: tf.Variable; v: tf.Variable };
}

/** Items per block of the host loop (hops >= 3 multiply a block's queries by W_h in one product). */
const BLOCK = 2048;
/** Below this, a hop-1 softmax sum built from cached exponentials is recomputed directly. */
const TINY = 1e-200;

/**
 * Scores users against the whole catalogue with CMN (Ebesu et al., SIGIR 2018), caching every
 * term that does not depend on the user:
 * - hop 1 logits split as `(m_u + e_i) . m_v = m_u . m_v + e_i . m_v`: `e_i . m_v` and its
 *   exponential (shifted by the item's maximum) are cached per (item, neighbour), so hop 1
 *   needs one mat-vec `M m_u` and `|users|` exponentials per call, none per item;
 * - `e_i W_2 + b_2` per item (hop 2's query is `relu(m_u W_2 + e_i W_2 + o_1 + b_2)`);
 * - `c_v U2` per user (the last hop's read enters the output only through `o_H U2`);
 * - the output's `(m_u * e_i) U1 = e_i (diag(m_u) U1)`: one `[items, d] x [d, d]` product a user.
 *
 * What is left per (user, item) runs in one host loop over the item's real neighbours. The cache
 * holds copies of m, c and e; every call compares them with the tables (bytes) and the dense
 * weights with the variables (tensor identity: `assign` replaces it), and rebuilds on any
 * difference, so no change of weights, whatever its path, is missed. Scores agree with
 * {@link cmnForward} up to float32 rounding.
 *
 * @example
 * ```ts
 * const scorer = new CmnScorer(cmn);                 // what CollaborativeMemory.scoreAll uses
 * const scores = scorer.scoreAll(Int32Array.of(0)); // Float32Array [numItems]
 * ```
 */
export class CmnScorer {
  private m: Float32Array = new Float32Array(0);
  private c: Float32Array = new Float32Array(0);
  private e: Float32Array = new Float32Array(0);
  private denseIds: unknown[] = [];
  private valid = false;
  private rebuilt = 0;
  /** Per (item, neighbour slot): `e_i . m_v` and `exp(e_i . m_v - max over the item's slots)`. */
  private A = new Float64Array(0);
  private EA = new Float64Array(0);
  /** `e_i W_2 + b_2` `[items, d]` (hops >= 2); `c_v U2` `[users, d]`. */
  private WE: Float32Array = new Float32Array(0);
  private CU2: Float32Array = new Float32Array(0);
  private W2: Float32Array = new Float32Array(0);
  private U1: Float32Array = new Float32Array(0);
  private bU: Float32Array = new Float32Array(0);
  private v: Float32Array = new Float32Array(0);

  private kernel: CmnWasmKernel | null = null;
  private readonly useWasm: boolean;

  /**
   * `kernel`: `'wasm'` runs the per-(user, item) loop in {@link CmnWasmKernel} (WebAssembly
   * SIMD), `'js'` in plain typed-array loops, `'auto'` (default) the first where it is available.
   */
  constructor(private readonly src: CmnScorerSource, options: { kernel?: 'auto' | 'wasm' | 'js' } = {}) {
    const kernel = options.kernel ?? 'auto';
    if (kernel !== 'auto' && kernel !== 'wasm' && kernel !== 'js') throw new Error(`CmnScorer: options.kernel must be one of auto, wasm, js, got ${show(kernel)}`);
    if (kernel === 'wasm' && !cmnWasmAvailable()) throw new Error(`CmnScorer: options.kernel 'wasm' needs WebAssembly with SIMD, got none`);
    this.useWasm = kernel === 'wasm' || (kernel === 'auto' && cmnWasmAvailable());
  }

  /** The kernel in use: `'wasm'` or `'js'`. */
  get kernelKind(): 'wasm' | 'js' {
    return this.useWasm ? 'wasm' : 'js';
  }

  /** Number of times the cache was (re)built: a test hook and a diagnostic. */
  get builds(): number {
    return this.rebuilt;
  }

  /** Drops the cache; the next call rebuilds it. */
  invalidate(): void {
    this.valid = false;
  }

  /** Scores of `users` against every item, row-major `[users.length, numItems]` (ids not checked). */
  scoreAll(users: Int32Array): Float32Array {
    this.ensure();
    const { numItems: N, numUsers: U, dim: d } = this.src;
    const out = new Float32Array(users.length * N);
    if (this.kernel != null) {
      for (let b = 0; b < users.length; b++) this.scoreUserWasm(users[b], out.subarray(b * N, (b + 1) * N));
      return out;
    }
    const E = tf.tensor2d(this.e, [N, d]);
    const M = tf.tensor2d(this.m, [U, d]);
    try {
      for (let b = 0; b < users.length; b++) this.scoreUser(users[b], E, M, out.subarray(b * N, (b + 1) * N));
    } finally {
      tf.dispose([E, M]);
    }
    return out;
  }

  private ensure(): void {
    const s = this.src;
    const w = s.weights;
    const dense = [...w.hopW, ...w.hopB, w.U1, w.U2, w.bU, w.v];
    const U = s.numUsers * s.dim;
    const N = s.numItems * s.dim;
    const ok =
      this.valid &&
      dense.length === this.denseIds.length &&
      dense.every((t, k) => t.dataId === this.denseIds[k]) &&
      sameFloats(this.m, s.userMemory.data.subarray(0, U)) &&
      sameFloats(this.c, s.outputMemory.data.subarray(0, U)) &&
      sameFloats(this.e, s.itemMemory.data.subarray(0, N));
    if (ok) return;
    this.m = s.userMemory.data.slice(0, U);
    this.c = s.outputMemory.data.slice(0, U);
    this.e = s.itemMemory.data.slice(0, N);
    this.denseIds = dense.map((t) => t.dataId);
    this.build();
    this.valid = true;
    this.rebuilt++;
  }

  private build(): void {
    const { numItems: N, numUsers: U, dim: d, hops, weights: w } = this.src;
    const { offsets, members } = this.src.neighbourhoods;
    const m = this.m;
    const e = this.e;
    this.A = new Float64Array(offsets[N]);
    this.EA = new Float64Array(offsets[N]);
    for (let i = 0; i < N; i++) {
      let mx = -Infinity;
      for (let s = offsets[i]; s < offsets[i + 1]; s++) {
        const mb = members[s] * d;
        let a = 0;
        for (let k = 0; k < d; k++) a += e[i * d + k] * m[mb + k];
        this.A[s] = a;
        if (a > mx) mx = a;
      }
      for (let s = offsets[i]; s < offsets[i + 1]; s++) this.EA[s] = Math.exp(this.A[s] - mx);
    }
    const [WE, CU2] = tf.tidy(() => [
      hops > 1 ? tf.add(matMul2d(tf.tensor2d(e, [N, d]), rank2(w.hopW[0])), w.hopB[0]) : tf.zeros([1]),
      matMul2d(tf.tensor2d(this.c, [U, d]), rank2(w.U2)),
    ]);
    this.WE = WE.dataSync().slice() as Float32Array;
    this.CU2 = CU2.dataSync().slice() as Float32Array;
    tf.dispose([WE, CU2]);
    this.W2 = hops > 1 ? (w.hopW[0].dataSync().slice() as Float32Array) : new Float32Array(0);
    this.U1 = w.U1.dataSync().slice() as Float32Array;
    this.bU = w.bU.dataSync().slice() as Float32Array;
    this.v = w.v.dataSync().slice() as Float32Array;
    this.kernel = !this.useWasm ? null : new CmnWasmKernel({
      numUsers: U, numItems: N, dim: d, hops, offsets, members, e, A: this.A, EA: this.EA, m, c: this.c, CU2: this.CU2, WE: this.WE,
      Wh: w.hopW.slice(1).map((t) => t.dataSync() as Float32Array), bh: w.hopB.slice(1).map((t) => t.dataSync() as Float32Array), bU: this.bU, v: this.v,
    });
  }

  /** `diag(m_u) U1` `[d, d]` and `m_u W_2` `[d]` (hop 2's query is `relu(m_u W_2 + e_i W_2 + b_2 + o_1)`). */
  private userProducts(u: number): [Float32Array, Float64Array] {
    const d = this.src.dim;
    const mu = this.m.subarray(u * d, (u + 1) * d);
    const Du = new Float32Array(d * d);
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) Du[j * d + k] = mu[j] * this.U1[j * d + k];
    const Wm = new Float64Array(d);
    if (this.src.hops > 1) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) Wm[k] += mu[j] * this.W2[j * d + k];
    return [Du, Wm];
  }

  /** One user's scores into `out` `[numItems]` by the wasm kernel. */
  private scoreUserWasm(u: number, out: Float32Array): void {
    const [Du, Wm] = this.userProducts(u);
    (this.kernel as CmnWasmKernel).run(u, Du, Wm, out);
  }

  /** One user's scores into `out` `[numItems]` by plain loops; `E` and `M` are the cached e and m as tensors. */
  private scoreUser(u: number, E: tf.Tensor2D, M: tf.Tensor2D, out: Float32Array): void {
    const { numItems: N, numUsers: U, dim: d, hops, weights: w } = this.src;
    const { offsets, members } = this.src.neighbourhoods;
    const m = this.m;
    const c = this.c;
    const mu = m.subarray(u * d, (u + 1) * d);
    // output layer: (m_u * e_i) U1 = e_i (diag(m_u) U1); hop 1: s_v = m_u . m_v
    const [Du, Wm] = this.userProducts(u);
    const [aT, sT] = tf.tidy(() => [matMul2d(E, tf.tensor2d(Du, [d, d])), matMul2d(M, tf.tensor2d(mu, [d, 1]))]);
    const aTerm = aT.dataSync() as Float32Array;
    const sv = sT.dataSync() as Float32Array;
    tf.dispose([aT, sT]);
    let smax = -Infinity;
    for (let v = 0; v < U; v++) if (sv[v] > smax) smax = sv[v];
    const ES = new Float64Array(U);
    for (let v = 0; v < U; v++) ES[v] = Math.exp(sv[v] - smax);
    const A = this.A;
    const EA = this.EA;
    const WE = this.WE;
    const bU = this.bU;
    const vv = this.v;
    let p = new Float64Array(64);
    const O = new Float32Array(BLOCK * d);
    const Z = new Float64Array(BLOCK * d);
    const G = new Float32Array(d);
    for (let i0 = 0; i0 < N; i0 += BLOCK) {
      const i1 = Math.min(N, i0 + BLOCK);
      for (let h = 1; h <= hops; h++) {
        // the last hop reads c_v U2 instead of c_v: o_H enters the output only through U2
        const read = h === hops ? this.CU2 : c;
        const ZW = h >= 3 ? this.blockProduct(Z, i1 - i0, w.hopW[h - 2], w.hopB[h - 2]) : null;
        for (let i = i0; i < i1; i++) {
          const s0 = offsets[i];
          const n = offsets[i + 1] - s0;
          const zb = (i - i0) * d;
          if (p.length < n) p = new Float64Array(n);
          if (h === 1) {
            hop1Weights(p, n, members, s0, ES, EA, sv, A);
          } else {
            if (ZW == null) for (let k = 0; k < d; k++) Z[zb + k] = relu(WE[i * d + k] + Wm[k] + O[zb + k]);
            else for (let k = 0; k < d; k++) Z[zb + k] = relu(ZW[zb + k] + O[zb + k]);
            for (let s = 0; s < n; s++) p[s] = dotRow(Z, zb, m, members[s0 + s] * d, d);
            softmaxInPlace(p, n);
          }
          if (h < hops) {
            weightedRows(p, 0, members, s0, n, read, d, O, zb);
            continue;
          }
          weightedRows(p, 0, members, s0, n, read, d, G, 0);
          let r = 0;
          for (let k = 0; k < d; k++) r += relu(aTerm[i * d + k] + G[k] + bU[k]) * vv[k];
          out[i] = r;
        }
      }
    }
  }

  /** `Z W + b` for the first `n` rows of a block (hops >= 3), as a float32 product. */
  private blockProduct(Z: Float64Array, n: number, W: tf.Variable, b: tf.Variable): Float32Array {
    const d = this.src.dim;
    const r = tf.tidy(() => tf.add(matMul2d(tf.tensor2d(Float32Array.from(Z.subarray(0, n * d)), [n, d]), rank2(W)), b));
    const out = r.dataSync() as Float32Array;
    r.dispose();
    return out;
  }
}

/** A dense weight known to be rank 2. */
function rank2(t: tf.Tensor): tf.Tensor2D {
  return t as tf.Tensor2D;
}

function relu(x: number): number {
  return x > 0 ? x : 0;
}

/** Replaces the logits `p[0..n)` by their softmax (nothing for n = 0). */
function softmaxInPlace(p: Float64Array, n: number): void {
  let mx = -Infinity;
  for (let s = 0; s < n; s++) if (p[s] > mx) mx = p[s];
  let sum = 0;
  for (let s = 0; s < n; s++) sum += p[s] = Math.exp(p[s] - mx);
  for (let s = 0; s < n; s++) p[s] /= sum;
}

/**
 * Hop-1 attention weights of one item: `p_s ~ exp(s_v) exp(e_i . m_v)` from the cached shifted
 * exponentials `ES` (per user) and `EA` (per slot); when their sum underflows (logits far below
 * the user's maximum) the softmax of `s_v + A_s` is taken directly.
 */
function hop1Weights(p: Float64Array, n: number, members: Int32Array, s0: number, ES: Float64Array, EA: Float64Array, sv: Float32Array, A: Float64Array): void {
  let sum = 0;
  for (let s = 0; s < n; s++) sum += p[s] = ES[members[s0 + s]] * EA[s0 + s];
  if (sum > TINY) {
    const inv = 1 / sum;
    for (let s = 0; s < n; s++) p[s] *= inv;
    return;
  }
  for (let s = 0; s < n; s++) p[s] = sv[members[s0 + s]] + A[s0 + s];
  softmaxInPlace(p, n);
}
