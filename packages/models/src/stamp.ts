import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, matMul2d, seededRng, SparseEmbedding, type Interactions, type Rng, type StateBlock } from '@memrec/core';
import { FifoItemMemory, type FifoWindow } from '@memrec/memory';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { bytesBlock, typedBlock } from './state';
import { orderedBatches, tick, type TrainLoopOptions } from './train-loop';

/** Options of {@link Stamp}. */
export interface StampOptions extends TrainingOptions {
  /** Embedding size D. */
  dim: number;
  /** The session: the user's last `sessionLength` items (the data has no session ids). */
  sessionLength: number;
  /** Uniform negatives per mini-batch, shared by its rows, besides the other rows' targets (cross-entropy). */
  negatives: number;
  /** Learning rate (lazy Adam on the item rows, Adam on the dense weights). */
  learningRate: number;
}

/** Rules and defaults of {@link StampOptions}. */
export const STAMP_OPTIONS: OptionSpec<StampOptions> = {
  dim: { rule: { type: 'int', min: 1 }, default: 64, doc: 'embedding size' },
  sessionLength: { rule: { type: 'int', min: 1 }, default: 10, doc: "the user's last items that form the session" },
  negatives: { rule: { type: 'int', min: 0 }, default: 64, doc: 'uniform negatives per mini-batch, shared by its rows' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.005, doc: 'learning rate' },
  epochs: { rule: TRAINING_RULES.epochs, default: 5, doc: 'passes over the training stream (the sessions replay from the start each time)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 256, doc: 'events per mini-batch' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation and negatives' },
};

/** The defaults of {@link Stamp}. */
export const STAMP_DEFAULTS: StampOptions = defaultsOf(STAMP_OPTIONS);

const DENSE = ['W1', 'W2', 'W3', 'ba', 'w0', 'Ws', 'bs', 'Wt', 'bt'] as const;

/**
 * STAMP (Liu et al., "STAMP: Short-Term Attention/Memory Priority Model for Session-based
 * Recommendation", KDD 2018). The session memory is the user's last `sessionLength` items
 * (`FifoItemMemory`), `x_1..x_t` with `x_t` the last click and `m_s` their mean;
 * attention `alpha_i = w_0 . sigmoid(x_i W_1 + x_t W_2 + m_s W_3 + b_a)`, `m_a = sum_i alpha_i x_i`;
 * general and current interest `h_s = tanh(m_a W_s + b_s)`, `h_t = tanh(x_t W_t + b_t)`; the
 * trilinear score of item i is `<h_s, h_t, x_i> = (h_s * h_t) . x_i`, so one user's scores over
 * the catalogue are one product. Choices: sessions are a sliding window (no session ids),
 * cross-entropy over the batch's other targets plus `negatives` uniform items instead of the full
 * softmax, time-ordered batches in which each event is predicted from the window just before it
 * (its user's earlier events of the batch included), then enters it. A user without history scores every item 0.
 * `observe` runs the same step over new blocks.
 *
 * @example
 * ```ts
 * import { Stamp } from '@memrec/models';
 * const stamp = new Stamp({ sessionLength: 10 });
 * await stamp.fit(train, { seed: 1 });
 * await stamp.observe(block);
 * stamp.recommend(0, 10);
 * ```
 */
export class Stamp extends BaseRecommender<StampOptions> {
  readonly name = 'stamp';
  readonly kind = 'score' as const;
  readonly observeMode = 'incremental' as const;
  items!: SparseEmbedding;
  fifo!: FifoItemMemory;
  dense: tf.Variable[] = [];
  private optimizer: tf.Optimizer | null = null;
  private rng!: Rng;

  constructor(options: Partial<StampOptions> = {}) {
    super('Stamp', STAMP_OPTIONS, options);
  }

