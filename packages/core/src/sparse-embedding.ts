import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, assertIds, assertInt, show } from './assert';
import { randNormal, seededRng, type Rng } from './rng';
import {
  resolveOptimizer,
  slotCount,
  sparseStep,
  type ResolvedOptimizer,
  type SparseOptimizerConfig,
} from './sparse-optimizer';
import { deserializeState, serializeState } from './sparse-serialize';
import type { Module } from './types';

/**
 * How new rows are filled: `normal` (mean 0, `std`), `uniform` in [-scale, scale],
 * `xavier` (uniform with scale sqrt(6 / (2 * dim))), or `zeros`.
 */
export type EmbeddingInit =
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; scale: number }
  | { kind: 'xavier' }
  | { kind: 'zeros' };

/** Options of {@link SparseEmbedding}. */
export interface SparseEmbeddingOptions {
  /** Initial number of rows (users or items). */
  rows: number;
  /** Embedding dimension. */
  dim: number;
  /** Sparse optimizer; default `{ kind: 'adam', learningRate: 0.001 }`. */
  optimizer?: SparseOptimizerConfig;
  /** Initialiser for rows, now and when the table grows; default `{ kind: 'normal', std: 0.1 }`. */
  init?: EmbeddingInit;
  /** Seed of the initialiser's generator; default 0. */
  seed?: number;
}

const FN = 'SparseEmbedding';

/**
 * An embedding table kept on the host in a `Float32Array`, trained with sparse optimizers.
 *
 * `lookup(ids)` copies the batch's rows into a small `[n, dim]` tensor; take the gradient of
 * the loss with respect to that tensor (`tf.grads`) and hand it to `applyGradients(ids, grad)`,
 * which updates only those rows (gradients of duplicate ids are summed first). This is the
 * idea of PyTorch's `SparseAdam` and TensorFlow's `IndexedSlices`, and avoids `tf.gather`'s
 * gradient (missing on wasm, O(rows x batch) on cpu).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { SparseEmbedding } from '@memrec/core';
 *
 * const users = new SparseEmbedding({ rows: 100, dim: 8, optimizer: { kind: 'sgd', learningRate: 0.1 }, seed: 1 });
 * const ids = Int32Array.from([3, 5, 3]);
 * const x = users.lookup(ids);
 * const [g] = tf.grads((e: tf.Tensor) => tf.sum(tf.square(e)))([x]);
 * users.applyGradients(ids, g); // rows 3 and 5 move; row 3 gets both gradients
 * tf.dispose([x, g]);
 * ```
 */
export class SparseEmbedding implements Module {
  readonly dim: number;
  readonly init: EmbeddingInit;
  readonly optimizer: ResolvedOptimizer;
  /** Table values, row-major; only the first `rows * dim` entries are in use. */
  data: Float32Array;
  /** Optimizer state (Adagrad: accumulator; Adam: first and second moments), laid out like `data`. */
  slots: Float32Array[];
  private _rows: number;
  private _step = 0;
  private readonly rng: Rng;
  private seen: Int32Array; // row -> slot index in the current batch, -1 when absent
  private rowsScratch = new Int32Array(0);
  private offsetScratch = new Int32Array(0);
  private gradScratch = new Float32Array(0);

  constructor(options: SparseEmbeddingOptions) {
    if (options == null || typeof options !== 'object') {
      throw new Error(`${FN}: options must be an object like { rows, dim }, got ${show(options)}`);
    }
    assertInt(FN, 'rows', options.rows, 0);
    assertInt(FN, 'dim', options.dim, 1);
    this.dim = options.dim;
    this.init = validateInit(options.init ?? { kind: 'normal', std: 0.1 });
    this.optimizer = resolveOptimizer(options.optimizer ?? { kind: 'adam', learningRate: 0.001 }, FN);
    const seed = options.seed ?? 0;
    assertFinite(FN, 'seed', seed);
    this.rng = seededRng(seed);
    this._rows = 0;
    this.data = new Float32Array(0);
    this.slots = [];
    this.seen = new Int32Array(0);
    this.grow(options.rows);
  }

  /** Number of rows in use. */
  get rows(): number {
    return this._rows;
  }

