import { SparseEmbedding, UserItemSet, type Interactions } from '@memrec/core';
import { KeyValueMemory } from '@memrec/memory';
import { dnsSampler, GanSampler, ganSampler, popularitySampler, rankWeight, type NegativeSampler, type RankWeightSampler } from '@memrec/samplers';
import { orderedBatches, trainLoop } from './batches';
import { fromJsonBytes, jsonBytes, readCheckpoint, writeCheckpoint } from './checkpoint';
import type { FitOptions, Recommender } from './types';

/** Hyperparameters of {@link Nmrn} (the paper leaves them open; these are this project's choices). */
export interface NmrnConfig {
  dim: number;
  slots: number;
  margin: number;
  learningRate: number;
  /** Negative sampler of the hinge: gan (the paper), uniform (rank-weight draws), popularity, dns. */
  sampler: 'gan' | 'uniform' | 'popularity' | 'dns';
  memory: 'shared' | 'per-user';
  /** T: generator / DNS candidates per negative. */
  candidates: number;
  /** Most uniform draws of the rank weight. */
  maxDraws: number;
  /** Epochs of discriminator pre-training with uniform negatives (Algorithm 1, line 4). */
  pretrainEpochs: number;
  /** Train the erase / add projections through the last write (see KeyValueMemory); costly with per-user memory. */
  writeGradient: boolean;
}

export const NMRN_DEFAULTS: NmrnConfig = { dim: 32, slots: 20, margin: 0.5, learningRate: 0.01, sampler: 'gan', memory: 'shared', candidates: 32, maxDraws: 50, pretrainEpochs: 1, writeGradient: true };

/**
 * NMRN (Wang et al., KDD 2018) composed from the packages: a KeyValueMemory over SparseEmbedding
 * user / item tables, distance d(u, v) = ||s_u - v||, the rank-weighted hinge, and an adaptive
 * negative sampler (the GAN generator by default). Training follows Algorithm 1 in time order:
 * pre-train D with uniform negatives and G on positives, then per mini-batch a D step (G frozen),
 * rewards r = -d_D(u, v-) for G's negatives and a REINFORCE step of G, then the memory write.
 * `observe` runs the same loop once over each new block (streaming).
 *
 * @example
 * ```ts
 * const nmrn = new Nmrn({ sampler: 'gan' });
 * await nmrn.fit(train, { epochs: 2, batchSize: 256, seed: 1 });
 * await nmrn.observe(block);
 * const d = nmrn.scoreAll(Int32Array.of(0)); // distances: smaller is better
 * ```
 */
export class Nmrn implements Recommender {
  readonly name = 'nmrn';
  readonly kind = 'distance' as const;
  readonly observeMode = 'incremental' as const;
  readonly config: NmrnConfig;
  users!: SparseEmbedding;
  items!: SparseEmbedding;
  kv!: KeyValueMemory;
  private seen!: UserItemSet;
  private rw!: RankWeightSampler;
  private sampler: NegativeSampler | null = null;
  private seed = 0;
  private batchSize = 256;

  constructor(config: Partial<NmrnConfig> = {}) {
    this.config = { ...NMRN_DEFAULTS, ...config };
  }

  get numItems(): number {
    return this.items.rows;
  }

  private init(numUsers: number, numItems: number, seed: number): void {
    const c = this.config;
    const opt = { kind: 'adam' as const, learningRate: c.learningRate };
    this.users = new SparseEmbedding({ rows: numUsers, dim: c.dim, optimizer: opt, seed: seed * 3 + 1 });
    this.items = new SparseEmbedding({ rows: numItems, dim: c.dim, optimizer: opt, seed: seed * 3 + 2 });
    this.kv = new KeyValueMemory({ users: this.users, items: this.items, slots: c.slots, valueMemory: c.memory, seed: seed * 3 + 3, learningRate: c.learningRate, writeGradient: c.writeGradient });
    this.seen = new UserItemSet(numUsers, numItems);
    this.rw = rankWeight({ seen: this.seen, margin: c.margin, maxDraws: c.maxDraws, seed });
  }

  private makeSampler(train: Interactions): NegativeSampler | null {
    const { sampler, candidates, dim } = this.config;
    const seed = this.seed;
    if (sampler === 'gan') return ganSampler({ seen: this.seen, dim, hidden: dim, candidates, learningRate: this.config.learningRate, seed });
    if (sampler === 'dns') return dnsSampler({ seen: this.seen, candidates, score: (u, i) => this.pairDistance(u, i), kind: 'distance', seed });
    if (sampler === 'popularity') {
      const counts = new Float64Array(train.numItems);
      for (const i of train.items) counts[i]++;
      return popularitySampler({ seen: this.seen, counts, alpha: 0.75, seed });
    }
    return null; // uniform: the rank weight's own margin-violating draws
  }

