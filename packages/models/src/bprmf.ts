import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, matMul2d, readInto, seededRng, SparseEmbedding, type Interactions, type Rng, type StateBlock, type UserItemSet } from '@memrec/core';
import { bprLoss } from '@memrec/losses';
import { uniformSampler, type NegativeSampler } from '@memrec/samplers';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { bytesBlock } from './state';
import { orderedBatches, tick, trainLoop, type TrainLoopOptions } from './train-loop';

/** Options of {@link BprMf}. */
export interface BprMfOptions extends TrainingOptions {
  /** Embedding size of users and items. */
  dim: number;
  /**
   * `'adam'`: mini-batches, tfjs gradients, lazy Adam on the rows a batch touches.
   * `'sgd'`: Rendle's LearnBPR on the host: one plain SGD step per (user, positive, negative)
   * triple, positives drawn uniformly with replacement, L2 on the touched rows.
   */
  solver: 'adam' | 'sgd';
  /** Learning rate (Adam's step size, or the SGD step). */
  learningRate: number;
  /** L2 penalty on the rows each step touches. */
  l2: number;
  /** Negatives per positive. */
  negatives: number;
  /** Initial embeddings: `'xavier'` (uniform, scale sqrt(3 / dim)) or `'normal'` with `initStd`. */
  init: 'xavier' | 'normal';
  /** Standard deviation of the `'normal'` initialisation. */
  initStd: number;
  /** Passes over each streamed block in `observe`; 0 keeps the model static. */
  observeEpochs: number;
}

/** Rules and defaults of {@link BprMfOptions}. */
export const BPRMF_OPTIONS: OptionSpec<BprMfOptions> = {
  dim: { rule: { type: 'int', min: 1 }, default: 128, doc: 'embedding size' },
  solver: { rule: { type: 'enum', values: ['adam', 'sgd'] }, default: 'sgd', doc: 'adam: mini-batch lazy Adam (tfjs); sgd: per-triple SGD on the host (LearnBPR)' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.01, doc: 'learning rate' },
  l2: { rule: { type: 'number', min: 0 }, default: 0.002, doc: 'L2 penalty on touched rows' },
  negatives: { rule: { type: 'int', min: 1 }, default: 1, doc: 'uniform negatives per positive' },
  init: { rule: { type: 'enum', values: ['xavier', 'normal'] }, default: 'normal', doc: 'initial embeddings: xavier or normal(0, initStd)' },
  initStd: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.01, doc: 'std of the normal initialisation' },
  observeEpochs: { rule: { type: 'int', min: 0 }, default: 0, doc: 'passes over each streamed block (0 = static)' },
  epochs: { rule: TRAINING_RULES.epochs, default: 100, doc: 'passes over the training set' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 1024, doc: 'events per mini-batch' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation, shuffles and negatives' },
};

/**
 * The defaults of {@link BprMf}: LearnBPR (per-triple SGD), dim 128, learning rate 0.01, L2 0.002,
 * normal(0, 0.01) initialisation, 100 epochs. On MovieLens-100K with the per-user stratified
 * 75/25 split (top-10 over unseen items) they reach nDCG@10 0.439 (seed 1; Cornac's BPR: 0.442),
 * where mini-batch lazy Adam (dim 64, L2 1e-5, 10 epochs) reached 0.379.
 */
export const BPRMF_DEFAULTS: BprMfOptions = defaultsOf(BPRMF_OPTIONS);

/**
 * BPR-MF (Rendle et al., UAI 2009): score(u, i) = p_u . q_i, trained with the BPR loss on
 * uniformly sampled negatives; embeddings in SparseEmbedding tables with lazy Adam.
 * Static by default (`observe` records the new events as seen, and the base class's neutral
 * treatment ranks never-trained users by popularity and never-trained items last); with
 * `observeEpochs > 0` it takes incremental steps on each new block. Another negative sampler
 * (e.g. the adversarial one) can be passed as the second argument.
 *
 * @example
 * ```ts
 * import { BprMf } from '@memrec/models';
 * const mf = new BprMf({ dim: 32, epochs: 5 });
 * await mf.fit(train, { seed: 1 });
 * mf.recommend(0, 10); // { items, scores }
 * ```
 */
