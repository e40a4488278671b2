import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, matMul2d, seededRng, SparseEmbedding, type Interactions, type Rng, type StateBlock } from '@memrec/core';
import { GruLayer } from '@memrec/memory';
import { candidateLoss, type CandidateLossGrads } from './candidate-loss';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { bytesBlock, typedBlock } from './state';
import { sessionIndex, sessionParallel } from './session-parallel';
import { SequenceStates } from './sequence-states';
import { tick, type TrainLoopOptions } from './train-loop';

/** Options of {@link Gru4Rec}. */
export interface Gru4RecOptions extends TrainingOptions {
  /** H: GRU hidden units (and the output item embedding size). */
  hidden: number;
  /** `bpr`: mean of -log sigmoid(r_pos - r_neg) over the negatives; `ce`: softmax cross-entropy of the target among the candidates. */
  loss: 'bpr' | 'ce';
  /** Uniform negatives drawn per mini-batch and shared by its rows, besides the other rows' targets. */
  negatives: number;
  /** Learning rate (lazy Adam on the item rows, Adam on the recurrent weights). */
  learningRate: number;
  /** A new session starts after more than this many seconds without an event of the user; 0: one session per user. */
  sessionGap: number;
}

/** Rules and defaults of {@link Gru4RecOptions}. */
export const GRU4REC_OPTIONS: OptionSpec<Gru4RecOptions> = {
  hidden: { rule: { type: 'int', min: 1 }, default: 64, doc: 'GRU hidden units' },
  loss: { rule: { type: 'enum', values: ['bpr', 'ce'] }, default: 'ce', doc: 'bpr or cross-entropy over in-batch and sampled negatives' },
  negatives: { rule: { type: 'int', min: 0 }, default: 64, doc: 'uniform negatives per mini-batch, shared by its rows' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.005, doc: 'learning rate' },
  sessionGap: { rule: { type: 'number', min: 0 }, default: 0, doc: 'seconds of inactivity that start a new session (0: one session per user)' },
  epochs: { rule: TRAINING_RULES.epochs, default: 5, doc: 'passes over the training sessions' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 64, doc: 'parallel sessions per mini-batch (streaming: events per batch)' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation and negatives' },
};

/** The defaults of {@link Gru4Rec}. */
export const GRU4REC_DEFAULTS: Gru4RecOptions = defaultsOf(GRU4REC_OPTIONS);

/**
 * GRU4Rec (Hidasi et al., "Session-based Recommendations with Recurrent Neural Networks",
 * ICLR 2016): a GRU reads a user's items one at a time (one-hot input, so its input side is a
 * sparse table: `GruLayer`); the score of item i after state h is `[h, 1] . o_i` (an output item
 * embedding with a bias column). Training takes session-parallel mini-batches (`batchSize`
 * sessions side by side, a lane resets when its session ends), the targets of the other rows as
 * negatives plus `negatives` uniform ones shared by the batch, BPR or cross-entropy, and a
 * gradient one step back (the state that enters a step is a constant), as GRU4Rec's own code.
 * Sessions: one per user by default, or cut at gaps longer than `sessionGap` seconds.
 * `observe` continues each user's sequence in time order: a step on (previous state, previous
 * item -> new item), then the state moves on. Not in the paper: the bias column (so a user
 * without history gets a learned popularity ranking), and Adam instead of Adagrad.
 *
 * @example
 * ```ts
 * import { Gru4Rec } from '@memrec/models';
 * const gru = new Gru4Rec({ hidden: 32, epochs: 3 });
 * await gru.fit(train, { seed: 1 });
 * await gru.observe(block); // continues each user's sequence
 * gru.recommend(0, 10);
 * ```
 */
export class Gru4Rec extends BaseRecommender<Gru4RecOptions> {
  readonly name = 'gru4rec';
  readonly kind = 'score' as const;
  readonly observeMode = 'incremental' as const;
  gru: GruLayer | null = null;
  /** Output item embeddings `[items, H + 1]` (last column: the item's bias). */
  out!: SparseEmbedding;
  /** Per-user sequence state (previous state, last item, current state, last time). */
  states!: SequenceStates;
  private rng!: Rng;

  constructor(options: Partial<Gru4RecOptions> = {}) {
    super('Gru4Rec', GRU4REC_OPTIONS, options);
  }

  private get layer(): GruLayer {
    return this.gru as GruLayer;
  }

  private init(numUsers: number, input: SparseEmbedding, out: SparseEmbedding, seed: number): void {
    const H = this.config.hidden;
    this.gru = new GruLayer({ input, hidden: H, seed: deriveSeed(seed, 'gru4rec-gru') });
    this.out = out;
    this.states = new SequenceStates(numUsers, H);
    this.rng = seededRng(deriveSeed(seed, `gru4rec-negatives-${this.seen.version}`));
  }

  private freshTables(numItems: number, seed: number): { input: SparseEmbedding; out: SparseEmbedding } {
    const H = this.config.hidden;
    const opt = { kind: 'adam' as const, learningRate: this.config.learningRate };
    return {
      input: new SparseEmbedding({ rows: numItems, dim: 3 * H, optimizer: opt, init: { kind: 'uniform', scale: Math.sqrt(6 / (4 * H)) }, seed: deriveSeed(seed, 'gru4rec-input') }),
      out: new SparseEmbedding({ rows: numItems, dim: H + 1, optimizer: opt, init: { kind: 'normal', std: 0.05 }, seed: deriveSeed(seed, 'gru4rec-output') }),
    };
  }

  /**
   * One step on pairs (state `hPrev` `[b * H]`, input item -> target item): the loss over the
   * targets of the batch and `negatives` uniform items, gradients to the GRU (input rows, U, bias)
   * and the candidates' output rows, forward and backward on the host (`GruLayer.gradHost`,
   * `candidateLoss`; the tests hold both to tfjs). Returns the loss and the states after the
   * inputs (computed with the weights before the step, as the forward pass saw them).
   */
  trainPairs(inputs: Int32Array, targets: Int32Array, hPrev: Float32Array): { loss: number; hNext: Float32Array } {
    const b = inputs.length;
    const H = this.config.hidden;
    const n = this.config.negatives;
    const N = this.out.rows;
    const cand = new Int32Array(b + n);
    cand.set(targets);
    for (let k = 0; k < n; k++) cand[b + k] = Math.floor(this.rng() * N);
    const C = cand.length;
    const keep = new Uint8Array(b * C); // the target's column, and every column holding another item
    const pos = Int32Array.from({ length: b }, (_, r) => r);
    for (let r = 0; r < b; r++) for (let c = 0; c < C; c++) keep[r * C + c] = c === r || cand[c] !== targets[r] ? 1 : 0;
    const o = this.out.gather(cand);
    let lossGrads: CandidateLossGrads | null = null;
    const g = this.layer.gradHost(inputs, hPrev, (hNext) => {
      const q = new Float32Array(b * (H + 1));
      for (let r = 0; r < b; r++) {
        q.set(hNext.subarray(r * H, (r + 1) * H), r * (H + 1));
        q[r * (H + 1) + H] = 1;
      }
      const L = candidateLoss(q, b, o, C, H + 1, keep, pos, this.config.loss);
      lossGrads = L;
      const dh = new Float32Array(b * H);
      for (let r = 0; r < b; r++) dh.set(L.dq.subarray(r * (H + 1), r * (H + 1) + H), r * H);
      return dh;
    });
    const L = lossGrads as unknown as CandidateLossGrads;
    this.layer.applyGradients(inputs, g.gInput, g.gU, g.gBias);
    this.out.applyGradients(cand, L.dO);
    return { loss: L.loss, hNext: g.hNext };
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const { input, out } = this.freshTables(train.numItems, run.seed);
    this.init(train.numUsers, input, out, run.seed);
    const H = this.config.hidden;
    const index = sessionIndex(train, this.config.sessionGap);
    const lanes = run.batchSize;
    const laneH = new Float32Array(lanes * H);
    const pairs = train.users.length - index.users.length;
    const total = run.epochs * pairs;
    let done = 0;
    for (let e = 0; e < run.epochs; e++) {
      const last = e === run.epochs - 1;
      let lossSum = 0;
      let count = 0;
      for (const s of sessionParallel(train, index, lanes)) {
        const b = s.lanes.length;
        const hPrev = new Float32Array(b * H);
        for (let r = 0; r < b; r++) if (!s.starts[r]) hPrev.set(laneH.subarray(s.lanes[r] * H, (s.lanes[r] + 1) * H), r * H);
        const { loss, hNext } = this.trainPairs(s.inputs, s.targets, hPrev);
        for (let r = 0; r < b; r++) laneH.set(hNext.subarray(r * H, (r + 1) * H), s.lanes[r] * H);
        if (last) for (let r = 0; r < b; r++) if (s.ends[r]) this.states.endSession(s.users[r], s.sessions[r], hNext.subarray(r * H, (r + 1) * H), s.targets[r]);
        lossSum += loss * b;
        count += b;
        done += b;
        run.onLoss?.(done, loss);
        run.onProgress?.({ phase: 'train', done, total, loss });
        await tick();
      }
      if (run.onEpochEnd && (await run.onEpochEnd({ epoch: e, loss: count > 0 ? lossSum / count : 0 })) === true) break;
    }
    this.states.finishFit(train, index);
    this.states.refresh(this.layer);
  }

  protected async observeModel(events: Interactions): Promise<void> {
    const gap = this.config.sessionGap;
    for (const batch of this.states.distinctUserBatches(events, this.batchSize)) {
      const { users, items, times } = batch;
      const cont = this.states.continuing(users, times, gap);
      const rows = cont.rows;
      if (rows.length > 0) {
        const H = this.config.hidden;
        const hPrev = new Float32Array(rows.length * H);
        const inputs = new Int32Array(rows.length);
        const targets = new Int32Array(rows.length);
        rows.forEach((k, r) => {
          hPrev.set(this.states.prevOf(users[k]), r * H);
          inputs[r] = this.states.last[users[k]];
          targets[r] = items[k];
        });
        this.trainPairs(inputs, targets, hPrev);
      }
      this.states.advance(this.layer, users, items, times, cont.continues);
      await tick();
    }
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.layer.grow(numItems);
    this.out.grow(numItems);
    this.states.grow(numUsers);
  }

  protected scoreAllModel(users: Int32Array, out?: Float32Array): Float32Array {
    const H = this.config.hidden;
    const q = new Float32Array(users.length * (H + 1));
    users.forEach((u, r) => {
      q.set(this.states.currentOf(u), r * (H + 1));
      q[r * (H + 1) + H] = 1;
    });
    const scores = tf.tidy(() => matMul2d(tf.tensor2d(q, [users.length, H + 1], 'float32'), this.out.toTensor(), false, true));
    try {
      const values = scores.dataSync() as Float32Array;
      if (!out) return Float32Array.from(values);
      out.set(values);
      return out;
    } finally {
      scores.dispose();
    }
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    const H = this.config.hidden;
    const O = this.out.data;
    return Float32Array.from(users, (u, k) => {
      const h = this.states.currentOf(u);
      const o = items[k] * (H + 1);
      let s = O[o + H];
      for (let d = 0; d < H; d++) s += h[d] * O[o + d];
      return s;
    });
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    return { header: {}, blocks: { input: this.layer.input.toBytes(), gru: this.layer.stateToBytes(), out: this.out.toBytes(), ...this.states.toBlocks() } };
  }

  protected release(): void {
    this.gru?.dispose();
    this.gru = null;
  }

  /**
   * Restores a GRU4Rec saved by `toBytes`: weights, tables and every user's sequence state.
   *
   * @example
   * ```ts
   * const again = Gru4Rec.fromBytes(gru.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Gru4Rec {
    const fn = 'Gru4Rec.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'gru4rec', fn);
    const m = new Gru4Rec(c.config as Partial<Gru4RecOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    m.init(m.numUsers, SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'input', fn)), SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'out', fn)), m.seed);
    m.layer.stateFromBytes(bytesBlock(c.blocks, 'gru', fn));
    m.states = SequenceStates.fromBlocks(c.blocks, m.numUsers, m.config.hidden, fn, typedBlock);
    return m;
  }
}
