import { deriveSeed, seededRng, shuffleInPlace, type Interactions, type Rng, type StateBlock } from '@memrec/core';
import { dnsSampler, irganSampler, IrganSampler, MfBias, uniformSampler, type NegativeSampler } from '@memrec/samplers';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { bytesBlock } from './state';
import { tick, type TrainLoopOptions } from './train-loop';

/** How a network of {@link Irgan} is pre-trained: not, BPR with uniform negatives, or BPR with dynamic negatives (DNS). */
export type IrganPretrain = 'none' | 'bpr' | 'dns';

/** Options of {@link Irgan}. */
export interface IrganOptions extends TrainingOptions {
  /** Embedding size of D and G. */
  dim: number;
  /** D passes over its (positive, G-negative) pairs per outer epoch (`epochs` counts outer epochs). */
  dEpochs: number;
  /** G passes over the users per outer epoch. */
  gEpochs: number;
  /** D's negatives are drawn again from G every `dRefresh` D passes. */
  dRefresh: number;
  /** SGD step of D. */
  dLearningRate: number;
  /** L2 on the rows each D step touches. */
  dL2: number;
  /** SGD step of G. */
  gLearningRate: number;
  /** L2 on the rows each G step touches. */
  gL2: number;
  /** Temperature of the softmax D's negatives are drawn from. */
  temperature: number;
  /** Importance mixing lambda of G's policy step (share of draws from the user's positives). */
  importanceMix: number;
  /** Items G draws per user and step, per positive of the user. */
  gSamples: number;
  /** Initial embeddings uniform in [-initScale, initScale]. */
  initScale: number;
  /** Pre-training of G. */
  pretrainG: IrganPretrain;
  /** Pre-training of D. */
  pretrainD: IrganPretrain;
  /** Passes of each pre-training. */
  pretrainEpochs: number;
  /** SGD step of the pre-training. */
  pretrainLearningRate: number;
  /** L2 of the pre-training. */
  pretrainL2: number;
  /** Uniform candidates per DNS negative (the hardest is kept). */
  dnsCandidates: number;
  /** Which network ranks items: G (as the paper reports) or D. */
  scoreWith: 'generator' | 'discriminator';
}

/** Rules and defaults of {@link IrganOptions}. */
export const IRGAN_OPTIONS: OptionSpec<IrganOptions> = {
  dim: { rule: { type: 'int', min: 1 }, default: 5, doc: 'embedding size of D and G' },
  dEpochs: { rule: { type: 'int', min: 0 }, default: 10, doc: 'D passes per outer epoch' },
  gEpochs: { rule: { type: 'int', min: 0 }, default: 5, doc: 'G passes per outer epoch' },
  dRefresh: { rule: { type: 'int', min: 1 }, default: 5, doc: "D's negatives are drawn again every dRefresh D passes" },
  dLearningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.001, doc: 'SGD step of D' },
  dL2: { rule: { type: 'number', min: 0 }, default: 0.00625, doc: 'L2 on the rows each D step touches' },
  gLearningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.001, doc: 'SGD step of G' },
  gL2: { rule: { type: 'number', min: 0 }, default: 0, doc: 'L2 on the rows each G step touches' },
  temperature: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.2, doc: "temperature of the softmax D's negatives are drawn from" },
  importanceMix: { rule: { type: 'number', min: 0, max: 1, exclusiveMax: true }, default: 0.2, doc: "share of G's policy draws taken from the user's positives (importance-weighted)" },
  gSamples: { rule: { type: 'int', min: 1 }, default: 2, doc: 'items G draws per positive in a policy step' },
  initScale: { rule: { type: 'number', min: 0 }, default: 0.05, doc: 'initial embeddings uniform in [-initScale, initScale]' },
  pretrainG: { rule: { type: 'enum', values: ['none', 'bpr', 'dns'] }, default: 'dns', doc: 'pre-training of G: none, bpr (uniform negatives) or dns' },
  pretrainD: { rule: { type: 'enum', values: ['none', 'bpr', 'dns'] }, default: 'none', doc: 'pre-training of D: none, bpr or dns' },
  pretrainEpochs: { rule: { type: 'int', min: 0 }, default: 40, doc: 'passes of each pre-training' },
  pretrainLearningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.05, doc: 'SGD step of the pre-training' },
  pretrainL2: { rule: { type: 'number', min: 0 }, default: 0.01, doc: 'L2 of the pre-training' },
  dnsCandidates: { rule: { type: 'int', min: 1 }, default: 5, doc: 'uniform candidates per DNS negative' },
  scoreWith: { rule: { type: 'enum', values: ['generator', 'discriminator'] }, default: 'generator', doc: 'which network ranks items' },
  epochs: { rule: TRAINING_RULES.epochs, default: 15, doc: 'outer epochs (each: dEpochs D passes, then gEpochs G passes)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 1024, doc: 'pairs per negative-sampling call and progress report' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation, draws and shuffles' },
};