export class BprMf extends BaseRecommender<BprMfOptions> {
  readonly name = 'bprmf';
  readonly kind = 'score' as const;
  users!: SparseEmbedding;
  items!: SparseEmbedding;
  private sampler!: NegativeSampler;
  private readonly makeSampler?: (seen: UserItemSet, seed: number) => NegativeSampler;

  constructor(options: Partial<BprMfOptions> = {}, makeSampler?: (seen: UserItemSet, seed: number) => NegativeSampler) {
    super('BprMf', BPRMF_OPTIONS, options);
    this.makeSampler = makeSampler;
  }

  get observeMode(): 'incremental' | 'ignored' {
    return this.config.observeEpochs > 0 ? 'incremental' : 'ignored';
  }

  /** One BPR step on (users, positives); returns the batch loss. */
  step(batchUsers: Int32Array, batchPos: Int32Array): number {
    const { users, items: pos } = this.trainableRows(batchUsers, batchPos);
    if (users.length === 0) return 0;
    const n = this.config.negatives;
    const dim = this.config.dim;
    const neg = this.sampler.sample(users, pos, n);
    const u = this.users.lookup(users);
    const p = this.items.lookup(pos);
    const q = this.items.lookup(neg);
    const lossFn = (uu: tf.Tensor, pp: tf.Tensor, qq: tf.Tensor) =>
      tf.tidy(() => {
        const sp = tf.sum(tf.mul(uu, pp), 1);
        const sq = tf.reshape(tf.sum(tf.mul(tf.reshape(tf.tile(uu, [1, n]), [-1, dim]), qq), 1), [-1, n]);
        return bprLoss(sp, sq);
      });
    const { value, grads } = tf.valueAndGrads(lossFn)([u, p, q]);
    this.users.applyGradients(users, grads[0]);
    const gItems = tf.concat([grads[1], grads[2]]);
    const ids = new Int32Array(pos.length + neg.length);
    ids.set(pos);
    ids.set(neg, pos.length);
    this.items.applyGradients(ids, gItems);
    const loss = value.dataSync()[0];
    tf.dispose([u, p, q, value, gItems, ...grads]);
    return loss;
  }

  private initTables(numUsers: number, numItems: number, seed: number): void {
    const c = this.config;
    // the sgd solver updates the tables itself: no optimizer state
    const opt = c.solver === 'sgd' ? { kind: 'sgd' as const, learningRate: c.learningRate } : { kind: 'adam' as const, learningRate: c.learningRate, l2: c.l2 };
    const init = c.init === 'normal' ? { kind: 'normal' as const, std: c.initStd } : undefined;
    this.users = new SparseEmbedding({ rows: numUsers, dim: c.dim, optimizer: opt, seed: seed * 2 + 1, ...(init ? { init } : {}) });
    this.items = new SparseEmbedding({ rows: numItems, dim: c.dim, optimizer: opt, seed: seed * 2 + 2, ...(init ? { init } : {}) });
  }

  private initSampler(): void {
    this.sampler = this.makeSampler ? this.makeSampler(this.seen, this.seed) : uniformSampler({ seen: this.seen, seed: this.seed });
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    this.initTables(train.numUsers, train.numItems, run.seed);
    this.initSampler();
    if (this.config.solver === 'sgd') {
      const rng = seededRng(deriveSeed(run.seed, 'bprmf-sgd'));
      const total = run.epochs * train.users.length;
      for (let e = 0; e < run.epochs; e++) {
        const loss = await this.sgdPass(train, rng, true, (done) => run.onProgress?.({ phase: 'train', done: e * train.users.length + done, total }));
        run.onLoss?.((e + 1) * train.users.length, loss);
        run.onProgress?.({ phase: 'train', done: (e + 1) * train.users.length, total, loss });
        if (run.onEpochEnd && (await run.onEpochEnd({ epoch: e, loss })) === true) return;
      }
      return;
    }
    await trainLoop(train, run, { epochs: run.epochs, order: 'shuffled', phase: () => 'train', step: (u, i) => this.step(u, i) });
  }

  protected async observeModel(events: Interactions): Promise<void> {
    const rng = this.config.solver === 'sgd' ? seededRng(deriveSeed(this.seed, `bprmf-observe-${this.numUsers}-${this.seen.version}`)) : null;
    for (let e = 0; e < this.config.observeEpochs; e++) {
      if (rng) await this.sgdPass(events, rng, false);
      else for (const b of orderedBatches(events, this.batchSize)) this.step(b.users, b.items);
    }
  }

