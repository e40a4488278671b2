import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, seededRng, SparseEmbedding, stateKind, type Interactions, type StateBlock } from '@memrec/core';
import { bprLoss } from '@memrec/losses';
import { FifoItemMemory, fifoRead, gatedRead, kvEraseAdd, ValueMemory } from '@memrec/memory';
import { uniformSampler, type NegativeSampler } from '@memrec/samplers';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { bytesBlock, typedBlock } from './state';
import { orderedBatches, trainLoop, type TrainLoopOptions } from './train-loop';

/** Options of {@link Rum}. */
export interface RumOptions extends TrainingOptions {
  /** `item`: the user's last K items, read by attention with the target item; `feature`: K latent feature slots with erase/add writes. */
  memory: 'item' | 'feature';
  /** Embedding size D of users and items. */
  dim: number;
  /** K: items kept (`item`) or feature slots (`feature`). */
  slots: number;
  /** Merge weight alpha: the user's vector is `p_u + alpha * read`. */
  alpha: number;
  /** Uniform negatives per positive (BPR). */
  negatives: number;
  /** Learning rate (lazy Adam on the tables, Adam on the feature keys). */
  learningRate: number;
}

/** Rules and defaults of {@link RumOptions}. */
export const RUM_OPTIONS: OptionSpec<RumOptions> = {
  memory: { rule: { type: 'enum', values: ['item', 'feature'] }, default: 'item', doc: 'item-level (last K items) or feature-level (K latent features) memory' },
  dim: { rule: { type: 'int', min: 1 }, default: 64, doc: 'embedding size' },
  slots: { rule: { type: 'int', min: 1 }, default: 5, doc: 'K: items kept (item) or feature slots (feature)' },
  alpha: { rule: { type: 'number', min: 0 }, default: 0.2, doc: 'merge weight of the memory read' },
  negatives: { rule: { type: 'int', min: 1 }, default: 4, doc: 'uniform negatives per positive' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.005, doc: 'learning rate' },
  epochs: { rule: TRAINING_RULES.epochs, default: 5, doc: 'passes over the training stream (the memory replays it from the start each time)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 256, doc: 'events per mini-batch (memory writes per batch)' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation and negatives' },
};

/** The defaults of {@link Rum}. */
export const RUM_DEFAULTS: RumOptions = defaultsOf(RUM_OPTIONS);

/**
 * RUM (Chen et al., "Sequential Recommendation with User Memory Networks", WSDM 2018): a user
 * memory merged with the user embedding, `p_u' = p_u + alpha * read`, score `p_u' . q_i`.
 * - `memory: 'item'` (RUM-I, bench name `rum-item`): the user's last K items (`FifoItemMemory`),
 *   read by attention with the target item, `w_k = softmax(q_i . m_k)`.
 * - `memory: 'feature'` (RUM-F, `rum-feature`): K latent feature slots per user with trainable
 *   keys; the target reads them by `w_j = softmax(q_i . k_j)`; each event writes NMRN-style,
 *   `v_j <- v_j (1 - w_j e) + w_j a`, `e = sigmoid(q_i W_e + b_e)`, `a = tanh(q_i W_a + b_a)`.
 * Choices where the paper leaves room, or memrec simplifies: BPR with uniform negatives (the paper
 * uses a sigmoid cross-entropy), time-ordered mini-batches (train on a batch with the memory as it
 * was, then write it), the memories are state (no gradient through time), and RUM-F's erase / add
 * projections stay at their seeded initialisation (the keys, user and item rows learn).
 * `observe` runs the same step over new blocks in time order.
 *
 * @example
 * ```ts
 * import { Rum } from '@memrec/models';
 * const rum = new Rum({ memory: 'item', slots: 5 });
 * await rum.fit(train, { seed: 1 });
 * await rum.observe(block);
 * rum.recommend(0, 10);
 * ```
 */
export class Rum extends BaseRecommender<RumOptions> {
  readonly kind = 'score' as const;
  readonly observeMode = 'incremental' as const;
  users!: SparseEmbedding;
  items!: SparseEmbedding;
  fifo: FifoItemMemory | null = null;
  features: ValueMemory | null = null;
  /** Feature keys `[K, D]`, erase / add projections (feature memory only). */
  dense: tf.Variable[] = [];
  private sampler!: NegativeSampler;
  private optimizer: tf.Optimizer | null = null;

  constructor(options: Partial<RumOptions> = {}) {
    super('Rum', RUM_OPTIONS, options);
  }

  get name(): string {
    return `rum-${this.config.memory}`;
  }

