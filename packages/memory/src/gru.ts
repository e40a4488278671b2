import * as tf from '@tensorflow/tfjs-core';
import { assertInt, deriveSeed, seededRng, SparseEmbedding, type Module, type SparseOptimizerConfig } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkIds } from './check';
import { assignFloats, denseVariable } from './dense';
import { packState, unpackState } from './state-bytes';

const FN = 'GruLayer';

/**
 * One GRU step (Cho et al. 2014, as in GRU4Rec, Hidasi et al., ICLR 2016) from the input's
 * projection `xProj = x W` (`[b, 3H]`, gates in the order z, r, n):
 * `z = sigmoid(x_z + h U_z + b_z)`, `r = sigmoid(x_r + h U_r + b_r)`,
 * `n = tanh(x_n + (r * h) U_n + b_n)`, `h' = (1 - z) * h + z * n`. `h` is `[b, H]`, `U`
 * `[H, 3H]`, `bias` `[3H]`; returns `h'` `[b, H]`. Differentiable in every input.
 *
 * @example
 * ```ts
 * const h1 = gruCell(xProj, tf.zeros([4, 16]), U, bias); // [4, 16]
 * ```
 */
export function gruCell(xProj: tf.Tensor2D, h: tf.Tensor2D, U: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const H = h.shape[1];
    const b = h.shape[0];
    const xb = tf.add(xProj, bias);
    const zr = tf.sigmoid(tf.add(tf.slice(xb, [0, 0], [b, 2 * H]), tf.matMul(h, tf.slice(U, [0, 0], [H, 2 * H]))));
    const z = tf.slice(zr, [0, 0], [b, H]);
    const r = tf.slice(zr, [0, H], [b, H]);
    const n = tf.tanh(tf.add(tf.slice(xb, [0, 2 * H], [b, H]), tf.matMul(tf.mul(r, h), tf.slice(U, [0, 2 * H], [H, H]))));
    return tf.add(h, tf.mul(z, tf.sub(n, h))) as tf.Tensor2D;
  });
}

/** Options of {@link GruLayer}. */
export interface GruLayerOptions {
  /** Number of input ids (items); the sparse input side has one row of `3 * hidden` per id. Ignored when `input` is given. */
  inputs?: number;
  /** An existing input side (`dim` = 3 * hidden), e.g. restored by `SparseEmbedding.fromBytes`; its owner saves it. */
  input?: SparseEmbedding;
  /** H: hidden units. */
  hidden: number;
  /** Sparse optimizer of the input rows; default lazy Adam, rate 0.001. */
  optimizer?: SparseOptimizerConfig;
  /** Dense optimizer of U and the bias; default Adam with the input optimizer's learning rate. */
  denseOptimizer?: tf.Optimizer;
  /** Seed of the initialisation; default 0. */
  seed?: number;
}

/**
 * A GRU layer whose input side is sparse: the input of a step is an id (an item), and `x W` for
 * its one-hot `x` is one row of `W` (`[inputs, 3H]`), kept in a {@link SparseEmbedding} and
 * trained by its sparse optimizer (GRU4Rec's one-hot input, Hidasi et al., ICLR 2016). The
 * recurrent weights `U` (`[H, 3H]`) and the bias (`[3H]`) are `tf.Variable`s. Hidden states are
 * the caller's (host `Float32Array`s, e.g. one per session or user): `stepHost` advances them
 * without tensors, `step` as a differentiable tensor op for training (gradient one step back, as
 * GRU4Rec's session-parallel mini-batches do).
 *
 * @example
 * ```ts
 * const gru = new GruLayer({ inputs: 100, hidden: 16, seed: 1 });
 * const h = new Float32Array(2 * 16); // two sessions, zero state
 * gru.stepHost(Int32Array.of(5, 9), h, h); // both sessions read one item
 * gru.dispose();
 * ```
 */