  /**
   * One pass of per-triple SGD over `data.users.length` triples: positives drawn uniformly with
   * replacement (`bootstrap`, LearnBPR) or in event order, negatives from the sampler in chunks.
   * For a triple (u, i, j) with x = p_u . (q_i - q_j) and z = sigmoid(-x):
   * p_u += lr (z (q_i - q_j) - l2 p_u), q_i += lr (z p_u - l2 q_i), q_j += lr (-z p_u - l2 q_j).
   * Returns the mean BPR loss -log sigmoid(x) of the pass.
   */
  private async sgdPass(data: Interactions, rng: Rng, bootstrap: boolean, progress?: (done: number) => void): Promise<number> {
    const { dim, learningRate: lr, l2, negatives } = this.config;
    const P = this.users.data;
    const Q = this.items.data;
    const n = data.users.length;
    const chunk = 4096;
    const us = new Int32Array(chunk);
    const is = new Int32Array(chunk);
    let lossSum = 0;
    let count = 0;
    for (let s0 = 0; s0 < n; s0 += chunk) {
      const m = Math.min(chunk, n - s0);
      for (let k = 0; k < m; k++) {
        const e = bootstrap ? Math.floor(rng() * n) : s0 + k;
        us[k] = data.users[e];
        is[k] = data.items[e];
      }
      const { users, items } = this.trainableRows(us.subarray(0, m), is.subarray(0, m));
      const neg = users.length > 0 ? this.sampler.sample(users, items, negatives) : new Int32Array(0);
      for (let k = 0; k < users.length; k++) {
        const pu = users[k] * dim;
        const qi = items[k] * dim;
        for (let t = 0; t < negatives; t++) {
          const qj = neg[k * negatives + t] * dim;
          let x = 0;
          for (let d = 0; d < dim; d++) x += P[pu + d] * (Q[qi + d] - Q[qj + d]);
          const z = 1 / (1 + Math.exp(x));
          lossSum += x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
          count++;
          for (let d = 0; d < dim; d++) {
            const pf = P[pu + d];
            const fi = Q[qi + d];
            const fj = Q[qj + d];
            P[pu + d] = pf + lr * (z * (fi - fj) - l2 * pf);
            Q[qi + d] = fi + lr * (z * pf - l2 * fi);
            Q[qj + d] = fj + lr * (-z * pf - l2 * fj);
          }
        }
      }
      progress?.(Math.min(n, s0 + m));
      await tick();
    }
    return count > 0 ? lossSum / count : 0;
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.users.grow(numUsers);
    this.items.grow(numItems);
  }

  protected scoreAllModel(users: Int32Array, out?: Float32Array): Float32Array {
    return dotScoreAll(this.users, this.items, users, out);
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    const u = this.users.gather(users);
    const v = this.items.gather(items);
    const d = this.config.dim;
    return Float32Array.from(users, (_, k) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += u[k * d + j] * v[k * d + j];
      return s;
    });
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    return { header: {}, blocks: { users: this.users.toBytes(), items: this.items.toBytes() } };
  }

  protected release(): void {}

  /**
   * Restores a BPR-MF saved by `toBytes` (uniform negatives for further streaming updates).
   *
   * @example
   * ```ts
   * const again = BprMf.fromBytes(mf.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): BprMf {
    const fn = 'BprMf.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'bprmf', fn);
    const m = new BprMf(c.config as Partial<BprMfOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    m.users = SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'users', fn));
    m.items = SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'items', fn));
    m.initSampler();
    return m;
  }
}

/**
 * Dot-product scores of `ids` against every item, `[ids.length, items.rows]` row-major, as one
 * matMul on the active backend.
 *
 * @example
 * ```ts
 * const scores = dotScoreAll(userTable, itemTable, Int32Array.from([0, 1, 2]));
 * ```
 */
export function dotScoreAll(users: SparseEmbedding, items: SparseEmbedding, ids: Int32Array, out?: Float32Array): Float32Array {
  const scores = tf.tidy(() => matMul2d(users.lookup(ids), items.toTensor(), false, true));
  try {
    return readInto(scores, out);
  } finally {
    scores.dispose();
  }
}