  private init(users: SparseEmbedding, items: SparseEmbedding, seed: number): void {
    const c = this.config;
    this.users = users;
    this.items = items;
    this.sampler = uniformSampler({ seen: this.seen, seed: deriveSeed(seed, 'rum-negatives') });
    if (c.memory === 'item') {
      this.fifo = new FifoItemMemory({ items, capacity: c.slots, count: users.rows });
      return;
    }
    const D = c.dim;
    const rng = seededRng(deriveSeed(seed, 'rum-feature'));
    const normal = (shape: number[], std: number) => {
      const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng() * 2 - 1) * std * Math.sqrt(3));
      const t = tf.tensor(data, shape, 'float32');
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    const zeros = () => {
      const t = tf.zeros([D]);
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    const glorot = Math.sqrt(2 / (D + D));
    this.dense = [normal([c.slots, D], 0.1), normal([D, D], glorot), zeros(), normal([D, D], glorot), zeros()];
    this.features = new ValueMemory({ slots: c.slots, dim: D, perUser: true, count: users.rows, seed: deriveSeed(seed, 'rum-values'), initStd: 0 });
    this.optimizer = tf.train.adam(c.learningRate);
  }

  /** One BPR step on a time-ordered batch against the memory as it is, then the batch's writes. */
  private step(batchUsers: Int32Array, batchPos: Int32Array): number {
    const { users: us, items: pos } = this.trainableRows(batchUsers, batchPos);
    let loss = 0;
    if (us.length > 0) loss = this.trainStep(us, pos);
    this.write(batchUsers, batchPos);
    return loss;
  }

  private trainStep(us: Int32Array, pos: Int32Array): number {
    const c = this.config;
    const b = us.length;
    const n = c.negatives;
    const D = c.dim;
    const neg = this.sampler.sample(us, pos, n);
    const T = b * (1 + n);
    const owners = new Int32Array(T);
    const targets = new Int32Array(T);
    owners.set(us);
    targets.set(pos);
    for (let k = 0; k < b * n; k++) {
      owners[b + k] = us[Math.floor(k / n)];
      targets[b + k] = neg[k];
    }
    const P = this.users.lookup(owners);
    const Q = this.items.lookup(targets);
    const score = (pp: tf.Tensor, qq: tf.Tensor, read: tf.Tensor) => {
      const y = tf.sum(tf.mul(tf.add(pp, tf.mul(read, c.alpha)), qq), 1);
      return bprLoss(tf.slice(y, [0], [b]), tf.reshape(tf.slice(y, [b], [b * n]), [b, n])) as tf.Scalar;
    };
    if (this.fifo) {
      const win = this.fifo.window(owners);
      const S = tf.tensor2d(this.items.gather(win.ids), [T * c.slots, D], 'float32');
      const mask = tf.tensor2d(win.mask, [T, c.slots], 'float32');
      const f = (pp: tf.Tensor, qq: tf.Tensor, ss: tf.Tensor) => tf.tidy(() => score(pp, qq, fifoRead(qq as tf.Tensor2D, tf.reshape(ss, [T, c.slots, D]) as tf.Tensor3D, mask as tf.Tensor2D)));
      const { value, grads } = tf.valueAndGrads(f)([P, Q, S]);
      const slots = FifoItemMemory.compactGradient(win, grads[2].dataSync() as Float32Array, D);
      this.users.applyGradients(owners, grads[0]);
      const ids = new Int32Array(T + slots.ids.length);
      ids.set(targets);
      ids.set(slots.ids, T);
      const g = new Float32Array(ids.length * D);
      g.set(grads[1].dataSync() as Float32Array);
      g.set(slots.grad, T * D);
      this.items.applyGradients(ids, g);
      const l = value.dataSync()[0];
      tf.dispose([P, Q, S, mask, value, ...grads]);
      return l;
    }
    const mem = this.features as ValueMemory;
    const V = tf.tensor3d(mem.gather(owners), [T, c.slots, D], 'float32');
    const keys = this.dense[0];
    const f = (pp: tf.Tensor, qq: tf.Tensor, kk: tf.Tensor) => tf.tidy(() => score(pp, qq, gatedRead(qq as tf.Tensor2D, kk as tf.Tensor2D, V)));
    const { value, grads } = tf.valueAndGrads(f)([P, Q, keys]);
    this.users.applyGradients(owners, grads[0]);
    this.items.applyGradients(targets, grads[1]);
    (this.optimizer as tf.Optimizer).applyGradients({ [keys.name]: grads[2] });
    const l = value.dataSync()[0];
    tf.dispose([P, Q, V, value, ...grads]);
    return l;
  }

  /** The events enter the memories in event order. */
  private write(users: Int32Array, items: Int32Array): void {
    if (this.fifo) {
      this.fifo.push(users, items);
      return;
    }
    const c = this.config;
    const D = c.dim;
    const b = users.length;
    const q = this.items.gather(items);
    const w = this.featureAddress(q, b);
    const [We, be, Wa, ba] = this.dense.slice(1) as unknown as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    const [e, a] = tf.tidy(() => kvEraseAdd(tf.tensor2d(q, [b, D], 'float32'), We, be, Wa, ba)).map((t) => {
      const d = t.dataSync() as Float32Array;
      t.dispose();
      return d;
    });
    (this.features as ValueMemory).writeSequential(users, w, e, a);
  }