/** The defaults of {@link Irgan}. */
export const IRGAN_DEFAULTS: IrganOptions = defaultsOf(IRGAN_OPTIONS);

/**
 * IRGAN for item recommendation (Wang et al., "IRGAN: A Minimax Game for Unifying Generative and
 * Discriminative Information Retrieval Models", SIGIR 2017), as in the authors' code: the
 * discriminator D and the generator G are both matrix factorisation with item biases
 * (`MfBias`). Each outer epoch trains D `dEpochs` passes by binary cross-entropy on the user's
 * positives (label 1) against as many items drawn from G's softmax at `temperature` over the
 * user's unseen items (label 0), drawn again every `dRefresh` passes; then G `gEpochs` passes by
 * policy gradient, per user: `gSamples` x |positives| items from G's softmax over the whole
 * catalogue mixed with the positives (`importanceMix`), reward 2 (sigmoid(s_D) - 0.5) weighted
 * by P_G / pn. G is pre-trained by DNS by default (the authors start from a DNS model), D from
 * scratch; G ranks items (`scoreWith`). Every update is per-pair SGD on the host; G's sampling
 * scores each user's row once and draws by binary search in its cumulative weights. Static:
 * `observe` records new events as seen.
 *
 * @example
 * ```ts
 * import { Irgan } from '@memrec/models';
 * const m = new Irgan({ dim: 5, epochs: 5 });
 * await m.fit(train, { seed: 1 });
 * m.recommend(0, 10); // G's top 10 unseen items of user 0
 * ```
 */
export class Irgan extends BaseRecommender<IrganOptions> {
  readonly name = 'irgan';
  readonly kind = 'score' as const;
  readonly observeMode = 'ignored' as const;
  /** The discriminator. */
  d!: MfBias;
  /** The generator (also usable as a negative sampler for other models). */
  g!: IrganSampler;

  constructor(options: Partial<IrganOptions> = {}) {
    super('Irgan', IRGAN_OPTIONS, options);
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const c = this.config;
    const seed = run.seed;
    this.d = new MfBias({ numUsers: train.numUsers, numItems: train.numItems, dim: c.dim, initScale: c.initScale, seed: deriveSeed(seed, 'irgan-d') });
    this.g = this.makeG(deriveSeed(seed, 'irgan-g'));
    const rng = seededRng(deriveSeed(seed, 'irgan-train'));
    // the training positives, grouped by user (the seen set holds them deduplicated)
    const users: number[] = [];
    const items: number[] = [];
    // (a user who has seen every item has no negative: left out)
    for (let u = 0; u < this.numUsers; u++) {
      if (this.seen.count(u) >= this.numItems) continue;
      for (const i of this.seen.itemsOf(u)) {
        users.push(u);
        items.push(i);
      }
    }
    const pu = Int32Array.from(users);
    const pi = Int32Array.from(items);
    const P = pu.length;
    const active = Int32Array.from({ length: this.numUsers }, (_, u) => u).filter((u) => this.seen.count(u) > 0 && this.seen.count(u) < this.numItems);
    const pre = c.pretrainEpochs * ((c.pretrainG !== 'none' ? 1 : 0) + (c.pretrainD !== 'none' ? 1 : 0));
    const total = (pre + run.epochs * (c.dEpochs + c.gEpochs)) * P;
    let done = 0;
    const progress = (phase: string, loss?: number) => run.onProgress?.({ phase, done, total, ...(loss !== undefined ? { loss } : {}) });
    for (const [which, kind] of [['g', c.pretrainG], ['d', c.pretrainD]] as const) {
      if (kind === 'none') continue;
      const net = which === 'g' ? this.g.model : this.d;
      const sampler = this.pretrainSampler(net, kind, deriveSeed(seed, `irgan-pre-${which}`));
      for (let e = 0; e < c.pretrainEpochs; e++) {
        const loss = this.bprPass(net, sampler, pu, pi, rng);
        done += P;
        progress(`pretrain ${which.toUpperCase()} (${kind})`, loss);
        await tick();
      }
    }
    const neg = new Int32Array(P);
    const order = Int32Array.from({ length: P }, (_, k) => k);
    for (let e = 0; e < run.epochs; e++) {
      let dLoss = 0;
      for (let de = 0; de < c.dEpochs; de++) {
        if (de % c.dRefresh === 0) this.drawNegatives(pu, pi, neg);
        shuffleInPlace(order, rng);
        let sum = 0;
        for (let k = 0; k < P; k++) {
          const o = order[k];
          sum += this.d.bceStep(pu[o], pi[o], 1, c.dLearningRate, c.dL2) + this.d.bceStep(pu[o], neg[o], 0, c.dLearningRate, c.dL2);
        }
        dLoss = P > 0 ? sum / (2 * P) : 0;
        done += P;
        run.onLoss?.(done, dLoss);
        progress('D', dLoss);
        await tick();
      }
      for (let ge = 0; ge < c.gEpochs; ge++) {
        shuffleInPlace(active, rng);
        for (const u of active) {
          const pos = this.seen.itemsOf(u);
          this.g.policyStep(u, pos, c.gSamples * pos.length, (drawn) => this.rewards(u, drawn));
        }
        done += P;
        progress('G');
        await tick();
      }
      if (run.onEpochEnd && (await run.onEpochEnd({ epoch: e, loss: dLoss })) === true) return;
    }
  }

