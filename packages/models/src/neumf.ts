import * as tf from '@tensorflow/tfjs-core';
import { readInto, SparseEmbedding, seededRng, type Interactions, type StateBlock } from '@memrec/core';
import { bceLoss, bprLoss } from '@memrec/losses';
import { uniformSampler, type NegativeSampler } from '@memrec/samplers';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { assignVariables, bytesBlock, variablesToBlocks } from './state';
import { orderedBatches, trainLoop, type TrainLoopOptions } from './train-loop';

/** Options of {@link NeuMf}. */
export interface NeuMfOptions extends TrainingOptions {
  /** Embedding size of each branch (GMF and MLP). */
  factors: number;
  /** Hidden layer sizes of the MLP branch. */
  layers: number[];
  /** Sampled negatives per positive. */
  negatives: number;
  /** Adam learning rate (tables: lazy Adam). */
  learningRate: number;
  /** 'bce' (the paper, pointwise) or 'bpr' (the d2l chapter, pairwise). */
  loss: 'bce' | 'bpr';
  /** Epochs training the GMF and MLP heads separately before NeuMF (alpha = 0.5 merge); 0 = none. */
  pretrainEpochs: number;
  /** Passes over each streamed block in `observe`; 0 keeps the model static. */
  observeEpochs: number;
}

/** Rules and defaults of {@link NeuMfOptions}. */
export const NEUMF_OPTIONS: OptionSpec<NeuMfOptions> = {
  factors: { rule: { type: 'int', min: 1 }, default: 16, doc: 'embedding size of each branch' },
  layers: { rule: { type: 'intList', min: 1, minLength: 1 }, default: [32, 16, 8], doc: 'MLP hidden layer sizes' },
  negatives: { rule: { type: 'int', min: 1 }, default: 6, doc: 'sampled negatives per positive (6: chosen over 4 and 8 on MovieLens-100K and the synthetic stream)' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.005, doc: 'Adam learning rate' },
  loss: { rule: { type: 'enum', values: ['bce', 'bpr'] }, default: 'bce', doc: 'bce (paper) or bpr (d2l)' },
  pretrainEpochs: { rule: { type: 'int', min: 0 }, default: 6, doc: 'epochs of separate GMF / MLP head training first (the paper\'s pre-training)' },
  observeEpochs: { rule: { type: 'int', min: 0 }, default: 0, doc: 'passes over each streamed block (0 = static)' },
  epochs: { rule: TRAINING_RULES.epochs, default: 2, doc: 'passes over the training set (after pre-training)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 256, doc: 'events per mini-batch' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation, shuffles and negatives' },
};

/** The defaults of {@link NeuMf}. */
export const NEUMF_DEFAULTS: NeuMfOptions = defaultsOf(NEUMF_OPTIONS);

/**
 * NeuMF (He et al., WWW 2017): a GMF branch p_u * q_i and an MLP over [u_u ; v_i] with their own
 * embeddings (SparseEmbedding tables), fused by one output unit: y = h_G . (p*q) + h_M . mlp + b.
 * Trained with BCE on sampled negatives (paper) or BPR (d2l); optional pre-training of the two
 * heads separately, merged with alpha = 0.5. Static by default; with `observeEpochs > 0`,
 * `observe` takes incremental steps on new blocks (the tables grow for new ids).
 *
 * @example
 * ```ts
 * import { NeuMf } from '@memrec/models';
 * const neumf = new NeuMf({ factors: 8, layers: [16, 8] });
 * await neumf.fit(train, { epochs: 3, seed: 1 });
 * neumf.recommend(0, 10);
 * ```
 */
export class NeuMf extends BaseRecommender<NeuMfOptions> {
  readonly name = 'neumf';
  readonly kind = 'score' as const;
  private tables: SparseEmbedding[] = []; // P, Q (GMF), U, V (MLP)
  private dense: tf.Variable[] = []; // W1a, W1b, b1, [W_l, b_l]..., hG, hM, b
  private optimizer: tf.Optimizer | null = null;
  private sampler!: NegativeSampler;

  constructor(options: Partial<NeuMfOptions> = {}) {
    super('NeuMf', NEUMF_OPTIONS, options);
  }

  get observeMode(): 'incremental' | 'ignored' {
    return this.config.observeEpochs > 0 ? 'incremental' : 'ignored';
  }

