import * as tf from '@tensorflow/tfjs-core';
import { matMul2d, SparseEmbedding, UserItemSet, type Interactions } from '@memrec/core';
import { bprLoss } from '@memrec/losses';
import { uniformSampler, type NegativeSampler } from '@memrec/samplers';
import { orderedBatches, trainLoop } from './batches';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import type { FitOptions, Recommender } from './types';

/** Hyperparameters of {@link BprMf}. */
export interface BprMfConfig {
  dim: number;
  learningRate: number;
  l2: number;
  /** Negatives per positive. */
  negatives: number;
  /** Passes over each streamed block in `observe`; 0 (default) keeps the model static. */
  observeEpochs: number;
}

export const BPRMF_DEFAULTS: BprMfConfig = { dim: 64, learningRate: 0.01, l2: 1e-5, negatives: 1, observeEpochs: 0 };

/**
 * BPR-MF (Rendle et al., UAI 2009): score(u, i) = p_u . q_i, trained with the BPR loss on
 * uniformly sampled negatives; embeddings in SparseEmbedding tables with lazy Adam.
 * Static by default (`observe` only records the new positives); with `observeEpochs > 0` it takes
 * incremental steps on each new block (new users/items grow the tables).
 * A different negative sampler can be passed (e.g. the adversarial one).
 *
 * @example
 * ```ts
 * const mf = new BprMf({ dim: 32 });
 * await mf.fit(train, { epochs: 5, batchSize: 1024, seed: 1 });
 * const scores = mf.scoreAll(Int32Array.from([0, 1]));
 * ```
 */
export class BprMf implements Recommender {
  readonly name = 'bprmf';
  readonly kind = 'score' as const;
  readonly config: BprMfConfig;
  users!: SparseEmbedding;
  items!: SparseEmbedding;
  private seen!: UserItemSet;
  private sampler!: NegativeSampler;
  private seed = 0;
  private batchSize = 1024;
  private readonly makeSampler?: (seen: UserItemSet, seed: number) => NegativeSampler;

  constructor(config: Partial<BprMfConfig> = {}, makeSampler?: (seen: UserItemSet, seed: number) => NegativeSampler) {
    this.config = { ...BPRMF_DEFAULTS, ...config };
    this.makeSampler = makeSampler;
  }

  get numItems(): number {
    return this.items.rows;
  }

  get observeMode(): 'incremental' | 'ignored' {
    return this.config.observeEpochs > 0 ? 'incremental' : 'ignored';
  }

  private init(numUsers: number, numItems: number, seed: number): void {
    const opt = { kind: 'adam' as const, learningRate: this.config.learningRate, l2: this.config.l2 };
    this.users = new SparseEmbedding({ rows: numUsers, dim: this.config.dim, optimizer: opt, seed: seed * 2 + 1 });
    this.items = new SparseEmbedding({ rows: numItems, dim: this.config.dim, optimizer: opt, seed: seed * 2 + 2 });
    this.seen = new UserItemSet(numUsers, numItems);
    this.sampler = this.makeSampler ? this.makeSampler(this.seen, seed) : uniformSampler({ seen: this.seen, seed });
  }

  /** One BPR step on (users, positives); returns the batch loss. */
  step(users: Int32Array, pos: Int32Array): number {
    const n = this.config.negatives;
    const neg = this.sampler.sample(users, pos, n);
    const u = this.users.lookup(users);
    const p = this.items.lookup(pos);
    const q = this.items.lookup(neg);
    const lossFn = (uu: tf.Tensor, pp: tf.Tensor, qq: tf.Tensor) =>
      tf.tidy(() => {
        const sp = tf.sum(tf.mul(uu, pp), 1);
        const sq = tf.reshape(tf.sum(tf.mul(tf.reshape(tf.tile(uu, [1, n]), [-1, this.config.dim]), qq), 1), [-1, n]);
        return bprLoss(sp, sq);
      });
    const { value, grads } = tf.valueAndGrads(lossFn)([u, p, q]);
    this.users.applyGradients(users, grads[0]);
    const gItems = tf.concat([grads[1], grads[2]]);
    this.items.applyGradients(Int32Array.from([...pos, ...neg]), gItems);
    const loss = value.dataSync()[0];
    tf.dispose([u, p, q, value, gItems, ...grads]);
    return loss;
  }

  async fit(train: Interactions, options: FitOptions): Promise<void> {
    this.seed = options.seed;
    this.batchSize = options.batchSize;
    this.init(train.numUsers, train.numItems, options.seed);
    this.seen.addAll(train.users, train.items);
    await trainLoop(train, options, { epochs: options.epochs, order: 'shuffled', phase: () => 'train', step: (u, i) => this.step(u, i) });
  }

  async observe(batch: Interactions): Promise<void> {
    this.users.grow(batch.numUsers);
    this.items.grow(batch.numItems);
    this.seen.growUsers(batch.numUsers);
    this.seen.growItems(batch.numItems);
    this.seen.addAll(batch.users, batch.items);
    for (let e = 0; e < this.config.observeEpochs; e++) {
      for (const b of orderedBatches(batch, this.batchSize)) this.step(b.users, b.items);
    }
  }

  scoreAll(users: Int32Array): Float32Array {
    return dotScoreAll(this.users, this.items, users);
  }

  score(users: Int32Array, items: Int32Array): Float32Array {
    const u = this.users.gather(users);
    const v = this.items.gather(items);
    const d = this.config.dim;
    return Float32Array.from(users, (_, k) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += u[k * d + j] * v[k * d + j];
      return s;
    });
  }

  async save(dir: string, extra: Record<string, Uint8Array> = {}): Promise<void> {
    await writeCheckpoint(dir, {
      model: this.name,
      config: { ...this.config, seed: this.seed, batchSize: this.batchSize },
      blobs: { ...extra, users: this.users.toBytes(), items: this.items.toBytes() },
    });
  }

  /** Loads a checkpoint written by {@link BprMf.save} (for scoring and further streaming). */
  static load(dir: string): BprMf {
    const c = readCheckpoint(dir, 'bprmf');
    const m = new BprMf(c.config as Partial<BprMfConfig>);
    m.users = SparseEmbedding.fromBytes(c.blobs.users);
    m.items = SparseEmbedding.fromBytes(c.blobs.items);
    m.seed = Number(c.config.seed ?? 0);
    m.batchSize = Number(c.config.batchSize ?? 1024);
    m.seen = new UserItemSet(m.users.rows, m.items.rows);
    m.sampler = uniformSampler({ seen: m.seen, seed: m.seed });
    return m;
  }

  dispose(): void {}
}

/**
 * Dot-product scores of `users` against every item, `[users.length, items.rows]` row-major,
 * computed as one tf.matMul on the active backend.
 *
 * @example
 * ```ts
 * const scores = dotScoreAll(userTable, itemTable, Int32Array.from([0, 1, 2]));
 * ```
 */
export function dotScoreAll(users: SparseEmbedding, items: SparseEmbedding, ids: Int32Array): Float32Array {
  const scores = tf.tidy(() => {
    const u = users.lookup(ids);
    const v = items.toTensor();
    return matMul2d(u, v, false, true);
  });
  const out = scores.dataSync() as Float32Array;
  scores.dispose();
  return out;
}
