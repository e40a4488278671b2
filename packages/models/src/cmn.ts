import * as tf from '@tensorflow/tfjs-core';
import type { Interactions, SparseEmbedding, StateBlock } from '@memrec/core';
import { bprLoss } from '@memrec/losses';
import { CollaborativeMemory } from '@memrec/memory';
import { uniformSampler } from '@memrec/samplers';
import { BaseRecommender, type TrainingOptions } from './base';
import { BprMf } from './bprmf';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { assignVariables, typedBlock, variablesToBlocks } from './state';
import { trainLoop, type TrainLoopOptions } from './train-loop';

/** Options of {@link Cmn}. */
export interface CmnOptions extends TrainingOptions {
  /** Memory dimension d (the paper: 50). */
  dim: number;
  /** Attention hops (the paper: 1-3). */
  hops: number;
  /** Neighbourhood cap per item (seeded sample above it); 0 = every neighbour (the paper: all, padded and masked). */
  maxNeighbours: number;
  /** Uniform negatives per positive (BPR). */
  negatives: number;
  /** Learning rate of the memories and the dense weights. */
  learningRate: number;
  /**
   * `'adam'`: lazy Adam on the memories, Adam on the dense weights. `'rmsprop'`: the authors'
   * RMSProp (TensorFlow 1 semantics: decay 0.9, momentum 0.9, mean square starting at 1), lazy
   * on the memories.
   */
  optimizer: 'adam' | 'rmsprop';
  /** L2 penalty on the dense weight matrices, `l2 / 2 * sum ||W||^2` added to the mean BPR loss (the paper: 0.1). */
  l2: number;
  /** Epochs of GMF (BPR-MF) pre-training of m and e; 0 = none. */
  pretrainEpochs: number;
  /** Factor on the pre-trained embeddings when they initialise m and e (the authors' code: 0.5). */
  pretrainScale: number;
  /**
   * Solver of the GMF pre-training: `'sgd'` (BPR-MF's LearnBPR with its defaults: per-triple SGD,
   * lr 0.01, L2 0.002, normal(0, 0.01) start) or `'adam'` (mini-batch lazy Adam from a xavier
   * start, L2 1e-5; fast in few epochs, weaker after them).
   */
  pretrainSolver: 'adam' | 'sgd';
  /**
   * Initial output layer: `'glorot'` (random U, b = 0, random v) or `'gmf'` (U's GMF half the
   * identity, its memory half 0, b a constant that keeps the ReLU open, v = 1), so that the
   * untrained layer scores `m_u . e_i` plus a constant: the pre-trained GMF's ranking.
   */
  outputInit: 'glorot' | 'gmf';
  /** Training pairs attend over their item's neighbours without their own user (see `CollaborativeMemoryOptions.excludeSelf`). */
  excludeSelf: boolean;
}

/** Rules and defaults of {@link CmnOptions}. */
export const CMN_OPTIONS: OptionSpec<CmnOptions> = {
  dim: { rule: { type: 'int', min: 1 }, default: 32, doc: 'memory dimension' },
  hops: { rule: { type: 'int', min: 1 }, default: 2, doc: 'attention hops' },
  maxNeighbours: { rule: { type: 'int', min: 0 }, default: 16, doc: 'neighbourhood cap per item (0 = all neighbours)' },
  negatives: { rule: { type: 'int', min: 1 }, default: 4, doc: 'uniform negatives per positive' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.001, doc: 'learning rate (memories and dense weights)' },
  optimizer: { rule: { type: 'enum', values: ['adam', 'rmsprop'] }, default: 'adam', doc: 'adam (lazy on the memories) or rmsprop (the paper: decay 0.9, momentum 0.9)' },
  l2: { rule: { type: 'number', min: 0 }, default: 0, doc: 'L2 penalty on the dense weight matrices' },
  pretrainEpochs: { rule: { type: 'int', min: 0 }, default: 100, doc: 'epochs of GMF pre-training (0 = none)' },
  pretrainScale: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 1, doc: 'factor on the pre-trained embeddings (the paper: 0.5)' },
  pretrainSolver: { rule: { type: 'enum', values: ['adam', 'sgd'] }, default: 'sgd', doc: 'GMF pre-training solver: adam or sgd (LearnBPR)' },
  outputInit: { rule: { type: 'enum', values: ['glorot', 'gmf'] }, default: 'gmf', doc: 'initial output layer: glorot or gmf (starts as the pre-trained GMF)' },
  excludeSelf: { rule: { type: 'boolean' }, default: true, doc: 'training pairs attend without their own user' },
  epochs: { rule: TRAINING_RULES.epochs, default: 2, doc: 'passes over the training set (after pre-training)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 256, doc: 'events per mini-batch' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation, neighbourhoods, shuffles and negatives' },
};

