import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding, UserItemSet, seededRng, type Interactions } from '@memrec/core';
import { bceLoss, bprLoss } from '@memrec/losses';
import { uniformSampler, type NegativeSampler } from '@memrec/samplers';
import { orderedBatches, trainLoop } from './batches';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { packVariables, unpackVariables } from './dense-state';
import type { FitOptions, Recommender } from './types';

/** Hyperparameters of {@link NeuMf}. */
export interface NeuMfConfig {
  factors: number;
  layers: number[];
  negatives: number;
  learningRate: number;
  /** 'bce' (the paper, pointwise) or 'bpr' (the d2l chapter, pairwise). */
  loss: 'bce' | 'bpr';
  /** Epochs training the GMF and MLP heads separately before NeuMF (alpha = 0.5 merge); 0 = none. */
  pretrainEpochs: number;
  /** Passes over each streamed block in `observe`; 0 (default) keeps the model static. */
  observeEpochs: number;
}

export const NEUMF_DEFAULTS: NeuMfConfig = { factors: 16, layers: [32, 16, 8], negatives: 4, learningRate: 0.005, loss: 'bce', pretrainEpochs: 0, observeEpochs: 0 };

/**
 * NeuMF (He et al., WWW 2017): GMF branch p_u * q_i and an MLP over [u_u ; v_i] with their own
 * embeddings (SparseEmbedding tables), fused by one output unit: y = h_G . (p*q) + h_M . mlp + b.
 * Trained with BCE on 4 sampled negatives (paper) or BPR (d2l); optional pre-training of the two
 * heads separately, merged with alpha = 0.5. Static by default; with `observeEpochs > 0`, `observe`
 * takes incremental steps on new blocks.
 *
 * @example
 * ```ts
 * const neumf = new NeuMf({ loss: 'bce' });
 * await neumf.fit(train, { epochs: 3, batchSize: 256, seed: 1 });
 * ```
 */
export class NeuMf implements Recommender {
  readonly name = 'neumf';
  readonly kind = 'score' as const;
  readonly config: NeuMfConfig;
  private tables!: SparseEmbedding[]; // P, Q (GMF), U, V (MLP)
  private dense!: tf.Variable[]; // W1a, W1b, b1, [W_l, b_l]..., hG, hM, b
  private optimizer!: tf.Optimizer;
  private sampler!: NegativeSampler;
  private seen!: UserItemSet;
  private batchSize = 256;

  constructor(config: Partial<NeuMfConfig> = {}) {
    this.config = { ...NEUMF_DEFAULTS, ...config };
  }