  /** `softmax(q_i . k_j)` over the feature slots for item vectors `q` (`[b * D]`), `[b * K]`. */
  private featureAddress(q: Float32Array, b: number): Float32Array {
    const { slots: K, dim: D } = this.config;
    const keys = this.dense[0].dataSync() as Float32Array;
    const w = new Float32Array(b * K);
    for (let t = 0; t < b; t++) {
      let mx = -Infinity;
      for (let j = 0; j < K; j++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += q[t * D + d] * keys[j * D + d];
        w[t * K + j] = s;
        if (s > mx) mx = s;
      }
      let z = 0;
      for (let j = 0; j < K; j++) z += w[t * K + j] = Math.exp(w[t * K + j] - mx);
      for (let j = 0; j < K; j++) w[t * K + j] /= z;
    }
    return w;
  }

  /** Read vectors of `user` for every item as the target, `[N * D]` (host). */
  private readsOf(user: number): Float32Array {
    const { slots: K, dim: D } = this.config;
    const N = this.items.rows;
    const Q = this.items.data.subarray(0, N * D);
    if (this.fifo) return this.fifo.readHost(user, Q);
    const w = this.featureAddress(Q, N);
    const V = (this.features as ValueMemory).gather(Int32Array.of(user));
    const out = new Float32Array(N * D);
    for (let i = 0; i < N; i++) for (let j = 0; j < K; j++) {
      const wj = w[i * K + j];
      for (let d = 0; d < D; d++) out[i * D + d] += wj * V[j * D + d];
    }
    return out;
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const opt = { kind: 'adam' as const, learningRate: this.config.learningRate };
    const users = new SparseEmbedding({ rows: train.numUsers, dim: this.config.dim, optimizer: opt, seed: deriveSeed(run.seed, 'rum-users') });
    const items = new SparseEmbedding({ rows: train.numItems, dim: this.config.dim, optimizer: opt, seed: deriveSeed(run.seed, 'rum-items') });
    this.init(users, items, run.seed);
    await trainLoop(train, run, {
      epochs: run.epochs,
      order: 'time',
      phase: () => 'train',
      beforeEpoch: () => {
        this.fifo?.reset();
        this.features?.reset();
      },
      step: (u, i) => this.step(u, i),
    });
  }

  protected async observeModel(events: Interactions): Promise<void> {
    for (const b of orderedBatches(events, this.batchSize)) this.step(b.users, b.items);
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.users.grow(numUsers);
    this.items.grow(numItems);
    this.fifo?.grow(numUsers);
    this.features?.grow(numUsers);
  }

  protected scoreAllModel(users: Int32Array, out?: Float32Array): Float32Array {
    const N = this.items.rows;
    const D = this.config.dim;
    const res = out ?? new Float32Array(users.length * N);
    const Q = this.items.data;
    users.forEach((u, r) => {
      const reads = this.readsOf(u);
      const p = this.users.row(u);
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += (p[d] + this.config.alpha * reads[i * D + d]) * Q[i * D + d];
        res[r * N + i] = s;
      }
    });
    return res;
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    return this.scoreFromRows(users, items);
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    const blocks: Record<string, StateBlock> = { users: this.users.toBytes(), items: this.items.toBytes() };
    if (this.fifo) blocks.fifo = this.fifo.stateToBytes();
    if (this.features) {
      this.dense.forEach((v, k) => (blocks[`dense${k}`] = v.dataSync() as Float32Array));
      blocks.features = this.features.data.subarray(0, this.features.count * this.features.size);
    }
    return { header: {}, blocks };
  }

  protected release(): void {
    tf.dispose(this.dense);
    this.dense = [];
    this.optimizer?.dispose();
    this.optimizer = null;
    this.fifo = null;
    this.features = null;
  }

  /**
   * Restores a RUM saved by `toBytes` (either memory): tables, memories and feature weights.
   *
   * @example
   * ```ts
   * const again = Rum.fromBytes(rum.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Rum {
    const fn = 'Rum.fromBytes';
    const name = stateKind(bytes, fn).replace(/^model:/, '');
    if (name !== 'rum-item' && name !== 'rum-feature') throw new Error(`${fn}: bytes must hold a saved rum-item or rum-feature model, got kind ${JSON.stringify(stateKind(bytes, fn))}`);
    const c = BaseRecommender.decodeModel(bytes, name, fn);
    const m = new Rum(c.config as Partial<RumOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    m.init(SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'users', fn)), SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'items', fn)), m.seed);
    if (m.fifo) {
      m.fifo.grow(m.numUsers);
      m.fifo.stateFromBytes(bytesBlock(c.blocks, 'fifo', fn));
    } else {
      m.dense.forEach((v, k) => tf.tidy(() => v.assign(tf.tensor(typedBlock(c.blocks, `dense${k}`, Float32Array, fn, v.size), v.shape, 'float32'))));
      (m.features as ValueMemory).restore(m.numUsers, typedBlock(c.blocks, 'features', Float32Array, fn, m.numUsers * m.config.slots * m.config.dim));
    }
    return m;
  }
}
