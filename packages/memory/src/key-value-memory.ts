import * as tf from '@tensorflow/tfjs-core';
import { assertInt, deriveSeed, seededRng, type Module, type SparseEmbedding } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkIds, checkPerRow } from './check';
import { denseVariable, assignFloats } from './dense';
import { checkOut, hostAddress, hostReadUsers, hostScorer, type HostScorer } from './kv-host';
import { kvAddress, kvDistance, kvDistanceAll, kvEraseAdd, kvRead, type AddressMetric } from './kv-ops';
import { recordWrite, type LastWrite } from './kv-last-write';
import { applyKvGrads, checkTrainBatch, hostKvGrads, preferTensorStep, tensorKvGrads } from './kv-train';
import { resolveKvOptions, type KeyValueMemoryOptions, type KvTrainOptions } from './kv-options';
import { packState, unpackState } from './state-bytes';
import { ValueMemory } from './value-memory';

export type { KeyValueMemoryOptions, KvTrainOptions, HostScorer };

const FN = 'KeyValueMemory';
const CHUNK_ELEMENTS = 1 << 20;

/**
 * NMRN's key-value memory (Wang et al., "Neural Memory Streaming Recommender Networks with
 * Adversarial Training", KDD 2018). A user u addresses the key memory M^k (`[H, D]`, trainable):
 * `w = softmax(-||u - M^k_j|| / temperature)`; reads the value memory `s = sum_j w_j M^v_j`;
 * scores an item by the distance `||s - v||` (smaller is better). After each interaction the item
 * writes: `e = sigmoid(v W_e + b_e)`, `a = tanh(v W_a + b_a)`, `M^v_j <- M^v_j (1 - w_j e) + w_j a`.
 *
 * The value memory is host state (shared `[H, D]` or per-user `[numUsers, H, D]`), never
 * differentiated through time. `trainStep` trains user / item rows (sparse), keys and, through the
 * last `write` (a one-write truncated gradient of its batched form), the erase / add projections.
 *
 * @example
 * ```ts
 * const users = new SparseEmbedding({ rows: 100, dim: 16, seed: 1 });
 * const items = new SparseEmbedding({ rows: 50, dim: 16, seed: 2 });
 * const kv = new KeyValueMemory({ users, items, slots: 8, seed: 3 });
 * const loss = kv.trainStep(Int32Array.of(0, 1), Int32Array.of(4, 5), Int32Array.of(7, 9), { margin: 1 });
 * kv.write(Int32Array.of(0, 1), Int32Array.of(4, 5), { mode: 'sequential' });
 * const d = kv.distanceAll(Int32Array.of(0)); // [50] distances, rank ascending
 * kv.dispose();
 * ```
 */
export class KeyValueMemory implements Module {
  readonly users: SparseEmbedding;
  readonly items: SparseEmbedding;
  readonly slots: number;
  readonly dim: number;
  readonly metric: AddressMetric;
  readonly temperature: number;
  readonly valueMemoryKind: 'shared' | 'per-user';
  readonly writeGradient: boolean;
  /** Scores are distances: rank ascending. */
  readonly kind = 'distance' as const;
  /** Key memory M^k, `[H, D]`. */
  readonly keys: tf.Variable;
  /** Erase projection W_e `[D, D]`, b_e `[D]`; add projection W_a `[D, D]`, b_a `[D]`. */
  readonly We: tf.Variable;
  readonly be: tf.Variable;
  readonly Wa: tf.Variable;
  readonly ba: tf.Variable;
  /** The value memory state. */
  readonly memory: ValueMemory;
  private readonly optimizer: tf.Optimizer;
  private readonly ownsOptimizer: boolean;
  private lastWrite: LastWrite | null = null;