  private init(numUsers: number, items: SparseEmbedding, seed: number): void {
    const { dim: D, sessionLength, learningRate } = this.config;
    this.items = items;
    this.fifo = new FifoItemMemory({ items, capacity: sessionLength, count: numUsers });
    const rng = seededRng(deriveSeed(seed, 'stamp-dense'));
    const make = (shape: number[], scale: number) => {
      const t = tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng() * 2 - 1) * scale), shape, 'float32');
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    const g = Math.sqrt(6 / (2 * D));
    this.dense = [make([D, D], g), make([D, D], g), make([D, D], g), make([D], 0), make([D], Math.sqrt(3 / D)), make([D, D], g), make([D], 0), make([D, D], g), make([D], 0)];
    this.optimizer = tf.train.adam(learningRate);
    this.rng = seededRng(deriveSeed(seed, `stamp-negatives-${this.seen.version}`));
  }

  /** `h_s * h_t` (`[b, D]`) from window rows `X` (`[b * L, D]`) with `mask` (`[b, L]`, newest first). */
  private query(X: tf.Tensor, mask: tf.Tensor, b: number, w: tf.Tensor[]): tf.Tensor2D {
    const { dim: D, sessionLength: L } = this.config;
    const [W1, W2, W3, ba, w0, Ws, bs, Wt, bt] = w as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    const x3 = tf.reshape(X, [b, L, D]);
    const m3 = tf.reshape(mask, [b, L, 1]);
    const xt = tf.reshape(tf.slice(x3, [0, 0, 0], [b, 1, D]), [b, D]) as tf.Tensor2D;
    const ms = tf.div(tf.sum(tf.mul(x3, m3), 1), tf.maximum(tf.sum(m3, 1), 1)) as tf.Tensor2D;
    const ctx = tf.add(tf.add(matMul2d(xt, W2), matMul2d(ms, W3)), ba); // [b, D]
    const pre = tf.add(tf.reshape(matMul2d(X as tf.Tensor2D, W1), [b, L, D]), tf.reshape(ctx, [b, 1, D]));
    const alpha = tf.mul(tf.reshape(matMul2d(tf.reshape(tf.sigmoid(pre), [b * L, D]) as tf.Tensor2D, tf.reshape(w0, [D, 1]) as tf.Tensor2D), [b, L, 1]), m3);
    const ma = tf.sum(tf.mul(alpha, x3), 1) as tf.Tensor2D;
    const hs = tf.tanh(tf.add(matMul2d(ma, Ws), bs));
    const ht = tf.tanh(tf.add(matMul2d(xt, Wt), bt));
    return tf.mul(hs, ht) as tf.Tensor2D;
  }

  /**
   * Each event's window: its user's earlier events of this batch (newest first), then the user's
   * memory, at most `sessionLength` items; so a batch is exactly the events one after another.
   */
  private windowsOf(users: Int32Array, items: Int32Array): FifoWindow {
    const L = this.config.sessionLength;
    const b = users.length;
    const base = this.fifo.window(users);
    const win: FifoWindow = { ids: new Int32Array(b * L), mask: new Float32Array(b * L), lengths: new Int32Array(b) };
    const earlier = new Map<number, number[]>();
    for (let k = 0; k < b; k++) {
      const e = earlier.get(users[k]) ?? [];
      let n = 0;
      for (let j = e.length - 1; j >= 0 && n < L; j--) win.ids[k * L + n++] = e[j];
      for (let j = 0; j < base.lengths[k] && n < L; j++) win.ids[k * L + n++] = base.ids[k * L + j];
      win.mask.fill(1, k * L, k * L + n);
      win.lengths[k] = n;
      e.push(items[k]);
      earlier.set(users[k], e);
    }
    return win;
  }

  /** One cross-entropy step on the events that have a window, then every event enters its user's window. */
  private step(users: Int32Array, targets: Int32Array): number {
    const L = this.config.sessionLength;
    const all = this.windowsOf(users, targets);
    const keep: number[] = [];
    for (let k = 0; k < users.length; k++) if (all.lengths[k] > 0) keep.push(k);
    let loss = 0;
    if (keep.length > 0) {
      const win: FifoWindow = { ids: new Int32Array(keep.length * L), mask: new Float32Array(keep.length * L), lengths: Int32Array.from(keep, (k) => all.lengths[k]) };
      keep.forEach((k, r) => {
        win.ids.set(all.ids.subarray(k * L, (k + 1) * L), r * L);
        win.mask.set(all.mask.subarray(k * L, (k + 1) * L), r * L);
      });
      loss = this.trainRows(win, Int32Array.from(keep, (k) => targets[k]));
    }
    this.fifo.push(users, targets);
    return loss;
  }

  private trainRows(win: FifoWindow, targets: Int32Array): number {
    const { dim: D, sessionLength: L, negatives: n } = this.config;
    const b = targets.length;
    const N = this.items.rows;
    const cand = new Int32Array(b + n);
    cand.set(targets);
    for (let k = 0; k < n; k++) cand[b + k] = Math.floor(this.rng() * N);
    const C = b + n;
    const useMask = new Float32Array(b * C);
    const posMask = new Float32Array(b * C);
    for (let r = 0; r < b; r++) {
      posMask[r * C + r] = 1;
      for (let c = 0; c < C; c++) useMask[r * C + c] = c === r || cand[c] !== targets[r] ? 1 : 0;
    }
    const X = tf.tensor2d(this.items.gather(win.ids), [b * L, D], 'float32');
    const O = this.items.lookup(cand);
    const mask = tf.tensor2d(win.mask, [b, L], 'float32');
    const um = tf.tensor2d(useMask, [b, C], 'float32');
    const pm = tf.tensor2d(posMask, [b, C], 'float32');
    const f = (...ins: tf.Tensor[]): tf.Scalar =>
      tf.tidy(() => {
        const q = this.query(ins[0], mask, b, ins.slice(2));
        const S = matMul2d(q, ins[1] as tf.Tensor2D, false, true);
        const masked = tf.add(tf.mul(S, um), tf.mul(tf.sub(um, 1), 1e9));
        return tf.mean(tf.sub(tf.logSumExp(masked, 1, true), tf.sum(tf.mul(S, pm), 1, true))) as tf.Scalar;
      });
    const { value, grads } = tf.valueAndGrads(f)([X, O, ...this.dense]);
    const slots = FifoItemMemory.compactGradient(win, grads[0].dataSync() as Float32Array, D);
    const ids = new Int32Array(slots.ids.length + C);
    ids.set(slots.ids);
    ids.set(cand, slots.ids.length);
    const g = new Float32Array(ids.length * D);
    g.set(slots.grad);
    g.set(grads[1].dataSync() as Float32Array, slots.ids.length * D);
    this.items.applyGradients(ids, g);
    (this.optimizer as tf.Optimizer).applyGradients(Object.fromEntries(this.dense.map((v, k) => [v.name, grads[k + 2]])));
    const loss = value.dataSync()[0];
    tf.dispose([X, O, mask, um, pm, value, ...grads]);
    return loss;
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const items = new SparseEmbedding({ rows: train.numItems, dim: this.config.dim, optimizer: { kind: 'adam', learningRate: this.config.learningRate }, init: { kind: 'normal', std: 0.05 }, seed: deriveSeed(run.seed, 'stamp-items') });
    this.init(train.numUsers, items, run.seed);
    const total = run.epochs * train.users.length;
    let done = 0;
    for (let e = 0; e < run.epochs; e++) {
      this.fifo.reset();
      let lossSum = 0;
      for (const batch of orderedBatches(train, run.batchSize)) {
        const loss = this.step(batch.users, batch.items);
        done += batch.users.length;
        lossSum += loss * batch.users.length;
        run.onLoss?.(done, loss);
        run.onProgress?.({ phase: 'train', done, total, loss });
        await tick();
      }
      if (run.onEpochEnd && (await run.onEpochEnd({ epoch: e, loss: lossSum / Math.max(1, train.users.length) })) === true) return;
    }
  }

  protected async observeModel(events: Interactions): Promise<void> {
    for (const batch of orderedBatches(events, this.batchSize)) {
      this.step(batch.users, batch.items);
      await tick();
    }
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.items.grow(numItems);
    this.fifo.grow(numUsers);
  }

  /** The users' queries `h_s * h_t`, `[b * D]` (zeros for a user without history). */
  private queries(users: Int32Array): Float32Array {
    const { dim: D, sessionLength: L } = this.config;
    const win = this.fifo.window(users);
    const q = tf.tidy(() => this.query(tf.tensor2d(this.items.gather(win.ids), [users.length * L, D], 'float32'), tf.tensor2d(win.mask, [users.length, L], 'float32'), users.length, this.dense));
    const out = Float32Array.from(q.dataSync() as Float32Array);
    q.dispose();
    for (let r = 0; r < users.length; r++) if (win.lengths[r] === 0) out.fill(0, r * D, (r + 1) * D);
    return out;
  }

  protected scoreAllModel(users: Int32Array, out?: Float32Array): Float32Array {
    const q = this.queries(users);
    const s = tf.tidy(() => matMul2d(tf.tensor2d(q, [users.length, this.config.dim], 'float32'), this.items.toTensor(), false, true));
    try {
      const v = s.dataSync() as Float32Array;
      if (!out) return Float32Array.from(v);
      out.set(v);
      return out;
    } finally {
      s.dispose();
    }
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    const D = this.config.dim;
    const q = this.queries(users);
    const X = this.items.data;
    return Float32Array.from(users, (_, k) => {
      let s = 0;
      for (let d = 0; d < D; d++) s += q[k * D + d] * X[items[k] * D + d];
      return s;
    });
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    const blocks: Record<string, StateBlock> = { items: this.items.toBytes(), fifo: this.fifo.stateToBytes() };
    this.dense.forEach((v, k) => (blocks[DENSE[k]] = v.dataSync() as Float32Array));
    return { header: {}, blocks };
  }

  protected release(): void {
    tf.dispose(this.dense);
    this.dense = [];
    this.optimizer?.dispose();
    this.optimizer = null;
  }

  /**
   * Restores a STAMP saved by `toBytes`: item table, every user's window and the dense weights.
   *
   * @example
   * ```ts
   * const again = Stamp.fromBytes(stamp.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Stamp {
    const fn = 'Stamp.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'stamp', fn);
    const m = new Stamp(c.config as Partial<StampOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    m.init(m.numUsers, SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'items', fn)), m.seed);
    m.fifo.stateFromBytes(bytesBlock(c.blocks, 'fifo', fn));
    m.dense.forEach((v, k) => tf.tidy(() => v.assign(tf.tensor(typedBlock(c.blocks, DENSE[k], Float32Array, fn, v.size), v.shape, 'float32'))));
    return m;
  }
}
