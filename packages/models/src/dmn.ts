import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, seededRng } from '@memrec/core';
import { EpisodicGateCache, episodicRead, episodicScoresHost } from '@memrec/memory';
import { BaseRecommender, type TrainingOptions } from './base';
import { WindowBprModel } from './window-model';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { denseVariable } from './window-bpr';

/** Options of {@link Dmn}. */
export interface DmnOptions extends TrainingOptions {
  /** Embedding size D of users and items. */
  dim: number;
  /** L: the user's last L items, the memory the episodes attend over. */
  memory: number;
  /** Episodes (hops) of attention, each followed by a gated update of the query. */
  hops: number;
  /** Uniform negatives per positive (BPR). */
  negatives: number;
  /** Learning rate (lazy Adam on the tables, Adam on the gate weights). */
  learningRate: number;
}

/** Rules and defaults of {@link DmnOptions}. */
export const DMN_OPTIONS: OptionSpec<DmnOptions> = {
  dim: { rule: { type: 'int', min: 1 }, default: 64, doc: 'embedding size' },
  memory: { rule: { type: 'int', min: 1 }, default: 10, doc: "L: the user's last items the episodes attend over" },
  hops: { rule: { type: 'int', min: 1 }, default: 2, doc: 'episodes of attention, each with a gated query update' },
  negatives: { rule: { type: 'int', min: 1 }, default: 4, doc: 'uniform negatives per positive' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.005, doc: 'learning rate' },
  epochs: { rule: TRAINING_RULES.epochs, default: 5, doc: 'passes over the training stream (the memories replay from the start each time)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 256, doc: 'events per mini-batch (memory writes per batch)' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation and negatives' },
};

/** The defaults of {@link Dmn}. */
export const DMN_DEFAULTS: DmnOptions = defaultsOf(DMN_OPTIONS);

const DENSE = ['Wq', 'Wo', 'bg'] as const;

/**
 * DMN: the Deep Memory Network of the survey's table (Gligorijevic et al., "Modeling Mobile User
 * Actions for Purchase Recommendation using Deep Memory Networks", SIGIR 2018: a memory of the
 * user's past actions, queried by the candidate item's embedding, attention-weighted sums over
 * several hops, inner-product similarity), with the episodic, gated hops of dynamic memory
 * networks (Kumar et al., ICML 2016) as the per-hop update.
 * - Memory: the user's last `memory` items `m_1..m_L` (`FifoItemMemory`).
 * - Episodes (`episodicRead`): `q_0 = q_i`; for h = 1..hops,
 *   `a_j = softmax_j(q_{h-1} . m_j)`, `o_h = sum_j a_j m_j`,
 *   `g_h = sigmoid(q_0 W_q + o_h W_o + b_g)`, `q_h = (1 - g_h) * q_{h-1} + g_h * o_h`.
 * - Score `(p_u + q_hops) . q_i`, BPR with `negatives` uniform negatives per positive.
 * What memrec chooses where the public description leaves room: the memory holds item ids (no
 * action types: the data are item events), the user embedding `p_u` is added to the final
 * query (as RUM merges), the gate reads the candidate and the episode's read rather than the
 * previous query (a GRU's form), so that scoring a user against the whole catalogue costs
 * O(N L D) per hop; one set of gate weights is shared by all hops; dot-product scores and BPR
 * instead of the paper's purchase classifier; time-ordered mini-batches as in RUM; no gradient
 * through time. `observe` runs the same step over new blocks in time order.
 *
 * @example
 * ```ts
 * import { Dmn } from '@memrec/models';
 * const dmn = new Dmn({ memory: 10, hops: 2 });
 * await dmn.fit(train, { seed: 1 });
 * await dmn.observe(block);
 * dmn.recommend(0, 10);
 * ```
 */
export class Dmn extends WindowBprModel<DmnOptions> {
  readonly name = 'dmn';
  /** State block names of the gate weights `W_q` `[D, D]`, `W_o` `[D, D]`, `b_g` `[D]`. */
  protected readonly denseNames = DENSE;
  /** `q_i W_q + b_g` of every item, kept between scoring calls. */
  private readonly gates = new EpisodicGateCache();

  constructor(options: Partial<DmnOptions> = {}) {
    super('Dmn', DMN_OPTIONS, options);
  }

  protected windowLength(): number {
    return this.config.memory;
  }

  protected createDense(seed: number): tf.Variable[] {
    const D = this.config.dim;
    const rng = seededRng(deriveSeed(seed, 'dmn-gate'));
    const g = Math.sqrt(6 / (2 * D));
    return [denseVariable([D, D], g, rng), denseVariable([D, D], g, rng), denseVariable([D], 0, rng)];
  }

  protected scoreWindow(P: tf.Tensor2D, Q: tf.Tensor3D, slots: tf.Tensor3D, mask: tf.Tensor2D, [Wq, Wo, bg]: tf.Tensor[]): tf.Tensor2D {
    const q = episodicRead(Q, slots, mask, { Wq: Wq as tf.Tensor2D, Wo: Wo as tf.Tensor2D, bg: bg as tf.Tensor1D }, this.config.hops);
    return tf.sum(tf.mul(tf.add(tf.expandDims(P, 1), q), Q), 2) as tf.Tensor2D;
  }

  /**
   * Every item for each user in one fused host pass per user (`episodicScoresHost`: the same
   * float32 scores, bit for bit, as `episodicReadHost` then `(p_u + q_hops) . q_i`, which the
   * tests keep as the reference); `q_i W_q + b_g` is kept between calls while the item rows and
   * the gate weights are unchanged.
   */
  protected scoreAllModel(users: Int32Array, out?: Float32Array): Float32Array {
    const N = this.items.rows;
    const { dim: D, hops } = this.config;
    const res = out ?? new Float32Array(users.length * N);
    const Q = this.items.data.subarray(0, N * D);
    const [Wq, Wo, bg] = this.dense.map((v) => v.dataSync() as Float32Array);
    const queryGate = this.gates.get(Q, Wq, bg, D);
    users.forEach((u, r) => {
      const win = this.fifo.window(Int32Array.of(u));
      const n = win.lengths[0];
      const slots = this.items.gather(win.ids.subarray(0, n));
      episodicScoresHost({ queries: Q, queryGate, slots, length: n, dim: D, Wo, hops, user: this.users.row(u) }, res.subarray(r * N, (r + 1) * N));
    });
    return res;
  }

  protected override release(): void {
    this.gates.clear();
    super.release();
  }

  /**
   * Restores a DMN saved by `toBytes`: tables, every user's memory and the gate weights.
   *
   * @example
   * ```ts
   * const again = Dmn.fromBytes(dmn.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Dmn {
    const fn = 'Dmn.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'dmn', fn);
    const m = new Dmn(c.config as Partial<DmnOptions>);
    WindowBprModel.restoreWindow(m, c, fn);
    return m;
  }
}