  constructor(o: KeyValueMemoryOptions) {
    const { metric, kind, temperature, seed, numUsers, learningRate } = resolveKvOptions(o);
    this.users = o.users;
    this.items = o.items;
    this.slots = o.slots;
    this.dim = o.users.dim;
    this.metric = metric;
    this.temperature = temperature;
    this.valueMemoryKind = kind;
    this.writeGradient = o.writeGradient ?? true;
    const D = this.dim;
    const rng = seededRng(deriveSeed(seed, 'kv-dense'));
    this.keys = denseVariable([o.slots, D], { kind: 'normal', std: 0.1 }, rng);
    this.We = denseVariable([D, D], { kind: 'glorot' }, rng);
    this.be = denseVariable([D], { kind: 'constant', value: 0 }, rng);
    this.Wa = denseVariable([D, D], { kind: 'glorot' }, rng);
    this.ba = denseVariable([D], { kind: 'constant', value: 0 }, rng);
    this.memory = new ValueMemory({ slots: o.slots, dim: D, perUser: kind === 'per-user', count: numUsers, seed: deriveSeed(seed, 'kv-value'), initStd: o.valueInitStd });
    this.ownsOptimizer = o.optimizer == null;
    this.optimizer = o.optimizer ?? tf.train.adam(learningRate);
  }

  /** Soft address `w` (`[b, H]`) of user embeddings `u` (`[b, D]`). */
  address(u: tf.Tensor2D): tf.Tensor2D {
    return kvAddress(u, this.keys as tf.Tensor2D, this.metric, this.temperature);
  }

  /** The current value memory for `users` as a constant tensor: `[H, D]` (shared) or `[b, H, D]`. */
  memoryFor(users: Int32Array): tf.Tensor2D | tf.Tensor3D {
    const H = this.slots;
    const D = this.dim;
    if (!this.memory.perUser) return tf.tensor2d(this.memory.data.subarray(0, H * D), [H, D], 'float32');
    checkIds(`${FN}.memoryFor`, 'users', users, this.memory.count);
    return tf.tensor3d(this.memory.gather(users), [users.length, H, D], 'float32');
  }

  /** Read vectors `s` (`[b, D]`) of `users`; pass `u` to use given embeddings instead of a lookup. */
  read(users: Int32Array, u?: tf.Tensor2D): tf.Tensor2D {
    this.checkUsers(`${FN}.read`, users);
    return tf.tidy(() => kvRead(this.address(u ?? this.users.lookup(users)), this.memoryFor(users)));
  }

  /** Distances `||s_u - v||`: `[b]` when `items` has one id per user, `[b, n]` for n per user. */
  distance(users: Int32Array, items: Int32Array): tf.Tensor {
    this.checkUsers(`${FN}.distance`, users);
    checkIds(`${FN}.distance`, 'items', items, this.items.rows);
    const n = checkPerRow(`${FN}.distance`, 'items', items, users.length, 'n');
    return tf.tidy(() => {
      const s = this.read(users);
      const v = this.items.lookup(items);
      return n === 1 ? kvDistance(s, v) : kvDistance(s, tf.reshape(v, [users.length, n, this.dim]) as tf.Tensor3D);
    });
  }

  /**
   * Read vectors of `users`, row-major `[b * D]`, computed on the host in plain loops (no
   * tensors): the values of {@link KeyValueMemory.read} to float32 rounding, cheaper for small
   * batches. Pass `out` (length >= `b * D`) to reuse a buffer.
   *
   * @example
   * ```ts
   * const s = kv.readHost(Int32Array.of(0, 1)); // [2 * dim]
   * ```
   */
  readHost(users: Int32Array, out?: Float32Array): Float32Array {
    const fn = `${FN}.readHost`;
    this.checkUsers(fn, users);
    return hostReadUsers(this, users, checkOut(fn, out, users.length * this.dim));
  }

