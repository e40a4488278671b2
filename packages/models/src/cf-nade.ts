import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, matMul2d, seededRng, shuffleInPlace, SparseEmbedding, type Interactions, type StateBlock } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { BaseRecommender, type TrainingOptions } from './base';
import { levelProbabilities, nadeUserLoss, addInput, type NadeParams } from './cf-nade-math';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { bytesBlock, typedBlock } from './state';
import { tick, type TrainLoopOptions } from './train-loop';

/** Options of {@link CfNade}. */
export interface CfNadeOptions extends TrainingOptions {
  /** Hidden units H. */
  hidden: number;
  /** Rating levels K (MovieLens: 5). */
  levels: number;
  /** The rating of level 0; level k is ratingMin + k * ratingStep. */
  ratingMin: number;
  /** Distance between two rating levels. */
  ratingStep: number;
  /** Share parameters across levels (W^k = sum_{j<=k} W^j, scores likewise): the paper's CF-NADE with sharing. */
  share: boolean;
  /** Weight lambda of the ordinal cost: (1 - lambda) C_reg + lambda C_ord. */
  ordinal: number;
  /** Adam's step size. */
  learningRate: number;
  /** Weight decay on the rows each step touches. */
  l2: number;
  /** Standard deviation of the initial weights. */
  initStd: number;
  /** How `scoreAll` ranks: expected rating, or P(rating >= threshold). */
  rankBy: 'expected' | 'threshold';
  /** The rating of `rankBy: 'threshold'`. */
  threshold: number;
}

/** Rules and defaults of {@link CfNadeOptions}. */
export const CFNADE_OPTIONS: OptionSpec<CfNadeOptions> = {
  hidden: { rule: { type: 'int', min: 1 }, default: 250, doc: 'hidden units H' },
  levels: { rule: { type: 'int', min: 2 }, default: 5, doc: 'rating levels K' },
  ratingMin: { rule: { type: 'number' }, default: 1, doc: 'the rating of level 0' },
  ratingStep: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 1, doc: 'distance between two rating levels' },
  share: { rule: { type: 'boolean' }, default: true, doc: 'share parameters across rating levels' },
  ordinal: { rule: { type: 'number', min: 0, max: 1 }, default: 1, doc: 'weight of the ordinal cost (0: the regular cost only)' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.001, doc: "Adam's step size" },
  l2: { rule: { type: 'number', min: 0 }, default: 0.015, doc: 'weight decay on the rows each step touches' },
  initStd: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.01, doc: 'std of the initial weights' },
  rankBy: { rule: { type: 'enum', values: ['expected', 'threshold'] }, default: 'expected', doc: 'rank by expected rating or by P(rating >= threshold)' },
  threshold: { rule: { type: 'number' }, default: 4, doc: 'the rating of rankBy threshold' },
  epochs: { rule: TRAINING_RULES.epochs, default: 30, doc: 'passes over the users' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 32, doc: 'users per mini-batch' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation, orders and split points' },
};

/** The defaults of {@link CfNade}. */
export const CFNADE_DEFAULTS: CfNadeOptions = defaultsOf(CFNADE_OPTIONS);

/**
 * CF-NADE (Zheng, Tang, Ding & Zhou, "A Neural Autoregressive Approach to Collaborative
 * Filtering", ICML 2016): a user's ratings are modelled autoregressively in a random order o,
 * h(r_{o<i}) = tanh(c + sum_{j<i} W^{r_oj}_{:, oj}) and P(r_oi = k | r_{o<i}) = softmax_k(b^k_oi
 * + V^k_oi h), with parameters shared across rating levels (`share`) and the ordinal cost
 * (`ordinal`). Training minimises the negative log-likelihood by the orderless trick of NADE
 * (Uria et al., 2014): per user and epoch, a random order and a random split d; the first d
 * ratings are the input, every later rating an output, weighted by D / (D - d). Prediction
 * conditions on all of the user's training ratings: `predict` gives expected ratings, `scoreAll`
 * ranks by expected rating or P(rating >= threshold) (`rankBy`). Needs `train.ratings`. The
 * per-user passes run on the host; item tables are `SparseEmbedding`s with lazy Adam. Static:
 * `observe` records new events as seen.
 *
 * @example
 * ```ts
 * import { CfNade } from '@memrec/models';
 * const m = new CfNade({ hidden: 100, epochs: 10 });
 * await m.fit(train); // train.ratings: 1..5
 * m.predict(Int32Array.of(0), Int32Array.of(42)); // expected rating
 * ```
 */
