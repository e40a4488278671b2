import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding, type Interactions, type StateBlock } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { DIST_EPS, KeyValueMemory, kvAddress, kvEraseAdd, ValueMemory } from '@memrec/memory';
import { dnsSampler, GanSampler, ganSampler, popularitySampler, rankWeight, type NegativeSampler, type RankWeightSampler } from '@memrec/samplers';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { bytesBlock } from './state';
import { orderedBatches, trainLoop, type TrainLoopOptions } from './train-loop';

/** Options of {@link Nmrn} (the paper leaves them open; these are memrec's measured choices). */
export interface NmrnOptions extends TrainingOptions {
  /** Embedding and memory dimension D. */
  dim: number;
  /** Memory slots H. */
  slots: number;
  /** Hinge margin m. */
  margin: number;
  /** Learning rate of the tables (lazy Adam), the memory keys and the generator. */
  learningRate: number;
  /** Negatives of the hinge after pre-training: gan (the paper's generator), uniform (rank-weight draws), popularity, dns. */
  sampler: 'gan' | 'uniform' | 'popularity' | 'dns';
  /** One value memory shared by all users (the paper's figure) or one per user. */
  memory: 'shared' | 'per-user';
  /** T: generator / DNS candidates per negative. */
  candidates: number;
  /** Most uniform draws of the rank weight. */
  maxDraws: number;
  /** Epochs of discriminator pre-training with uniform negatives (Algorithm 1, line 4). */
  pretrainEpochs: number;
  /** Train the erase / add projections (and the keys) through the last write (about 1.3x the step cost). */
  writeGradient: boolean;
  /** Passes of G pre-training by REINFORCE against the pre-trained D (Algorithm 1, line 5; gan sampler only; D does not change). */
  generatorPretrainEpochs: number;
  /** G's reward for a negative: `distance` r = -d_D(u, v-) (Algorithm 1) or `bounded` r = 2 (sigmoid(-d_D(u, v-)) - 0.5) (IRGAN's form). */
  reward: 'distance' | 'bounded';
  /** REINFORCE baseline b <- decay * b + (1 - decay) * mean(batch rewards); 0 = Algorithm 1 (the previous batch's mean reward). */
  baselineDecay: number;
  /** Softmax temperature of the memory address w = softmax(-||u - M^k_j|| / temperature); lower is sharper. */
  temperature: number;
  /** Importance mixing lambda: G draws from (1 - lambda) P_G + lambda / T and weights rewards by P_G / q (0 = draw from P_G). */
  importanceMix: number;
}

/** Rules and defaults of {@link NmrnOptions}. */
export const NMRN_OPTIONS: OptionSpec<NmrnOptions> = {
  dim: { rule: { type: 'int', min: 1 }, default: 32, doc: 'embedding and memory dimension' },
  slots: { rule: { type: 'int', min: 1 }, default: 10, doc: 'memory slots' },
  margin: { rule: { type: 'number', min: 0 }, default: 0.1, doc: 'hinge margin' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.005, doc: 'learning rate' },
  sampler: { rule: { type: 'enum', values: ['gan', 'uniform', 'popularity', 'dns'] }, default: 'uniform', doc: 'negative sampler after pre-training (uniform: rank-weight draws; gan: Algorithm 1)' },
  memory: { rule: { type: 'enum', values: ['shared', 'per-user'] }, default: 'per-user', doc: 'value memory shared by all users or one per user' },
  candidates: { rule: { type: 'int', min: 1 }, default: 100, doc: 'T: generator / DNS candidates (Algorithm 1)' },
  maxDraws: { rule: { type: 'int', min: 1 }, default: 50, doc: 'most uniform draws of the rank weight' },
  pretrainEpochs: { rule: { type: 'int', min: 0 }, default: 1, doc: 'epochs of pre-training with uniform negatives' },
  writeGradient: { rule: { type: 'boolean' }, default: true, doc: 'train the erase/add projections through the last write' },
  generatorPretrainEpochs: { rule: { type: 'int', min: 0 }, default: 1, doc: 'passes of G pre-training by REINFORCE against the pre-trained D (gan only)' },
  reward: { rule: { type: 'enum', values: ['distance', 'bounded'] }, default: 'distance', doc: "G's reward: -d_D (distance) or 2 (sigmoid(-d_D) - 0.5) (bounded)" },
  baselineDecay: { rule: { type: 'number', min: 0, max: 1, exclusiveMax: true }, default: 0, doc: "REINFORCE baseline decay (0: the previous batch's mean reward)" },
  temperature: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 1, doc: 'softmax temperature of the memory address (lower: sharper)' },
  importanceMix: { rule: { type: 'number', min: 0, max: 1, exclusiveMax: true }, default: 0, doc: "share of uniform draws mixed into G's distribution (importance-weighted)" },
  epochs: { rule: TRAINING_RULES.epochs, default: 2, doc: 'passes over the training stream (pre-training included)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 256, doc: 'events per mini-batch (memory writes per batch)' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation and negatives' },
};