  /**
   * Distances `||s_u - v||` as a `Float32Array`, computed on the host (no tensors): `items` holds
   * n ids per user (`[b * n]`, row-major, n >= 1), each user's read vector is computed once and
   * compared with its n items. Equals {@link KeyValueMemory.distance} to float32 rounding (the
   * tests hold it to 1e-5); the fast path for small batches and for scoring many candidates per
   * user (the rank weight's draws). Pass `out` (length >= `b * n`) to reuse a buffer.
   *
   * @example
   * ```ts
   * const d = kv.distanceHost(Int32Array.of(0, 1), Int32Array.of(4, 7, 5, 9)); // [d(0,4), d(0,7), d(1,5), d(1,9)]
   * ```
   */
  distanceHost(users: Int32Array, items: Int32Array, out?: Float32Array): Float32Array {
    const fn = `${FN}.distanceHost`;
    this.checkUsers(fn, users);
    return hostScorer(fn, this, users)(users, items, out);
  }

  /**
   * A host distance scorer for `users`: their read vectors are computed once, now (one per
   * distinct user), and the returned function `(users, items, out?)` gives the distances of
   * {@link KeyValueMemory.distanceHost} for any of those users, in any order and with repeats
   * (e.g. the positives, then every round of the rank weight's draws). A snapshot of the users'
   * reads: make a new one after `trainStep` or `write`.
   *
   * @example
   * ```ts
   * const score = kv.scorerFor(users);
   * const posDist = score(users, positives);
   * const { negatives, weights } = rw.sampleRows(users, positives, posDist, score);
   * ```
   */
  scorerFor(users: Int32Array): HostScorer {
    const fn = `${FN}.scorerFor`;
    this.checkUsers(fn, users);
    return hostScorer(fn, this, users);
  }

  /** Distances of `users` to every item, row-major `[users.length, numItems]`, computed in item chunks. */
  distanceAll(users: Int32Array): Float32Array {
    this.checkUsers(`${FN}.distanceAll`, users);
    const s = this.read(users);
    try {
      return kvDistanceAll(s, this.items.data, this.items.rows, CHUNK_ELEMENTS);
    } finally {
      s.dispose();
    }
  }

  /** Same as {@link KeyValueMemory.distanceAll} (the `Scorer` interface; `kind` is `distance`). */
  scoreAll(users: Int32Array): Float32Array {
    return this.distanceAll(users);
  }

  /** Number of items (the `Scorer` interface). */
  get numItems(): number {
    return this.items.rows;
  }

  /**
   * One training step on `b` events with `n = negatives.length / b` negatives each: computes
   * `d(u, v+)` and `d(u, v-)` against the current memory, the loss (default: weighted hinge
   * `mean(w * max(0, m + d(u, v+) - d(u, v-)))`), and applies gradients to the looked-up user
   * and item rows (their tables' sparse optimizers) and to keys and projections (the dense
   * optimizer). When the layer has written before, the memory read is expressed as
   * `state + (delta(W) - stopGradient(delta(W)))`, where `delta` is the batched form of the last
   * write: its value is the state, its gradient reaches keys, W_e, b_e, W_a, b_a (the rows of
   * that earlier write count as constants). Returns the loss.
   *
   * The default loss runs forward and backward in plain loops on the host (a handful of small
   * tensors cost more than the arithmetic there), the gradient through the last write included
   * (`hostKvGrads`); a custom `loss`, and the write gradient of the shared memory on wasm (where
   * tfjs's batched matMuls are faster, see `preferTensorStep`), run on tfjs (`tensorKvGrads`, the
   * reference). Both compute the same function (the tests hold them together and to finite
   * differences).
   */
  trainStep(users: Int32Array, positives: Int32Array, negatives: Int32Array, options: KvTrainOptions = {}): number {
    const fn = `${FN}.trainStep`;
    this.checkUsers(fn, users);
    const batch = checkTrainBatch(fn, this.items.rows, users, positives, negatives, options);
    const lw = this.writeGradient ? this.lastWrite : null;
    const g = options.loss || preferTensorStep(this, lw) ? tensorKvGrads(this, lw, batch, options) : hostKvGrads(this, batch, lw);
    return applyKvGrads(this, this.optimizer, batch, g);
  }