  private init(numUsers: number, numItems: number, seed: number): void {
    const { factors: f, layers, learningRate: lr } = this.config;
    const opt = { kind: 'adam' as const, learningRate: lr };
    this.tables = [numUsers, numItems, numUsers, numItems].map((rows, k) => new SparseEmbedding({ rows, dim: f, optimizer: opt, seed: seed * 5 + k, init: { kind: 'normal', std: 0.01 } }));
    const rng = seededRng(seed * 5 + 4);
    const own = (t: tf.Tensor) => {
      const v = tf.variable(t);
      t.dispose(); // the variable keeps its own copy
      return v;
    };
    const glorot = (a: number, b: number) => own(tf.tensor2d(Float32Array.from({ length: a * b }, () => (rng() * 2 - 1) * Math.sqrt(6 / (a + b))), [a, b]));
    const zeros = (n: number) => own(tf.zeros([n]));
    const mlp: tf.Variable[] = [glorot(f, layers[0]), glorot(f, layers[0]), zeros(layers[0])];
    for (let l = 1; l < layers.length; l++) mlp.push(glorot(layers[l - 1], layers[l]), zeros(layers[l]));
    this.dense = [...mlp, glorot(f, 1), glorot(layers[layers.length - 1], 1), zeros(1)];
    this.optimizer = tf.train.adam(lr);
  }

  private initSampler(): void {
    this.sampler = uniformSampler({ seen: this.seen, seed: this.seed });
  }

  /**
   * GMF and MLP feature vectors of (user, item) rows, `[b * k, f]` and `[b * k, last]`: user rows
   * `p`, `u` are `[b, f]`, item rows `q`, `v` are `[b * k, f]`, and item row `t * k + j` goes with
   * user row t. The user side of the first MLP layer (`u W1a`) is computed once per user row and
   * broadcast over its k items (a positive and its negatives share it).
   */
  private branches(p: tf.Tensor, q: tf.Tensor, u: tf.Tensor, v: tf.Tensor, w: tf.Tensor[], k = 1): [tf.Tensor, tf.Tensor] {
    const b = p.shape[0];
    const f = p.shape[1] as number;
    const h1 = w[2].shape[0];
    const gmf = k === 1 ? tf.mul(p, q) : tf.reshape(tf.mul(tf.reshape(q, [b, k, f]), tf.expandDims(p, 1)), [b * k, f]);
    const first = k === 1 ? tf.add(tf.matMul(u, w[0]), tf.matMul(v, w[1])) : tf.reshape(tf.add(tf.reshape(tf.matMul(v, w[1]), [b, k, h1]), tf.expandDims(tf.matMul(u, w[0]), 1)), [b * k, h1]);
    let h = tf.relu(tf.add(first, w[2]));
    for (let l = 3; l < w.length - 3; l += 2) h = tf.relu(tf.add(tf.matMul(h, w[l]), w[l + 1]));
    return [gmf, h];
  }

  /** One step on (users, positives) with sampled negatives; `heads` trains GMF and MLP separately (pre-training). */
  private step(batchUsers: Int32Array, batchPos: Int32Array, heads: boolean): number {
    const { users, items: pos } = this.trainableRows(batchUsers, batchPos);
    if (users.length === 0) return 0;
    const n = this.config.negatives;
    const neg = this.sampler.sample(users, pos, n);
    const b = users.length;
    const k = n + 1;
    // row t of the batch: its positive, then its n negatives (one user row serves all k items)
    const items = new Int32Array(b * k);
    for (let t = 0; t < b; t++) {
      items[t * k] = pos[t];
      items.set(neg.subarray(t * n, (t + 1) * n), t * k + 1);
    }
    const looked = [this.tables[0].lookup(users), this.tables[1].lookup(items), this.tables[2].lookup(users), this.tables[3].lookup(items)];
    const f = (...xs: tf.Tensor[]) =>
      tf.tidy(() => {
        const w = xs.slice(4);
        const [g, m] = this.branches(xs[0], xs[1], xs[2], xs[3], w, k);
        const [hG, hM, bias] = w.slice(-3);
        // Pre-training trains the two heads separately; the fused bias takes a zero gradient then.
        const outs = heads ? [tf.matMul(g, hG), tf.add(tf.matMul(m, hM), tf.mul(bias, 0))] : [tf.add(tf.add(tf.matMul(g, hG), tf.matMul(m, hM)), bias)];
        const losses = outs.map((o) => {
          const s = tf.reshape(o, [b, k]);
          const sp = tf.reshape(tf.slice(s, [0, 0], [b, 1]), [b]);
          const sn = tf.slice(s, [0, 1], [b, n]);
          return this.config.loss === 'bce' ? bceLoss(sp, sn) : bprLoss(sp, sn);
        });
        return tf.addN(losses) as tf.Scalar;
      });
    const { value, grads } = tf.valueAndGrads(f)([...looked, ...this.dense]);
    this.tables[0].applyGradients(users, grads[0]);
    this.tables[1].applyGradients(items, grads[1]);
    this.tables[2].applyGradients(users, grads[2]);
    this.tables[3].applyGradients(items, grads[3]);
    (this.optimizer as tf.Optimizer).applyGradients(this.dense.map((v, k) => ({ name: v.name, tensor: grads[4 + k] })));
    const loss = value.dataSync()[0];
    tf.dispose([value, ...grads, ...looked]);
    return loss;
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    this.init(train.numUsers, train.numItems, run.seed);
    this.initSampler();
    const pre = this.config.pretrainEpochs;
    await trainLoop(train, run, {
      epochs: pre + run.epochs,
      order: 'shuffled',
      phase: (e) => (e < pre ? 'pre-train' : 'train'),
      beforeEpoch: (e) => {
        if (e === pre && pre > 0) for (const h of this.dense.slice(-3, -1)) tf.tidy(() => h.assign(tf.mul(h, 0.5))); // alpha = 0.5
      },
      step: (u, i, e) => this.step(u, i, e < pre),
    });
  }