  /** Number of `applyGradients` calls so far (Adam's step). */
  get step(): number {
    return this._step;
  }

  /**
   * Grows the table to at least `rows` rows (new users or items in a stream); new rows are
   * drawn from the initialiser, their optimizer state starts fresh. Never shrinks.
   */
  grow(rows: number): void {
    assertInt(`${FN}.grow`, 'rows', rows, 0);
    if (rows <= this._rows) return;
    const dim = this.dim;
    if (rows * dim > this.data.length) {
      const capacity = Math.max(rows, Math.ceil(this._rows * 1.5)) * dim;
      this.data = resize(this.data, capacity);
      const fill = this.optimizer.kind === 'adagrad' ? this.optimizer.initialAccumulator : 0;
      this.slots = Array.from({ length: slotCount(this.optimizer.kind) }, (_, s) =>
        resize(this.slots[s] ?? new Float32Array(0), capacity, s === 0 ? fill : 0),
      );
      const seen = new Int32Array(capacity / dim).fill(-1);
      this.seen = seen;
    }
    fillInit(this.data.subarray(this._rows * dim, rows * dim), this.init, dim, this.rng);
    this._rows = rows;
  }

  /** Copies the rows `ids` into a new `Float32Array` of length `ids.length * dim`. */
  gather(ids: Int32Array, out?: Float32Array): Float32Array {
    const dim = this.dim;
    assertIds(`${FN}.gather`, 'ids', ids, this._rows);
    const res = out ?? new Float32Array(ids.length * dim);
    if (res.length < ids.length * dim) {
      throw new Error(`${FN}.gather: out must have length >= ${ids.length * dim}, got ${res.length}`);
    }
    const data = this.data;
    for (let i = 0; i < ids.length; i++) {
      const src = ids[i] * dim;
      const dst = i * dim;
      for (let k = 0; k < dim; k++) res[dst + k] = data[src + k];
    }
    return res;
  }

  /** The rows `ids` as a `[ids.length, dim]` tensor (the caller disposes it). */
  lookup(ids: Int32Array): tf.Tensor2D {
    return tf.tensor2d(this.gather(ids), [ids.length, this.dim], 'float32');
  }

  /** The whole table as a `[rows, dim]` tensor (a copy; the caller disposes it). */
  toTensor(): tf.Tensor2D {
    return tf.tensor2d(this.data.slice(0, this._rows * this.dim), [this._rows, this.dim], 'float32');
  }

  /** A view of row `id` (writes go to the table). */
  row(id: number): Float32Array {
    assertIds(`${FN}.row`, 'id', [id], this._rows);
    return this.data.subarray(id * this.dim, (id + 1) * this.dim);
  }