/** The defaults of {@link Nmrn}. */
export const NMRN_DEFAULTS: NmrnOptions = defaultsOf(NMRN_OPTIONS);

/**
 * NMRN (Wang et al., KDD 2018): a KeyValueMemory over SparseEmbedding user / item tables,
 * distance d(u, v) = ||s_u - v|| (smaller is better), the rank-weighted hinge, and a negative
 * sampler (by default the rank weight's own uniform draws; `sampler: 'gan'` is the paper's
 * adversarial generator). With the GAN sampler, training follows Algorithm 1 in time order:
 * pre-train D with uniform negatives, then G by REINFORCE against the pre-trained D (D
 * unchanged), then per mini-batch a D step on the rank-weighted hinge with G's negative (G
 * frozen), rewards r = -d_D(u, v-) for G's negatives and a REINFORCE step of G with the previous
 * batch's mean reward as baseline, then the memory write. T = 100 uniform candidates per negative.
 * `observe` runs the same step over each new block in time order (streaming), growing the
 * tables and memory for new users and items.
 *
 * @example
 * ```ts
 * import { Nmrn } from '@memrec/models';
 * const nmrn = new Nmrn({ sampler: 'uniform' });
 * await nmrn.fit(train, { seed: 1 });
 * await nmrn.observe(block);
 * nmrn.recommend(0, 10); // items by ascending distance
 * ```
 */
export class Nmrn extends BaseRecommender<NmrnOptions> {
  readonly name = 'nmrn';
  readonly kind = 'distance' as const;
  readonly observeMode = 'incremental' as const;
  users!: SparseEmbedding;
  items!: SparseEmbedding;
  kv: KeyValueMemory | null = null;
  private rw!: RankWeightSampler;
  private sampler: NegativeSampler | null = null;

  constructor(options: Partial<NmrnOptions> = {}) {
    super('Nmrn', NMRN_OPTIONS, options);
  }

  /** The adversarial generator G (with `sampler: 'gan'`, once fitted), else null. */
  get generator(): GanSampler | null {
    return this.sampler instanceof GanSampler ? this.sampler : null;
  }

  private get memory(): KeyValueMemory {
    return this.kv as KeyValueMemory;
  }

  private initMemory(users: SparseEmbedding, items: SparseEmbedding, seed: number): void {
    const c = this.config;
    this.users = users;
    this.items = items;
    this.kv = new KeyValueMemory({ users, items, slots: c.slots, valueMemory: c.memory, temperature: c.temperature, seed: seed * 3 + 3, learningRate: c.learningRate, writeGradient: c.writeGradient });
    this.rw = rankWeight({ seen: this.seen, margin: c.margin, maxDraws: c.maxDraws, seed });
  }

  private makeSampler(): NegativeSampler | null {
    const { sampler, candidates, dim, learningRate } = this.config;
    const seed = this.seed;
    if (sampler === 'gan') {
      const { baselineDecay, importanceMix } = this.config;
      return ganSampler({ seen: this.seen, dim, hidden: dim, candidates, learningRate, seed, baselineDecay, importanceMix });
    }
    if (sampler === 'dns') return dnsSampler({ seen: this.seen, candidates, score: (u, i) => this.pairDistance(u, i), kind: 'distance', seed });
    if (sampler === 'popularity') return popularitySampler({ seen: this.seen, counts: Float64Array.from(this.counts), alpha: 0.75, seed });
    return null; // uniform: the rank weight's own margin-violating draws
  }