  private pairDistance(users: Int32Array, items: Int32Array): Float32Array {
    const t = this.kv.distance(users, items);
    const d = t.dataSync() as Float32Array;
    t.dispose();
    return d;
  }

  /** One Algorithm-1 step on a time-ordered batch, then the memory write. Returns the D loss. */
  private step(users: Int32Array, pos: Int32Array, pretrain: boolean): number {
    const posDist = this.pairDistance(users, pos);
    const rw = this.rw.sample(users, pos, posDist, (u, i) => this.pairDistance(u, i));
    const gan = this.config.sampler === 'gan' ? (this.sampler as GanSampler) : null;
    let neg = rw.negatives;
    if (!pretrain && this.sampler) neg = this.sampler.sample(users, pos, 1);
    const loss = this.kv.trainStep(users, pos, neg, { margin: this.config.margin, weights: rw.weights });
    if (gan) {
      if (pretrain) gan.pretrain(users, pos);
      else {
        const d = this.pairDistance(users, neg);
        gan.update(users, neg, d.map((x) => -x));
      }
    }
    this.kv.write(users, pos);
    return loss;
  }

  async fit(train: Interactions, options: FitOptions): Promise<void> {
    this.seed = options.seed;
    this.batchSize = options.batchSize;
    this.init(train.numUsers, train.numItems, options.seed);
    this.seen.addAll(train.users, train.items);
    this.sampler = this.makeSampler(train);
    const pre = Math.min(this.config.pretrainEpochs, options.epochs);
    await trainLoop(train, options, {
      epochs: options.epochs,
      order: 'time',
      phase: (e) => (e < pre ? 'pre-train' : 'adversarial'),
      beforeEpoch: () => this.kv.reset(), // the memory follows time: each pass replays the training stream from the start
      step: (u, i, e) => this.step(u, i, e < pre),
    });
  }

  async observe(batch: Interactions): Promise<void> {
    this.users.grow(batch.numUsers);
    this.items.grow(batch.numItems);
    this.kv.grow(batch.numUsers);
    this.seen.growUsers(batch.numUsers);
    this.seen.growItems(batch.numItems);
    this.seen.addAll(batch.users, batch.items);
    for (const b of orderedBatches(batch, this.batchSize)) this.step(b.users, b.items, false);
  }

  scoreAll(users: Int32Array): Float32Array {
    return this.kv.distanceAll(users);
  }

  score(users: Int32Array, items: Int32Array): Float32Array {
    return this.pairDistance(users, items);
  }

  async save(dir: string, extra: Record<string, Uint8Array> = {}): Promise<void> {
    const blobs: Record<string, Uint8Array> = { ...extra, users: this.users.toBytes(), items: this.items.toBytes(), memory: this.kv.stateToBytes() };
    if (this.config.sampler === 'gan' && this.sampler) blobs.generator = (this.sampler as GanSampler).toBytes();
    blobs.state = jsonBytes({ seed: this.seed, batchSize: this.batchSize });
    await writeCheckpoint(dir, { model: this.name, config: { ...this.config }, blobs });
  }

  /** Loads a checkpoint written by {@link Nmrn.save}: tables, memory state and the generator. */
  static load(dir: string): Nmrn {
    const c = readCheckpoint(dir, 'nmrn');
    const m = new Nmrn(c.config as Partial<NmrnConfig>);
    const users = SparseEmbedding.fromBytes(c.blobs.users);
    const items = SparseEmbedding.fromBytes(c.blobs.items);
    const state = fromJsonBytes<{ seed: number; batchSize: number }>(c.blobs.state, 'state');
    m.seed = state.seed;
    m.batchSize = state.batchSize;
    m.users = users;
    m.items = items;
    m.kv = new KeyValueMemory({ users, items, slots: m.config.slots, valueMemory: m.config.memory, seed: state.seed * 3 + 3, learningRate: m.config.learningRate, writeGradient: m.config.writeGradient });
    m.kv.stateFromBytes(c.blobs.memory);
    m.seen = new UserItemSet(users.rows, items.rows);
    m.rw = rankWeight({ seen: m.seen, margin: m.config.margin, maxDraws: m.config.maxDraws, seed: state.seed });
    if (c.blobs.generator) m.sampler = GanSampler.fromBytes(c.blobs.generator, { seen: m.seen, seed: state.seed });
    return m;
  }

  dispose(): void {
    this.kv?.dispose();
    (this.sampler as { dispose?: () => void } | null)?.dispose?.();
  }
}