export class CfNade extends BaseRecommender<CfNadeOptions> {
  readonly name = 'cfnade';
  readonly kind = 'score' as const;
  readonly observeMode = 'ignored' as const;
  W!: SparseEmbedding;
  V!: SparseEmbedding;
  b!: SparseEmbedding;
  c!: SparseEmbedding;
  /** Each user's training ratings (CSR): items and 0-based levels. */
  private offsets = new Int32Array(1);
  private rItems = new Int32Array(0);
  private rLevels = new Int32Array(0);
  /** Hidden vectors of every user given all training ratings (`numUsers x hidden`), built on demand. */
  private hiddenCache: Float32Array | null = null;

  constructor(options: Partial<CfNadeOptions> = {}) {
    super('CfNade', CFNADE_OPTIONS, options);
  }

  private params(): NadeParams {
    const c = this.config;
    return { K: c.levels, H: c.hidden, W: this.W.data, V: this.V.data, b: this.b.data, c: this.c.data, share: c.share, ordinal: c.ordinal };
  }

  /** The 0-based level of a rating, or an error naming `fn`. */
  private level(fn: string, r: number, k: number): number {
    const c = this.config;
    const l = Math.round((r - c.ratingMin) / c.ratingStep);
    if (!(l >= 0 && l < c.levels)) {
      throw new Error(`${fn}: train.ratings[${k}] must be a rating level in ${c.ratingMin}, ${c.ratingMin + c.ratingStep}, ..., ${c.ratingMin + (c.levels - 1) * c.ratingStep} (ratingMin, ratingStep, levels), got ${r}`);
    }
    return l;
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const fn = 'CfNade.fit';
    if (!(train.ratings instanceof Float32Array) || train.ratings.length !== train.users.length) {
      throw new Error(`${fn}: train.ratings must be a Float32Array with one rating per interaction (CF-NADE models explicit ratings), got ${show(train.ratings)}`);
    }
    const c = this.config;
    const K = c.levels;
    const H = c.hidden;
    // the last rating of each (user, item) counts
    const last = new Map<number, number>();
    for (let k = 0; k < train.users.length; k++) last.set(train.users[k] * train.numItems + train.items[k], k);
    const counts = new Int32Array(train.numUsers + 1);
    for (const k of last.values()) counts[train.users[k] + 1]++;
    for (let u = 0; u < train.numUsers; u++) counts[u + 1] += counts[u];
    const fill = counts.slice(0, train.numUsers);
    this.offsets = counts;
    this.rItems = new Int32Array(last.size);
    this.rLevels = new Int32Array(last.size);
    for (const k of [...last.values()].sort((a, b) => a - b)) {
      const at = fill[train.users[k]]++;
      this.rItems[at] = train.items[k];
      this.rLevels[at] = this.level(fn, train.ratings[k], k);
    }
    const opt = { kind: 'adam' as const, learningRate: c.learningRate, l2: c.l2 };
    const seed = run.seed;
    this.W = new SparseEmbedding({ rows: train.numItems, dim: K * H, optimizer: opt, init: { kind: 'normal', std: c.initStd }, seed: deriveSeed(seed, 'cfnade-w') });
    this.V = new SparseEmbedding({ rows: train.numItems, dim: K * H, optimizer: opt, init: { kind: 'normal', std: c.initStd }, seed: deriveSeed(seed, 'cfnade-v') });
    this.b = new SparseEmbedding({ rows: train.numItems, dim: K, optimizer: opt, init: { kind: 'zeros' } });
    this.c = new SparseEmbedding({ rows: 1, dim: H, optimizer: opt, init: { kind: 'zeros' } });
    this.hiddenCache = null;
    const rng = seededRng(deriveSeed(seed, 'cfnade-train'));
    const users = Int32Array.from({ length: train.numUsers }, (_, u) => u).filter((u) => this.offsets[u + 1] > this.offsets[u]);
    const total = run.epochs * last.size;
    let done = 0;
    for (let e = 0; e < run.epochs; e++) {
      shuffleInPlace(users, rng);
      let lossSum = 0;
      let ratings = 0;
      for (let s = 0; s < users.length; s += run.batchSize) {
        const batch = users.subarray(s, Math.min(users.length, s + run.batchSize));
        const { loss, count } = this.step(batch, rng);
        lossSum += loss * batch.length;
        ratings += count;
        done += count;
        run.onLoss?.(done, loss);
        run.onProgress?.({ phase: 'train', done, total, loss });
        await tick();
      }
      this.hiddenCache = null;
      if (run.onEpochEnd && (await run.onEpochEnd({ epoch: e, loss: ratings > 0 ? lossSum / users.length : 0 })) === true) return;
    }
  }