  /**
   * Writes the events `(users[t], items[t])` into the value memory (no gradient). `sequential`
   * (default) is exact in event order; `batched` computes every write against the memory before
   * the batch and sums the changes (equal at batch size 1; see the README for the gap).
   */
  write(users: Int32Array, items: Int32Array, options: { mode?: 'sequential' | 'batched' } = {}): void {
    const fn = `${FN}.write`;
    this.checkUsers(fn, users);
    checkIds(fn, 'items', items, this.items.rows);
    if (items.length !== users.length) throw new Error(`${fn}: items must have length users.length (${users.length}), got ${items.length}`);
    const mode = options.mode ?? 'sequential';
    if (mode !== 'sequential' && mode !== 'batched') throw new Error(`${fn}: mode must be 'sequential' or 'batched', got ${show(mode)}`);
    const b = users.length;
    const D = this.dim;
    const uRows = this.users.gather(users);
    const vRows = this.items.gather(items);
    // address on the host (b x H distances); erase / add as two small matMuls (tensors pay off there)
    const w = hostAddress(uRows, b, this.keys.dataSync() as Float32Array, this.slots, D, this.metric, this.temperature, new Float32Array(b * this.slots));
    const [e, a] = tf.tidy(() => kvEraseAdd(tf.tensor2d(vRows, [b, D], 'float32'), this.We as tf.Tensor2D, this.be as tf.Tensor1D, this.Wa as tf.Tensor2D, this.ba as tf.Tensor1D)).map((t) => {
      const d = t.dataSync() as Float32Array;
      t.dispose();
      return d;
    });
    const ids = this.memory.memIds(users);
    if (this.writeGradient) this.lastWrite = recordWrite(this.memory, ids, uRows, vRows, this.dim);
    if (mode === 'sequential') this.memory.writeSequential(ids, w, e, a);
    else this.memory.writeBatched(ids, w, e, a);
  }

  /** Grows the per-user value memory to `numUsers` (grow the `users` table first); no-op when shared. */
  grow(numUsers: number): void {
    assertInt(`${FN}.grow`, 'numUsers', numUsers, 0);
    if (this.memory.perUser) this.memory.grow(numUsers);
  }

  /** Every value memory back to its initial template; forgets the last write. */
  reset(): void {
    this.memory.reset();
    this.lastWrite = null;
  }

  /** Keys, projections and value memory as bytes (embedding tables are saved by their owner). */
  stateToBytes(): Uint8Array {
    const m = this.memory;
    const header = { slots: this.slots, dim: this.dim, valueMemory: this.valueMemoryKind, count: m.count };
    const dense = [this.keys, this.We, this.be, this.Wa, this.ba].map((v) => v.dataSync() as Float32Array);
    return packState('MRKV', header, [...dense, m.template, m.data.subarray(0, m.count * m.size)]);
  }

  /** Restores {@link KeyValueMemory.stateToBytes} into this layer (same slots, dim and memory kind). */
  stateFromBytes(bytes: Uint8Array): void {
    const fn = `${FN}.stateFromBytes`;
    const { header, blocks } = unpackState('MRKV', bytes, fn);
    for (const [k, want] of [['slots', this.slots], ['dim', this.dim], ['valueMemory', this.valueMemoryKind]] as const) {
      if (header[k] !== want) throw new Error(`${fn}: ${k} must be ${show(want)} (this layer), got ${show(header[k])}`);
    }
    const vars = [this.keys, this.We, this.be, this.Wa, this.ba];
    const names = ['keys', 'We', 'be', 'Wa', 'ba'];
    vars.forEach((v, k) => assignFloats(v, blocks[k], fn, names[k]));
    const m = this.memory;
    m.template.set(blocks[5]);
    m.restore(header.count as number, blocks[6]);
    this.lastWrite = null;
  }

  /** Frees the variables (and the default optimizer). The embedding tables belong to the caller. */
  dispose(): void {
    tf.dispose([this.keys, this.We, this.be, this.Wa, this.ba]);
    if (this.ownsOptimizer) this.optimizer.dispose();
    this.lastWrite = null;
  }

  private checkUsers(fn: string, users: Int32Array): void {
    checkIds(fn, 'users', users, this.memory.perUser ? Math.min(this.users.rows, this.memory.count) : this.users.rows);
  }
}