  /** d(u, v) for (user, item) pairs, on the host (each user's memory read once). */
  private pairDistance(users: Int32Array, items: Int32Array): Float32Array {
    return this.memory.distanceHost(users, items);
  }

  /** G's rewards for its negatives (see {@link NmrnOptions.reward}). */
  private rewards(users: Int32Array, negatives: Int32Array): Float32Array {
    const d = this.pairDistance(users, negatives);
    if (this.config.reward === 'bounded') return d.map((x) => 2 * (1 / (1 + Math.exp(x)) - 0.5));
    return d.map((x) => -x);
  }

  /**
   * One Algorithm-1 step on a time-ordered batch, then the memory write. Returns the D loss (0
   * in G pre-training). Phases: `d-pretrain` (uniform rank-weight negatives), `g-pretrain` (G
   * samples, D rewards, G's REINFORCE step; D does not change), `train` (D's hinge with G's
   * negative and the rank weight, then G's REINFORCE step; with another sampler, its negatives).
   * The batch's read vectors are computed once (`scorerFor`) and score the positives and every
   * rank-weight draw; each row's draws are scored in one call (`sampleRows`).
   */
  private step(batchUsers: Int32Array, batchPos: Int32Array, phase: 'd-pretrain' | 'g-pretrain' | 'train'): number {
    const kv = this.memory;
    const { users, items: pos } = this.trainableRows(batchUsers, batchPos);
    const gan = this.config.sampler === 'gan' ? (this.sampler as GanSampler) : null;
    if (users.length === 0 || (phase === 'g-pretrain' && gan == null)) {
      kv.write(batchUsers, batchPos);
      return 0;
    }
    if (phase === 'g-pretrain') {
      const neg = (gan as GanSampler).sample(users, pos, 1);
      (gan as GanSampler).update(users, neg, this.rewards(users, neg));
      kv.write(batchUsers, batchPos);
      return 0;
    }
    const score = kv.scorerFor(users);
    const posDist = score(users, pos);
    const rw = this.rw.sampleRows(users, pos, posDist, score);
    let neg = rw.negatives;
    if (phase === 'train' && this.sampler) neg = this.sampler.sample(users, pos, 1);
    const loss = kv.trainStep(users, pos, neg, { margin: this.config.margin, weights: rw.weights });
    if (gan && phase === 'train') gan.update(users, neg, this.rewards(users, neg));
    kv.write(batchUsers, batchPos); // every event is written, trainable or not
    return loss;
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const c = this.config;
    const opt = { kind: 'adam' as const, learningRate: c.learningRate };
    const users = new SparseEmbedding({ rows: train.numUsers, dim: c.dim, optimizer: opt, seed: run.seed * 3 + 1 });
    const items = new SparseEmbedding({ rows: train.numItems, dim: c.dim, optimizer: opt, seed: run.seed * 3 + 2 });
    this.initMemory(users, items, run.seed);
    this.sampler = this.makeSampler();
    // D pre-training, then (gan) G pre-training against the pre-trained D, then the rest of D's epochs
    const pre = Math.min(c.pretrainEpochs, run.epochs);
    const gPre = c.sampler === 'gan' && pre > 0 ? c.generatorPretrainEpochs : 0;
    const phaseOf = (e: number) => (e < pre ? 'd-pretrain' : e < pre + gPre ? 'g-pretrain' : 'train');
    await trainLoop(train, run, {
      epochs: run.epochs + gPre,
      order: 'time',
      phase: (e) => ({ 'd-pretrain': 'pre-train', 'g-pretrain': 'generator pre-train', train: c.sampler === 'gan' ? 'adversarial' : `train (${c.sampler} negatives)` })[phaseOf(e)],
      beforeEpoch: () => this.memory.reset(), // the memory follows time: each pass replays the training stream from the start
      step: (u, i, e) => this.step(u, i, phaseOf(e)),
    });
  }

  protected async observeModel(events: Interactions): Promise<void> {
    for (const b of orderedBatches(events, this.batchSize)) this.step(b.users, b.items, 'train');
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.users.grow(numUsers);
    this.items.grow(numItems);
    this.memory.grow(numUsers);
  }

