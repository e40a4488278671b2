import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, seededRng } from '@memrec/core';
import { facetPool, facetPoolHost, fifoReadHost } from '@memrec/memory';
import { BaseRecommender, type TrainingOptions } from './base';
import { WindowBprModel } from './window-model';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { denseVariable } from './window-bpr';

/** Options of {@link Mars}. */
export interface MarsOptions extends TrainingOptions {
  /** Embedding size D of users and items. */
  dim: number;
  /** K: facets (memory slots) per user. */
  facets: number;
  /** L: the user's last L items the facets are built from. */
  history: number;
  /** Uniform negatives per positive (BPR). */
  negatives: number;
  /** Learning rate (lazy Adam on the tables, Adam on the facet keys). */
  learningRate: number;
}

/** Rules and defaults of {@link MarsOptions}. */
export const MARS_OPTIONS: OptionSpec<MarsOptions> = {
  dim: { rule: { type: 'int', min: 1 }, default: 64, doc: 'embedding size' },
  facets: { rule: { type: 'int', min: 1 }, default: 4, doc: 'K: facets (memory slots) per user' },
  history: { rule: { type: 'int', min: 1 }, default: 20, doc: "L: the user's last items the facets pool" },
  negatives: { rule: { type: 'int', min: 1 }, default: 4, doc: 'uniform negatives per positive' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.005, doc: 'learning rate' },
  epochs: { rule: TRAINING_RULES.epochs, default: 5, doc: 'passes over the training stream (the histories replay from the start each time)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 256, doc: 'events per mini-batch (history writes per batch)' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation and negatives' },
};

/** The defaults of {@link Mars}. */
export const MARS_DEFAULTS: MarsOptions = defaultsOf(MARS_OPTIONS);

/**
 * MARS (Zheng et al., "MARS: Memory Attention-Aware Recommender System", DSAA 2019, arXiv
 * 1805.07037): a user is several facets held in a memory built from her items, and each
 * candidate item attends over the facets, so the user's representation adapts to the item.
 * - Memory: the user's last `history` items `m_1..m_L` (`FifoItemMemory`) pooled into K facets
 *   by K trainable keys shared by all users (`facetPool`): `f_k = sum_j softmax_j(g_k . m_j) m_j`.
 * - Item-conditioned read: `r_ui = sum_k softmax_k(q_i . f_k) f_k` (`fifoReadHost` over the facets when ranking).
 * - Score `(p_u + r_ui) . q_i`, trained by BPR with `negatives` uniform negatives per positive.
 * What memrec chooses or simplifies where the public description leaves room: the facets are
 * attention pools of the user's recent item rows (no separate per-user memory matrix and no
 * content encoder: memrec has no item text), dot-product scores and BPR (not the paper's metric
 * and loss details), time-ordered mini-batches that train against the histories as they were and
 * then append the batch, and no gradient through time (a history holds item ids, so its slots
 * follow the item table as it trains). A user without history scores `p_u . q_i`.
 * `observe` runs the same step over new blocks in time order.
 *
 * @example
 * ```ts
 * import { Mars } from '@memrec/models';
 * const mars = new Mars({ facets: 4, history: 20 });
 * await mars.fit(train, { seed: 1 });
 * await mars.observe(block);
 * mars.recommend(0, 10);
 * ```
 */
export class Mars extends WindowBprModel<MarsOptions> {
  readonly name = 'mars';
  /** State block name of the facet keys `[K, D]` (the one dense weight). */
  protected readonly denseNames = ['keys'] as const;

  constructor(options: Partial<MarsOptions> = {}) {
    super('Mars', MARS_OPTIONS, options);
  }

  protected windowLength(): number {
    return this.config.history;
  }

  protected createDense(seed: number): tf.Variable[] {
    const c = this.config;
    return [denseVariable([c.facets, c.dim], Math.sqrt(3 / c.dim), seededRng(deriveSeed(seed, 'mars-keys')))];
  }

  protected scoreWindow(P: tf.Tensor2D, Q: tf.Tensor3D, slots: tf.Tensor3D, mask: tf.Tensor2D, [keys]: tf.Tensor[]): tf.Tensor2D {
    // facets once per user row; each candidate reads them by softmax_k(q_i . f_k)
    const facets = facetPool(keys as tf.Tensor2D, slots, mask); // [b, K, D]
    const w = tf.softmax(tf.matMul(Q, tf.transpose(facets, [0, 2, 1]))); // [b, C, K]
    const read = tf.matMul(w, facets); // [b, C, D]
    return tf.sum(tf.mul(tf.add(tf.expandDims(P, 1), read), Q), 2) as tf.Tensor2D;
  }

  /** The facets of `user`, `[K * D]`, and how many are real (K, or 0 without history). */
  facetsOf(user: number): { facets: Float32Array; length: number } {
    const { facets: K, dim: D } = this.config;
    const win = this.fifo.window(Int32Array.of(user));
    const n = win.lengths[0];
    const slots = this.items.gather(win.ids.subarray(0, n));
    const facets = facetPoolHost(this.dense[0].dataSync() as Float32Array, K, slots, n, D, 1, new Float32Array(K * D));
    return { facets, length: n > 0 ? K : 0 };
  }

  protected scoreAllModel(users: Int32Array, out?: Float32Array): Float32Array {
    const N = this.items.rows;
    const { dim: D, facets: K } = this.config;
    const res = out ?? new Float32Array(users.length * N);
    const Q = this.items.data.subarray(0, N * D);
    const reads = new Float32Array(N * D);
    users.forEach((u, r) => {
      const { facets, length } = this.facetsOf(u);
      fifoReadHost(Q, N, facets, length, K, D, 1, reads);
      const p = this.users.row(u);
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += (p[d] + reads[i * D + d]) * Q[i * D + d];
        res[r * N + i] = s;
      }
    });
    return res;
  }

  /**
   * Restores a MARS saved by `toBytes`: tables, every user's history and the facet keys.
   *
   * @example
   * ```ts
   * const again = Mars.fromBytes(mars.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Mars {
    const fn = 'Mars.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'mars', fn);
    const m = new Mars(c.config as Partial<MarsOptions>);
    WindowBprModel.restoreWindow(m, c, fn);
    return m;
  }
}