  protected async observeModel(events: Interactions): Promise<void> {
    for (let e = 0; e < this.config.observeEpochs; e++) {
      for (const b of orderedBatches(events, this.batchSize)) this.step(b.users, b.items, false);
    }
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.tables.forEach((t, k) => t.grow(k % 2 === 0 ? numUsers : numItems));
  }

  protected scoreAllModel(users: Int32Array, buffer?: Float32Array): Float32Array {
    const N = this.numItems;
    const out = buffer ?? new Float32Array(users.length * N);
    const chunk = 64;
    const w = this.dense;
    const [hG, hM, bias] = w.slice(-3);
    // Item-side terms are the same for every user chunk: compute them once per call.
    const [q, vW] = tf.tidy(() => [this.tables[1].toTensor(), tf.expandDims(tf.matMul(this.tables[3].toTensor(), w[1]), 0)]);
    try {
      for (let s = 0; s < users.length; s += chunk) {
        const ids = users.subarray(s, Math.min(users.length, s + chunk));
        const t = tf.tidy(() => {
          const [p, u] = [this.tables[0].lookup(ids), this.tables[2].lookup(ids)];
          const gmf = tf.matMul(tf.mul(p, tf.reshape(hG, [1, -1])), q, false, true); // [b, N]
          let h = tf.relu(tf.add(tf.add(tf.expandDims(tf.matMul(u, w[0]), 1), vW), w[2]));
          h = tf.reshape(h, [ids.length * N, -1]);
          for (let l = 3; l < w.length - 3; l += 2) h = tf.relu(tf.add(tf.matMul(h, w[l]), w[l + 1]));
          return tf.add(tf.add(gmf, tf.reshape(tf.matMul(h, hM), [ids.length, N])), bias);
        });
        readInto(t, out.subarray(s * N));
        t.dispose();
      }
    } finally {
      tf.dispose([q, vW]);
    }
    return out;
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    const t = tf.tidy(() => {
      const [p, q, u, v] = [this.tables[0].lookup(users), this.tables[1].lookup(items), this.tables[2].lookup(users), this.tables[3].lookup(items)];
      const [g, m] = this.branches(p, q, u, v, this.dense);
      const [hG, hM, bias] = this.dense.slice(-3);
      return tf.reshape(tf.add(tf.add(tf.matMul(g, hG), tf.matMul(m, hM)), bias), [-1]);
    });
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    const blocks: Record<string, StateBlock> = variablesToBlocks(this.dense, 'dense');
    this.tables.forEach((t, k) => (blocks[`table${k}`] = t.toBytes()));
    return { header: {}, blocks };
  }

  protected release(): void {
    if (this.dense.length) tf.dispose(this.dense);
    this.dense = [];
    this.optimizer?.dispose();
    this.optimizer = null;
  }

  /**
   * Restores a NeuMF saved by `toBytes` (the dense optimizer restarts if it trains further).
   *
   * @example
   * ```ts
   * const again = NeuMf.fromBytes(neumf.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): NeuMf {
    const fn = 'NeuMf.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'neumf', fn);
    const m = new NeuMf(c.config as Partial<NeuMfOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    const tables = [0, 1, 2, 3].map((k) => SparseEmbedding.fromBytes(bytesBlock(c.blocks, `table${k}`, fn)));
    m.init(tables[0].rows, tables[1].rows, m.seed);
    m.tables = tables;
    assignVariables(m.dense, c.blocks, 'dense', fn);
    m.initSampler();
    return m;
  }
}