export class GruLayer implements Module {
  readonly hidden: number;
  /** The sparse input side W, `[inputs, 3H]`. */
  readonly input: SparseEmbedding;
  /** Recurrent weights U `[H, 3H]` (z, r, n) and bias `[3H]`. */
  readonly U: tf.Variable;
  readonly bias: tf.Variable;
  private readonly optimizer: tf.Optimizer;
  private readonly ownsOptimizer: boolean;

  constructor(o: GruLayerOptions) {
    if (o == null || typeof o !== 'object') throw new Error(`${FN}: options must be an object like { inputs, hidden }, got ${show(o)}`);
    assertInt(FN, 'hidden', o.hidden, 1);
    const seed = o.seed ?? 0;
    const H = o.hidden;
    this.hidden = H;
    if (o.input != null) {
      if (!(o.input instanceof SparseEmbedding) || o.input.dim !== 3 * H) throw new Error(`${FN}: input must be a SparseEmbedding of dim 3 * hidden = ${3 * H}, got ${show(o.input instanceof SparseEmbedding ? `dim ${o.input.dim}` : o.input)}`);
      this.input = o.input;
    } else {
      assertInt(FN, 'inputs', o.inputs, 0);
      const optimizer = o.optimizer ?? { kind: 'adam', learningRate: 0.001 };
      this.input = new SparseEmbedding({ rows: o.inputs, dim: 3 * H, optimizer, init: { kind: 'uniform', scale: Math.sqrt(6 / (4 * H)) }, seed: deriveSeed(seed, 'gru-input') });
    }
    const rng = seededRng(deriveSeed(seed, 'gru-dense'));
    this.U = denseVariable([H, 3 * H], { kind: 'glorot' }, rng);
    this.bias = denseVariable([3 * H], { kind: 'constant', value: 0 }, rng);
    this.ownsOptimizer = o.denseOptimizer == null;
    this.optimizer = o.denseOptimizer ?? tf.train.adam(this.input.optimizer.learningRate);
  }

  /** Grows the input side to `inputs` ids (new items in a stream). */
  grow(inputs: number): void {
    this.input.grow(inputs);
  }

  /**
   * The next hidden states `[b, H]` for inputs `ids` from states `h` (`[b, H]`), as tensors; pass
   * `xProj` (`[b, 3H]`, e.g. `input.lookup(ids)` as a `tf.grads` argument) to differentiate with
   * respect to the input rows.
   */
  step(ids: Int32Array, h: tf.Tensor2D, xProj?: tf.Tensor2D): tf.Tensor2D {
    const fn = `${FN}.step`;
    checkIds(fn, 'ids', ids, this.input.rows);
    if (h.rank !== 2 || h.shape[0] !== ids.length || h.shape[1] !== this.hidden) throw new Error(`${fn}: h must have shape [${ids.length}, ${this.hidden}], got [${h.shape.join(', ')}]`);
    return tf.tidy(() => gruCell(xProj ?? this.input.lookup(ids), h, this.U as tf.Tensor2D, this.bias as tf.Tensor1D));
  }