  protected scoreAllModel(users: Int32Array): Float32Array {
    return this.memory.distanceAll(users);
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    return this.pairDistance(users, items);
  }

  /**
   * Distances of every item (`[numItems]`, smaller is better) for an anonymous session whose
   * events are `items` (dense ids, in order), changing nothing: a user at the origin (the expected
   * initial row of a new user) addresses the memory, a scratch copy of the memory a new user
   * starts from (the template; with a shared memory, the shared memory) takes the session's
   * writes, and its read vector is compared with every item. What a new user with these events
   * would be scored by after the memory writes, without the user's training step. Costs one
   * write per event and one pass over the item table.
   *
   * @example
   * ```ts
   * const d = nmrn.scoreSession(Int32Array.of(4, 17, 9)); // [numItems] distances
   * ```
   */
  scoreSession(items: Int32Array): Float32Array {
    const fn = 'Nmrn.scoreSession';
    this.requireFitted(fn);
    if (!(items instanceof Int32Array)) throw new Error(`${fn}: items must be an Int32Array of item ids, got ${show(items)}`);
    for (let k = 0; k < items.length; k++) {
      if (items[k] < 0 || items[k] >= this.numItems) throw new Error(`${fn}: items[${k}] must be an item id in [0, ${this.numItems}), got ${items[k]}`);
    }
    const kv = this.memory;
    const H = kv.slots;
    const D = kv.dim;
    const w = tf.tidy(() => kvAddress(tf.zeros([1, D]), kv.keys as tf.Tensor2D, kv.metric, kv.temperature).dataSync() as Float32Array);
    const start = kv.memory.perUser ? kv.memory.template : kv.memory.data.subarray(0, H * D);
    const scratch = new ValueMemory({ slots: H, dim: D, perUser: false, count: 1, seed: 0, template: start });
    const b = items.length;
    if (b > 0) {
      const [e, a] = tf.tidy(() => kvEraseAdd(tf.tensor2d(this.items.gather(items), [b, D], 'float32'), kv.We as tf.Tensor2D, kv.be as tf.Tensor1D, kv.Wa as tf.Tensor2D, kv.ba as tf.Tensor1D).map((t) => t.dataSync() as Float32Array));
      const wAll = new Float32Array(b * H);
      for (let t = 0; t < b; t++) wAll.set(w, t * H);
      scratch.writeSequential(new Int32Array(b), wAll, e, a);
    }
    const s = new Float64Array(D);
    for (let j = 0; j < H; j++) for (let d = 0; d < D; d++) s[d] += w[j] * scratch.data[j * D + d];
    const n = this.numItems;
    const v = this.items.data;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let d = 0; d < D; d++) {
        const x = s[d] - v[i * D + d];
        sum += x * x;
      }
      out[i] = Math.sqrt(sum + DIST_EPS);
    }
    return out;
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    const blocks: Record<string, StateBlock> = { users: this.users.toBytes(), items: this.items.toBytes(), memory: this.memory.stateToBytes() };
    if (this.sampler instanceof GanSampler) blocks.generator = this.sampler.toBytes();
    return { header: {}, blocks };
  }

  protected release(): void {
    this.kv?.dispose();
    this.kv = null;
    (this.sampler as { dispose?: () => void } | null)?.dispose?.();
    this.sampler = null;
  }

  /**
   * Restores an NMRN saved by `toBytes`: tables, memory state and the generator (samplers take
   * fresh random streams from the saved seed).
   *
   * @example
   * ```ts
   * const again = Nmrn.fromBytes(nmrn.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Nmrn {
    const fn = 'Nmrn.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'nmrn', fn);
    const m = new Nmrn(c.config as Partial<NmrnOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    m.initMemory(SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'users', fn)), SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'items', fn)), m.seed);
    m.memory.stateFromBytes(bytesBlock(c.blocks, 'memory', fn));
    m.sampler = m.config.sampler === 'gan' ? GanSampler.fromBytes(bytesBlock(c.blocks, 'generator', fn), { seen: m.seen, seed: m.seed }) : m.makeSampler();
    return m;
  }
}