  get numItems(): number {
    return this.tables[1].rows;
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
      t.dispose(); // the variable keeps its own reference
      return v;
    };
    const glorot = (a: number, b: number) => own(tf.tensor2d(Float32Array.from({ length: a * b }, () => (rng() * 2 - 1) * Math.sqrt(6 / (a + b))), [a, b]));
    const zeros = (n: number) => own(tf.zeros([n]));
    const mlp: tf.Variable[] = [glorot(f, layers[0]), glorot(f, layers[0]), zeros(layers[0])];
    for (let l = 1; l < layers.length; l++) mlp.push(glorot(layers[l - 1], layers[l]), zeros(layers[l]));
    this.dense = [...mlp, glorot(f, 1), glorot(layers[layers.length - 1], 1), zeros(1)];
    this.optimizer = tf.train.adam(lr);
    this.seen = new UserItemSet(numUsers, numItems);
    this.sampler = uniformSampler({ seen: this.seen, seed });
  }

  /** GMF and MLP feature vectors of (user, item) rows: [n, f] and [n, last]. */
  private branches(p: tf.Tensor, q: tf.Tensor, u: tf.Tensor, v: tf.Tensor, w: tf.Tensor[]): [tf.Tensor, tf.Tensor] {
    let h = tf.relu(tf.add(tf.add(tf.matMul(u, w[0]), tf.matMul(v, w[1])), w[2]));
    for (let l = 3; l < w.length - 3; l += 2) h = tf.relu(tf.add(tf.matMul(h, w[l]), w[l + 1]));
    return [tf.mul(p, q), h];
  }

  /** One step on (users, positives) with sampled negatives; `heads` trains GMF and MLP separately (pre-training). */
  private step(users: Int32Array, pos: Int32Array, heads: boolean): number {
    const n = this.config.negatives;
    const neg = this.sampler.sample(users, pos, n);
    const b = users.length;
    const uRep = Int32Array.from({ length: b * (n + 1) }, (_, k) => users[k < b ? k : Math.floor((k - b) / n)]);
    const items = Int32Array.from([...pos, ...neg]);
    const looked = [this.tables[0].lookup(uRep), this.tables[1].lookup(items), this.tables[2].lookup(uRep), this.tables[3].lookup(items)];
    const f = (...xs: tf.Tensor[]) =>
      tf.tidy(() => {
        const w = xs.slice(4);
        const [g, m] = this.branches(xs[0], xs[1], xs[2], xs[3], w);
        const [hG, hM, bias] = w.slice(-3);
        const logits = (x: tf.Tensor) => tf.reshape(x, [-1]);
        const outs = heads ? [tf.matMul(g, hG), tf.matMul(m, hM)] : [tf.add(tf.add(tf.matMul(g, hG), tf.matMul(m, hM)), bias)];
        const losses = outs.map((o) => {
          const s = logits(o);
          const sp = tf.slice(s, 0, b);
          const sn = tf.reshape(tf.slice(s, b, b * n), [b, n]);
          return this.config.loss === 'bce' ? bceLoss(sp, sn) : bprLoss(sp, sn);
        });
        return tf.addN(losses) as tf.Scalar;
      });
    const { value, grads } = tf.valueAndGrads(f)([...looked, ...this.dense]);
    this.tables[0].applyGradients(uRep, grads[0]);
    this.tables[1].applyGradients(items, grads[1]);
    this.tables[2].applyGradients(uRep, grads[2]);
    this.tables[3].applyGradients(items, grads[3]);
    this.optimizer.applyGradients(this.dense.map((v, k) => ({ name: v.name, tensor: grads[4 + k] })));
    const loss = value.dataSync()[0];
    tf.dispose([value, ...grads, ...looked]);
    return loss;
  }

  async fit(train: Interactions, options: FitOptions): Promise<void> {
    this.batchSize = options.batchSize;
    this.init(train.numUsers, train.numItems, options.seed);
    this.seen.addAll(train.users, train.items);
    const pre = this.config.pretrainEpochs;
    await trainLoop(train, options, {
      epochs: pre + options.epochs,
      order: 'shuffled',
      phase: (e) => (e < pre ? 'pre-train' : 'train'),
      beforeEpoch: (e) => {
        if (e === pre && pre > 0) for (const h of this.dense.slice(-3, -1)) tf.tidy(() => h.assign(tf.mul(h, 0.5))); // alpha = 0.5
      },
      step: (u, i, e) => this.step(u, i, e < pre),
    });
  }

  async observe(batch: Interactions): Promise<void> {
    this.seen.addAll(batch.users, batch.items);
    for (let e = 0; e < this.config.observeEpochs; e++) {
      for (const b of orderedBatches(batch, this.batchSize)) this.step(b.users, b.items, false);
    }
  }

  scoreAll(users: Int32Array): Float32Array {
    const N = this.numItems;
    const out = new Float32Array(users.length * N);
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
        out.set(t.dataSync() as Float32Array, s * N);
        t.dispose();
      }
    } finally {
      tf.dispose([q, vW]);
    }
    return out;
  }

  async save(dir: string, extra: Record<string, Uint8Array> = {}): Promise<void> {
    const blobs: Record<string, Uint8Array> = { ...extra, dense: packVariables(this.dense) };
    this.tables.forEach((t, k) => (blobs[`table${k}`] = t.toBytes()));
    await writeCheckpoint(dir, { model: this.name, config: { ...this.config, batchSize: this.batchSize }, blobs });
  }

  /** Loads a checkpoint written by {@link NeuMf.save}. */
  static load(dir: string): NeuMf {
    const ck = readCheckpoint(dir, 'neumf');
    const m = new NeuMf(ck.config as Partial<NeuMfConfig>);
    const tables = [0, 1, 2, 3].map((k) => SparseEmbedding.fromBytes(ck.blobs[`table${k}`]));
    m.init(tables[0].rows, tables[1].rows, 0);
    m.tables = tables;
    unpackVariables(ck.blobs.dense, m.dense, 'neumf dense weights');
    m.batchSize = Number(ck.config.batchSize ?? 256);
    return m;
  }

  dispose(): void {
    if (this.dense) tf.dispose(this.dense);
    this.optimizer?.dispose();
  }
}