  /** IRGAN's reward 2 (sigmoid(s_D(u, i)) - 0.5) of each drawn item. */
  private rewards(u: number, items: Int32Array): Float32Array {
    return Float32Array.from(items, (i) => 2 * (1 / (1 + Math.exp(-this.d.score(u, i))) - 0.5));
  }

  /** One negative per positive from G's tempered softmax (positives grouped by user: one row per user). */
  private drawNegatives(pu: Int32Array, pi: Int32Array, out: Int32Array): void {
    const chunk = this.batchSize;
    for (let s = 0; s < pu.length; s += chunk) {
      const e = Math.min(pu.length, s + chunk);
      this.g.sample(pu.subarray(s, e), pi.subarray(s, e), 1, out.subarray(s, e));
    }
  }

  private pretrainSampler(net: MfBias, kind: IrganPretrain, seed: number): NegativeSampler {
    if (kind === 'dns') return dnsSampler({ seen: this.seen, candidates: this.config.dnsCandidates, score: (u, i) => net.scorePairs(u, i), seed });
    return uniformSampler({ seen: this.seen, seed });
  }

  /** One pass of per-triple BPR SGD on `net` over the positives in a shuffled order; returns the mean loss. */
  private bprPass(net: MfBias, sampler: NegativeSampler, pu: Int32Array, pi: Int32Array, rng: Rng): number {
    const c = this.config;
    const P = pu.length;
    const order = shuffleInPlace(Int32Array.from({ length: P }, (_, k) => k), rng);
    const chunk = this.batchSize;
    const us = new Int32Array(chunk);
    const is = new Int32Array(chunk);
    let sum = 0;
    for (let s = 0; s < P; s += chunk) {
      const m = Math.min(chunk, P - s);
      for (let k = 0; k < m; k++) {
        us[k] = pu[order[s + k]];
        is[k] = pi[order[s + k]];
      }
      const { users, items } = this.trainableRows(us.subarray(0, m), is.subarray(0, m));
      const negs = users.length > 0 ? sampler.sample(users, items, 1) : new Int32Array(0);
      for (let k = 0; k < users.length; k++) sum += net.bprStep(users[k], items[k], negs[k], c.pretrainLearningRate, c.pretrainL2);
    }
    return P > 0 ? sum / P : 0;
  }

  private makeG(seed: number): IrganSampler {
    const c = this.config;
    return irganSampler({
      seen: this.seen,
      dim: c.dim,
      temperature: c.temperature,
      policyTemperature: 1,
      learningRate: c.gLearningRate,
      l2: c.gL2,
      initScale: c.initScale,
      importanceMix: c.importanceMix,
      seed,
    });
  }

  private get ranker(): MfBias {
    return this.config.scoreWith === 'generator' ? this.g.model : this.d;
  }

  protected async observeModel(): Promise<void> {
    // static: the base class records the events as seen
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.d.grow(numUsers, numItems);
    this.g.model.grow(numUsers, numItems);
  }

  protected scoreAllModel(users: Int32Array): Float32Array {
    return this.ranker.scoreRows(users);
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    return this.ranker.scorePairs(users, items);
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    return { header: { gUpdates: this.g.updates }, blocks: { d: this.d.toBytes(), g: this.g.model.toBytes() } };
  }

  protected release(): void {
    this.g?.dispose();
  }

  /**
   * Restores an IRGAN saved by `toBytes` (both networks).
   *
   * @example
   * ```ts
   * const again = Irgan.fromBytes(m.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Irgan {
    const fn = 'Irgan.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'irgan', fn);
    const m = new Irgan(c.config as Partial<IrganOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    m.d = MfBias.fromBytes(bytesBlock(c.blocks, 'd', fn), fn);
    m.g = m.makeG(deriveSeed(m.seed, 'irgan-g'));
    m.g.model = MfBias.fromBytes(bytesBlock(c.blocks, 'g', fn), fn);
    m.g.updates = Number((c.header as { gUpdates?: number }).gUpdates ?? 0);
    return m;
  }
}