/** The defaults of {@link Cmn}. */
export const CMN_DEFAULTS: CmnOptions = defaultsOf(CMN_OPTIONS);

/**
 * The paper's setup (Ebesu et al., SIGIR 2018, and the authors' `train.py` / `pretrain.py`):
 * d = 50, 2 hops, every neighbour (padded and masked), 4 uniform negatives, RMSProp lr 1e-3
 * (decay 0.9, momentum 0.9), L2 0.1 on the dense weights, batches of 128 (user, positive,
 * negative) triples (32 positives x 4 negatives), GMF pre-training (15 epochs, mini-batch) scaled
 * by 0.5, a randomly initialised output layer, 30 epochs. Training positives still attend without their own user (`excludeSelf`; the
 * authors' code keeps it).
 *
 * @example
 * ```ts
 * const cmn = new Cmn({ ...CMN_PAPER, seed: 1 });
 * ```
 */
export const CMN_PAPER: Partial<CmnOptions> = {
  dim: 50, hops: 2, maxNeighbours: 0, negatives: 4, optimizer: 'rmsprop', learningRate: 0.001, l2: 0.1,
  batchSize: 32, pretrainEpochs: 15, pretrainScale: 0.5, pretrainSolver: 'adam', outputInit: 'glorot', epochs: 30,
};

/**
 * CMN (Ebesu et al., SIGIR 2018): a CollaborativeMemory trained with BPR on uniform negatives,
 * optionally initialised from a GMF (BPR-MF) pre-training. By default the output layer starts
 * as that GMF (`outputInit: 'gmf'`, a departure from the paper's random start), so training
 * begins from the pre-trained ranking and adds the neighbourhood term to it. Neighbourhoods come from the training
 * set, so the model is static: `observe` records new events as seen (excluded from
 * recommendations) and the base class's neutral treatment handles users and items it never
 * trained on.
 *
 * @example
 * ```ts
 * import { Cmn } from '@memrec/models';
 * const cmn = new Cmn({ dim: 16, hops: 2 });
 * await cmn.fit(train, { seed: 1 });
 * cmn.recommend(0, 10);
 * ```
 */
export class Cmn extends BaseRecommender<CmnOptions> {
  readonly name = 'cmn';
  readonly kind = 'score' as const;
  readonly observeMode = 'ignored' as const;
  layer: CollaborativeMemory | null = null;
  private train: Interactions | null = null;

  constructor(options: Partial<CmnOptions> = {}) {
    super('Cmn', CMN_OPTIONS, options);
  }

  private build(train: Interactions, seed: number): CollaborativeMemory {
    const c = this.config;
    this.train = { users: train.users.slice(), items: train.items.slice(), numUsers: train.numUsers, numItems: train.numItems };
    this.layer = new CollaborativeMemory({
      numUsers: train.numUsers, numItems: train.numItems, dim: c.dim, hops: c.hops, seed,
      maxNeighbours: c.maxNeighbours === 0 ? train.numUsers : c.maxNeighbours,
      interactions: { users: train.users, items: train.items },
      optimizer: c.optimizer === 'rmsprop' ? { kind: 'rmsprop', learningRate: c.learningRate, decay: 0.9, momentum: 0.9 } : { kind: 'adam', learningRate: c.learningRate },
      learningRate: c.learningRate, l2: c.l2, excludeSelf: c.excludeSelf,
    });
    return this.layer;
  }

  private denseOf(layer: CollaborativeMemory): tf.Variable[] {
    const w = layer.weights;
    return [...w.hopW, ...w.hopB, w.U1, w.U2, w.bU, w.v];
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const layer = this.build(train, run.seed);
    const c = this.config;
    if (c.pretrainEpochs > 0) {
      // GMF pre-training: BPR-MF's LearnBPR (per-triple SGD), or mini-batch lazy Adam from a xavier start
      const gmf = c.pretrainSolver === 'sgd'
        ? new BprMf({ dim: c.dim, epochs: c.pretrainEpochs, seed: run.seed, solver: 'sgd' })
        : new BprMf({ dim: c.dim, epochs: c.pretrainEpochs, batchSize: run.batchSize, seed: run.seed, solver: 'adam', init: 'xavier', l2: 1e-5 });
      await gmf.fit(train, { onProgress: run.onProgress ? (p) => run.onProgress?.({ ...p, phase: 'GMF pre-train' }) : undefined });
      const scale = (t: SparseEmbedding) => t.data.slice(0, t.rows * t.dim).map((x) => x * c.pretrainScale);
      layer.initFromEmbeddings(scale(gmf.users), scale(gmf.items));
      gmf.dispose();
    }
    if (c.outputInit === 'gmf') gmfOutput(layer);
    const sampler = uniformSampler({ seen: this.seen, seed: run.seed });
    await trainLoop(train, run, {
      epochs: run.epochs,
      order: 'shuffled',
      phase: () => 'train',
      step: (bu, bi) => {
        const { users: u, items: i } = this.trainableRows(bu, bi);
        return u.length === 0 ? 0 : layer.trainStep(u, i, sampler.sample(u, i, c.negatives), (pos, ng) => bprLoss(pos, ng));
      },
    });
  }