  /**
   * {@link GruLayer.step} on the host: `h` is `[b * H]`; writes `[b * H]` into `out` (may be `h`
   * itself) and returns it. Equals `step` to float32 rounding (tested); no tensors.
   */
  stepHost(ids: Int32Array, h: Float32Array, out: Float32Array, weights?: { U: Float32Array; bias: Float32Array }): Float32Array {
    const fn = `${FN}.stepHost`;
    checkIds(fn, 'ids', ids, this.input.rows, true);
    const H = this.hidden;
    const b = ids.length;
    if (!(h instanceof Float32Array) || h.length < b * H) throw new Error(`${fn}: h must be a Float32Array of length >= ${b * H}, got ${show(h)}`);
    if (!(out instanceof Float32Array) || out.length < b * H) throw new Error(`${fn}: out must be a Float32Array of length >= ${b * H}, got ${show(out)}`);
    const U = weights?.U ?? (this.U.dataSync() as Float32Array);
    const bias = weights?.bias ?? (this.bias.dataSync() as Float32Array);
    const W = this.input.data;
    const G = 3 * H;
    const acc = new Float64Array(G);
    const rh = new Float64Array(H);
    for (let t = 0; t < b; t++) {
      const ho = t * H;
      const xo = ids[t] * G;
      for (let g = 0; g < 2 * H; g++) acc[g] = W[xo + g] + bias[g];
      for (let k = 0; k < H; k++) {
        const hk = h[ho + k];
        if (hk === 0) continue;
        const uo = k * G;
        for (let g = 0; g < 2 * H; g++) acc[g] += hk * U[uo + g];
      }
      for (let g = 0; g < 2 * H; g++) acc[g] = 1 / (1 + Math.exp(-acc[g]));
      for (let k = 0; k < H; k++) rh[k] = acc[H + k] * h[ho + k];
      for (let j = 0; j < H; j++) acc[2 * H + j] = W[xo + 2 * H + j] + bias[2 * H + j];
      for (let k = 0; k < H; k++) {
        const v = rh[k];
        if (v === 0) continue;
        const uo = k * G + 2 * H;
        for (let j = 0; j < H; j++) acc[2 * H + j] += v * U[uo + j];
      }
      for (let j = 0; j < H; j++) {
        const n = Math.tanh(acc[2 * H + j]);
        const hj = h[ho + j];
        out[ho + j] = hj + acc[j] * (n - hj);
      }
    }
    return out;
  }

  /**
   * Forward and backward of one step on the host, for inputs `ids` from states `h` (`[b * H]`,
   * constants) given the gradient `dOut` (`[b * H]`) of a loss with respect to the new states:
   * returns the new states `hNext` (as {@link GruLayer.stepHost}) and the gradients with respect to
   * the looked-up input rows (`gInput`, `[b * 3H]`, row k for `ids[k]`), U (`gU`, `[H * 3H]`) and
   * the bias (`gBias`, `[3H]`). Equal to `tf.grads` of {@link gruCell} to float32 rounding (tested).
   * `dOut` may be given later: pass a function that receives `hNext` and returns it.
   *
   * @example
   * ```ts
   * const g = gru.gradHost(ids, h, (hNext) => lossGradient(hNext));
   * gru.applyGradients(ids, g.gInput, tf.tensor(g.gU, [H, 3 * H]), tf.tensor(g.gBias));
   * ```
   */
  gradHost(ids: Int32Array, h: Float32Array, dOut: Float32Array | ((hNext: Float32Array) => Float32Array)): { hNext: Float32Array; gInput: Float32Array; gU: Float32Array; gBias: Float32Array } {
    const fn = `${FN}.gradHost`;
    checkIds(fn, 'ids', ids, this.input.rows, true);
    const H = this.hidden;
    const G = 3 * H;
    const b = ids.length;
    if (!(h instanceof Float32Array) || h.length < b * H) throw new Error(`${fn}: h must be a Float32Array of length >= ${b * H}, got ${show(h)}`);
    const U = this.U.dataSync() as Float32Array;
    const bias = this.bias.dataSync() as Float32Array;
    const W = this.input.data;
    // forward, keeping z, r, n per row
    const Z = new Float32Array(b * H);
    const R = new Float32Array(b * H);
    const Nn = new Float32Array(b * H);
    const hNext = new Float32Array(b * H);
    const acc = new Float64Array(G);
    for (let t = 0; t < b; t++) {
      const ho = t * H;
      const xo = ids[t] * G;
      for (let g = 0; g < G; g++) acc[g] = W[xo + g] + bias[g];
      for (let k = 0; k < H; k++) {
        const hk = h[ho + k];
        if (hk === 0) continue;
        for (let g = 0; g < 2 * H; g++) acc[g] += hk * U[k * G + g];
      }
      for (let j = 0; j < H; j++) {
        Z[ho + j] = 1 / (1 + Math.exp(-acc[j]));
        R[ho + j] = 1 / (1 + Math.exp(-acc[H + j]));
      }
      for (let k = 0; k < H; k++) {
        const v = R[ho + k] * h[ho + k];
        if (v === 0) continue;
        for (let j = 0; j < H; j++) acc[2 * H + j] += v * U[k * G + 2 * H + j];
      }
      for (let j = 0; j < H; j++) {
        const n = Math.tanh(acc[2 * H + j]);
        Nn[ho + j] = n;
        hNext[ho + j] = h[ho + j] + Z[ho + j] * (n - h[ho + j]);
      }
    }
    const d = typeof dOut === 'function' ? dOut(hNext) : dOut;
    if (!(d instanceof Float32Array) || d.length < b * H) throw new Error(`${fn}: dOut must be a Float32Array of length >= ${b * H}, got ${show(d)}`);
    // backward
    const gInput = new Float32Array(b * G);
    const gU = new Float32Array(H * G);
    const gBias = new Float32Array(G);
    const drh = new Float64Array(H);
    for (let t = 0; t < b; t++) {
      const ho = t * H;
      const go = t * G;
      for (let j = 0; j < H; j++) {
        const g = d[ho + j];
        const z = Z[ho + j];
        const n = Nn[ho + j];
        gInput[go + j] = g * (n - h[ho + j]) * z * (1 - z); // a_z
        gInput[go + 2 * H + j] = g * z * (1 - n * n); // a_n
      }
      for (let k = 0; k < H; k++) {
        let s = 0;
        const uo = k * G + 2 * H;
        for (let j = 0; j < H; j++) s += gInput[go + 2 * H + j] * U[uo + j];
        drh[k] = s;
      }
      for (let k = 0; k < H; k++) {
        const r = R[ho + k];
        gInput[go + H + k] = drh[k] * h[ho + k] * r * (1 - r); // a_r
      }
      for (let g = 0; g < G; g++) gBias[g] += gInput[go + g];
      for (let k = 0; k < H; k++) {
        const hk = h[ho + k];
        const rhk = R[ho + k] * hk;
        const uo = k * G;
        if (hk !== 0) for (let g = 0; g < 2 * H; g++) gU[uo + g] += hk * gInput[go + g];
        if (rhk !== 0) for (let j = 0; j < H; j++) gU[uo + 2 * H + j] += rhk * gInput[go + 2 * H + j];
      }
    }
    return { hNext, gInput, gU, gBias };
  }