  /** One Adam step on a batch of users (random order and split each); returns the mean user cost and the ratings seen. */
  private step(batch: Int32Array, rng: () => number): { loss: number; count: number } {
    const c = this.config;
    const KH = c.levels * c.hidden;
    const p = this.params();
    const plans: { inItems: Int32Array; inLevels: Int32Array; outItems: Int32Array; outLevels: Int32Array; weight: number }[] = [];
    let nIn = 0;
    let nOut = 0;
    let count = 0;
    for (const u of batch) {
      const from = this.offsets[u];
      const D = this.offsets[u + 1] - from;
      const order = shuffleInPlace(Int32Array.from({ length: D }, (_, k) => from + k), rng);
      const d = Math.floor(rng() * D);
      const inIdx = order.subarray(0, d);
      const outIdx = order.subarray(d);
      plans.push({
        inItems: Int32Array.from(inIdx, (k) => this.rItems[k]),
        inLevels: Int32Array.from(inIdx, (k) => this.rLevels[k]),
        outItems: Int32Array.from(outIdx, (k) => this.rItems[k]),
        outLevels: Int32Array.from(outIdx, (k) => this.rLevels[k]),
        weight: D / (D - d),
      });
      nIn += d;
      nOut += D - d;
      count += D;
    }
    const grads = { W: new Float32Array(nIn * KH), V: new Float32Array(nOut * KH), b: new Float32Array(nOut * c.levels), c: new Float64Array(c.hidden) };
    const inIds = new Int32Array(nIn);
    const outIds = new Int32Array(nOut);
    let loss = 0;
    let oi = 0;
    let oo = 0;
    const scale = 1 / batch.length;
    for (const pl of plans) {
      const g = {
        W: grads.W.subarray(oi * KH, (oi + pl.inItems.length) * KH),
        V: grads.V.subarray(oo * KH, (oo + pl.outItems.length) * KH),
        b: grads.b.subarray(oo * c.levels, (oo + pl.outItems.length) * c.levels),
        c: grads.c,
      };
      loss += nadeUserLoss(p, pl.inItems, pl.inLevels, pl.outItems, pl.outLevels, pl.weight, g, scale);
      inIds.set(pl.inItems, oi);
      outIds.set(pl.outItems, oo);
      oi += pl.inItems.length;
      oo += pl.outItems.length;
    }
    if (nIn > 0) this.W.applyGradients(inIds, grads.W);
    this.V.applyGradients(outIds, grads.V);
    this.b.applyGradients(outIds, grads.b);
    this.c.applyGradients(Int32Array.of(0), Float32Array.from(grads.c));
    return { loss: loss * scale, count };
  }

  /** The hidden vectors of every user given all of the user's training ratings. */
  private hidden(): Float32Array {
    if (this.hiddenCache && this.hiddenCache.length === this.numUsers * this.config.hidden) return this.hiddenCache;
    const H = this.config.hidden;
    const p = this.params();
    const out = new Float32Array(this.numUsers * H);
    const a = new Float64Array(H);
    for (let u = 0; u < this.numUsers; u++) {
      a.set(this.c.data.subarray(0, H));
      if (u + 1 < this.offsets.length) for (let k = this.offsets[u]; k < this.offsets[u + 1]; k++) addInput(p, this.rItems[k], this.rLevels[k], a);
      for (let j = 0; j < H; j++) out[u * H + j] = Math.tanh(a[j]);
    }
    this.hiddenCache = out;
    return out;
  }

  /** The ranking value of a level distribution: expected rating or P(rating >= threshold). */
  private value(probs: Float64Array): number {
    const c = this.config;
    let v = 0;
    if (c.rankBy === 'expected') {
      for (let k = 0; k < c.levels; k++) v += probs[k] * (c.ratingMin + k * c.ratingStep);
    } else {
      for (let k = 0; k < c.levels; k++) if (c.ratingMin + k * c.ratingStep >= c.threshold - 1e-9) v += probs[k];
    }
    return v;
  }

  /**
   * Expected ratings sum_k rating(k) P(r = k | the user's training ratings) of the pairs
   * (users[k], items[k]).
   *
   * @example
   * ```ts
   * const r = m.predict(test.users, test.items); // compare with test.ratings (RMSE)
   * ```
   */
  predict(users: Int32Array, items: Int32Array): Float32Array {
    const fn = 'CfNade.predict';
    this.requireFitted(fn);
    this.checkUsers(fn, 'users', users);
    if (!(items instanceof Int32Array) || items.length !== users.length) throw new Error(`${fn}: items must be an Int32Array of length users.length = ${users.length}, got ${show(items)}`);
    const c = this.config;
    const H = c.hidden;
    const hid = this.hidden();
    const p = this.params();
    const h = new Float64Array(H);
    const s = new Float64Array(c.levels);
    const probs = new Float64Array(c.levels);
    return Float32Array.from(users, (u, k) => {
      const i = items[k];
      if (!(i >= 0 && i < this.numItems)) throw new Error(`${fn}: items[${k}] must be an item id in [0, ${this.numItems}), got ${i}`);
      for (let j = 0; j < H; j++) h[j] = hid[u * H + j];
      levelProbabilities(p, i, h, s, probs);
      let v = 0;
      for (let l = 0; l < c.levels; l++) v += probs[l] * (c.ratingMin + l * c.ratingStep);
      return v;
    });
  }