  protected async observeModel(): Promise<void> {
    // Static: neighbourhoods and weights are fixed at training time (the base records the events as seen).
  }

  protected growModel(): void {
    // The layer keeps its trained size; ids beyond it are scored by the base's neutral treatment.
  }

  protected scoreAllModel(users: Int32Array, buffer?: Float32Array): Float32Array {
    const layer = this.layer as CollaborativeMemory;
    const n = this.numItems;
    const out = buffer?.fill(0) ?? new Float32Array(users.length * n);
    const inside: number[] = [];
    for (let r = 0; r < users.length; r++) if (users[r] < layer.numUsers) inside.push(r);
    if (inside.length === 0) return out;
    const rows = layer.scoreAll(Int32Array.from(inside, (r) => users[r]));
    const m = layer.numItems;
    inside.forEach((r, k) => out.set(rows.subarray(k * m, (k + 1) * m), r * n));
    return out;
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    const t = (this.layer as CollaborativeMemory).score(users, items);
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    const layer = this.layer as CollaborativeMemory;
    const train = this.train as Interactions;
    return {
      header: { trainUsers: train.numUsers, trainItems: train.numItems },
      blocks: {
        // values only: CMN is static after fit, so the memories' optimizer state is not kept
        m: tableValues(layer.userMemory),
        c: tableValues(layer.outputMemory),
        e: tableValues(layer.itemMemory),
        trainUserIds: train.users,
        trainItemIds: train.items,
        ...variablesToBlocks(this.denseOf(layer), 'dense'),
      },
    };
  }

  protected release(): void {
    this.layer?.dispose();
    this.layer = null;
  }

  /**
   * Restores a CMN saved by `toBytes` (neighbourhoods rebuilt from the saved training set).
   *
   * @example
   * ```ts
   * const again = Cmn.fromBytes(cmn.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Cmn {
    const fn = 'Cmn.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'cmn', fn);
    const m = new Cmn(c.config as Partial<CmnOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    const h = c.header as { trainUsers: number; trainItems: number };
    const users = typedBlock(c.blocks, 'trainUserIds', Int32Array, fn);
    const items = typedBlock(c.blocks, 'trainItemIds', Int32Array, fn, users.length);
    const layer = m.build({ users, items, numUsers: h.trainUsers, numItems: h.trainItems }, m.seed);
    for (const [k, table] of [['m', layer.userMemory], ['c', layer.outputMemory], ['e', layer.itemMemory]] as const) {
      table.data.set(typedBlock(c.blocks, k, Float32Array, fn, table.rows * table.dim));
    }
    assignVariables(m.denseOf(layer), c.blocks, 'dense', fn);
    return m;
  }
}

/**
 * Sets CMN's output layer so that it scores like the GMF its memories hold: U1 = I, U2 = 0,
 * v = 1 and b = the largest |m_u * e_i| coordinate bound (max |m| times max |e|), so every
 * hidden unit starts in the ReLU's linear part and `r = m_u . e_i + d b`.
 */
function gmfOutput(layer: CollaborativeMemory): void {
  const d = layer.dim;
  const maxAbs = (t: SparseEmbedding) => {
    let m = 0;
    for (let k = 0; k < t.rows * t.dim; k++) m = Math.max(m, Math.abs(t.data[k]));
    return m;
  };
  const b = maxAbs(layer.userMemory) * maxAbs(layer.itemMemory);
  const w = layer.weights;
  tf.tidy(() => {
    w.U1.assign(tf.eye(d));
    w.U2.assign(tf.zeros([d, d]));
    w.bU.assign(tf.fill([d], b));
    w.v.assign(tf.ones([d, 1]));
  });
  layer.invalidateCache();
}

/** The values of a table (rows x dim), without optimizer state. */
function tableValues(t: SparseEmbedding): Float32Array {
  return t.data.slice(0, t.rows * t.dim);
}