  /**
   * Applies gradients: `gInput` (`[ids.length * 3H]`, with respect to the looked-up input rows) to
   * the sparse input side, `gU` and `gBias` to the dense weights (the layer's dense optimizer).
   */
  applyGradients(ids: Int32Array, gInput: tf.Tensor | Float32Array, gU: tf.Tensor | Float32Array, gBias: tf.Tensor | Float32Array): void {
    if (ids.length > 0) this.input.applyGradients(ids, gInput);
    const H = this.hidden;
    const u = gU instanceof Float32Array ? tf.tensor2d(gU, [H, 3 * H], 'float32') : gU;
    const b = gBias instanceof Float32Array ? tf.tensor1d(gBias, 'float32') : gBias;
    try {
      this.optimizer.applyGradients({ [this.U.name]: u, [this.bias.name]: b });
    } finally {
      if (u !== gU) u.dispose();
      if (b !== gBias) b.dispose();
    }
  }

  /** U and the bias as bytes (the input side saves itself: `input.toBytes()`). */
  stateToBytes(): Uint8Array {
    return packState('gru-layer', { hidden: this.hidden }, [this.U.dataSync() as Float32Array, this.bias.dataSync() as Float32Array]);
  }

  /** Restores {@link GruLayer.stateToBytes} into this layer (same hidden size). */
  stateFromBytes(bytes: Uint8Array): void {
    const fn = `${FN}.stateFromBytes`;
    const { header, blocks } = unpackState('gru-layer', bytes, fn);
    if (header.hidden !== this.hidden) throw new Error(`${fn}: hidden must be ${this.hidden} (this layer), got ${show(header.hidden)}`);
    assignFloats(this.U, blocks[0], fn, 'U');
    assignFloats(this.bias, blocks[1], fn, 'bias');
  }

  /** Frees the variables (and the default dense optimizer). */
  dispose(): void {
    tf.dispose([this.U, this.bias]);
    if (this.ownsOptimizer) this.optimizer.dispose();
  }
}