  /**
   * Applies gradients `grad` (`[ids.length, dim]`, a tensor or a `Float32Array`) to the rows
   * `ids` with the table's sparse optimizer. Gradients of repeated ids are summed first, so the
   * result equals a dense step on the full table with the scattered gradient (for SGD,
   * Adagrad and Adam alike, on the rows touched). Non-finite gradients are an error and
   * leave the table unchanged.
   */
  applyGradients(ids: Int32Array, grad: tf.Tensor | Float32Array): void {
    const dim = this.dim;
    const n = ids.length;
    let g: Float32Array;
    if (grad instanceof Float32Array) {
      g = grad;
    } else {
      if (grad == null || typeof (grad as tf.Tensor).dataSync !== 'function') {
        throw new Error(`${FN}.applyGradients: grad must be a tf.Tensor or Float32Array, got ${show(grad)}`);
      }
      const shape = (grad as tf.Tensor).shape;
      if (shape.length !== 2 || shape[0] !== n || shape[1] !== dim) {
        throw new Error(`${FN}.applyGradients: grad must have shape [${n}, ${dim}], got [${shape.join(', ')}]`);
      }
      g = (grad as tf.Tensor).dataSync() as Float32Array;
    }
    if (g.length !== n * dim) {
      throw new Error(`${FN}.applyGradients: grad must have length ${n * dim} (ids.length x dim), got ${g.length}`);
    }
    assertIds(`${FN}.applyGradients`, 'ids', ids, this._rows);
    assertFiniteGrad(g, ids, dim);
    if (this.rowsScratch.length < n) {
      this.rowsScratch = new Int32Array(n);
      this.offsetScratch = new Int32Array(n);
      this.gradScratch = new Float32Array(n * dim);
    }
    // Coalesce: a row seen once reads its gradient straight from `g` (offset >= 0); a repeated
    // row is summed into `acc` (offset -1 - position in acc).
    const rows = this.rowsScratch;
    const offsets = this.offsetScratch;
    const acc = this.gradScratch;
    const seen = this.seen;
    let u = 0;
    let dupEnd = 0;
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      const s = seen[id];
      const src = i * dim;
      if (s < 0) {
        seen[id] = u;
        rows[u] = id;
        offsets[u] = src;
        u++;
        continue;
      }
      let o = offsets[s];
      if (o >= 0) {
        const first = o;
        o = dupEnd;
        dupEnd += dim;
        for (let k = 0; k < dim; k++) acc[o + k] = g[first + k];
        offsets[s] = -1 - o;
      } else {
        o = -1 - o;
      }
      for (let k = 0; k < dim; k++) acc[o + k] += g[src + k];
    }
    for (let s = 0; s < u; s++) seen[rows[s]] = -1;
    this._step += 1;
    sparseStep(this.optimizer, this.data, this.slots, dim, rows, offsets, u, g, acc, this._step);
  }

  /** Serialises table, optimizer settings and state to bytes (a versioned, checksummed layout). */
  toBytes(): Uint8Array {
    return serializeState(this);
  }

  /** Restores a table from {@link SparseEmbedding.toBytes}; corrupt bytes are a clear error. */
  static fromBytes(bytes: Uint8Array): SparseEmbedding {
    return deserializeState(bytes, SparseEmbedding);
  }

  /** Host memory only: nothing to free. Present so tables compose like other modules. */
  dispose(): void {
    /* the table owns no tensors */
  }

  /** @internal used by deserialisation */
  _restore(rows: number, step: number, data: Float32Array, slots: Float32Array[]): void {
    this._rows = rows;
    this._step = step;
    this.data = data;
    this.slots = slots;
    this.seen = new Int32Array(rows).fill(-1);
  }
}

/** Throws on the first non-finite gradient; a finite sum proves all entries finite (fast path). */
function assertFiniteGrad(g: Float32Array, ids: Int32Array, dim: number): void {
  let sum = 0;
  for (let i = 0; i < g.length; i++) sum += g[i];
  if (Number.isFinite(sum)) return;
  for (let i = 0; i < g.length; i++) {
    if (!Number.isFinite(g[i])) {
      const r = Math.floor(i / dim);
      throw new Error(`${FN}.applyGradients: grad must be finite, got ${g[i]} at row ${r} (id ${ids[r]})`);
    }
  }
}

function resize(a: Float32Array, length: number, fill = 0): Float32Array {
  const b = new Float32Array(length);
  b.set(a.subarray(0, Math.min(a.length, length)));
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

function validateInit(init: EmbeddingInit): EmbeddingInit {
  const kind = (init as { kind?: unknown })?.kind;
  if (kind === 'normal') assertFinite(FN, 'init.std', (init as { std: number }).std, 0);
  else if (kind === 'uniform') assertFinite(FN, 'init.scale', (init as { scale: number }).scale, 0);
  else if (kind !== 'xavier' && kind !== 'zeros') {
    throw new Error(`${FN}: init.kind must be one of normal, uniform, xavier, zeros, got ${show(kind)}`);
  }
  return init;
}

function fillInit(out: Float32Array, init: EmbeddingInit, dim: number, rng: Rng): void {
  if (init.kind === 'zeros') return;
  if (init.kind === 'normal') {
    for (let i = 0; i < out.length; i++) out[i] = randNormal(rng) * init.std;
    return;
  }
  const scale = init.kind === 'uniform' ? init.scale : Math.sqrt(6 / (2 * dim));
  for (let i = 0; i < out.length; i++) out[i] = (rng() * 2 - 1) * scale;
}