  protected async observeModel(): Promise<void> {
    // static: the base class records the events as seen
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.W.grow(numItems);
    this.V.grow(numItems);
    this.b.grow(numItems);
    if (numUsers + 1 > this.offsets.length) {
      const o = new Int32Array(numUsers + 1);
      o.set(this.offsets);
      o.fill(this.offsets[this.offsets.length - 1], this.offsets.length);
      this.offsets = o;
    }
    this.hiddenCache = null;
  }

  protected scoreAllModel(users: Int32Array): Float32Array {
    const c = this.config;
    const K = c.levels;
    const H = c.hidden;
    const N = this.numItems;
    const hid = this.hidden();
    const hu = new Float32Array(users.length * H);
    users.forEach((u, r) => hu.set(hid.subarray(u * H, (u + 1) * H), r * H));
    // [B, H] x [N * K, H]^T: every level's V^k h at once
    const vh = tf.tidy(() => matMul2d(tf.tensor2d(hu, [users.length, H]), tf.tensor2d(this.V.data.subarray(0, N * K * H), [N * K, H]), false, true));
    const z = vh.dataSync() as Float32Array;
    vh.dispose();
    const out = new Float32Array(users.length * N);
    const s = new Float64Array(K);
    const probs = new Float64Array(K);
    const bias = this.b.data;
    for (let r = 0; r < users.length; r++) {
      for (let i = 0; i < N; i++) {
        const o = (r * N + i) * K;
        let acc = 0;
        let m = -Infinity;
        for (let k = 0; k < K; k++) {
          const v = z[o + k] + bias[i * K + k];
          acc = c.share ? acc + v : v;
          s[k] = acc;
          if (acc > m) m = acc;
        }
        let sum = 0;
        for (let k = 0; k < K; k++) sum += probs[k] = Math.exp(s[k] - m);
        for (let k = 0; k < K; k++) probs[k] /= sum;
        out[r * N + i] = this.value(probs);
      }
    }
    return out;
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    const rows = this.scoreAllModel(Int32Array.from(new Set(users)));
    const at = new Map<number, number>();
    let r = 0;
    for (const u of new Set(users)) at.set(u, r++);
    return Float32Array.from(users, (u, k) => rows[(at.get(u) as number) * this.numItems + items[k]]);
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    return {
      header: {},
      blocks: { W: this.W.toBytes(), V: this.V.toBytes(), b: this.b.toBytes(), c: this.c.toBytes(), ratingOffsets: this.offsets, ratingItems: this.rItems, ratingLevels: this.rLevels },
    };
  }

  protected release(): void {
    this.hiddenCache = null;
  }

  /**
   * Restores a CF-NADE saved by `toBytes` (weights and each user's training ratings).
   *
   * @example
   * ```ts
   * const again = CfNade.fromBytes(m.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): CfNade {
    const fn = 'CfNade.fromBytes';
    const content = BaseRecommender.decodeModel(bytes, 'cfnade', fn);
    const m = new CfNade(content.config as Partial<CfNadeOptions>);
    BaseRecommender.restoreBase(m, content, fn);
    m.W = SparseEmbedding.fromBytes(bytesBlock(content.blocks, 'W', fn));
    m.V = SparseEmbedding.fromBytes(bytesBlock(content.blocks, 'V', fn));
    m.b = SparseEmbedding.fromBytes(bytesBlock(content.blocks, 'b', fn));
    m.c = SparseEmbedding.fromBytes(bytesBlock(content.blocks, 'c', fn));
    m.offsets = typedBlock(content.blocks, 'ratingOffsets', Int32Array, fn);
    m.rItems = typedBlock(content.blocks, 'ratingItems', Int32Array, fn);
    m.rLevels = typedBlock(content.blocks, 'ratingLevels', Int32Array, fn, m.rItems.length);
    const KH = m.config.levels * m.config.hidden;
    if (m.W.dim !== KH || m.V.dim !== KH || m.b.dim !== m.config.levels || m.c.dim !== m.config.hidden) {
      throw new Error(`${fn}: bytes must hold tables of ${KH} (levels x hidden) floats per item, got W ${m.W.dim}, V ${m.V.dim}, b ${m.b.dim}, c ${m.c.dim}`);
    }
    return m;
  }
}
