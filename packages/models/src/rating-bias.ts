import type { Interactions, StateBlock } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { BaseRecommender, type TrainingOptions } from './base';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { typedBlock } from './state';

/** Options of {@link RatingBias}. */
export interface RatingBiasOptions extends TrainingOptions {
  /** Shrinkage of the item biases (lambda_2 of Koren's baseline). */
  itemReg: number;
  /** Shrinkage of the user biases (lambda_3). */
  userReg: number;
}

/** Rules and defaults of {@link RatingBiasOptions}. */
export const RATING_BIAS_OPTIONS: OptionSpec<RatingBiasOptions> = {
  itemReg: { rule: { type: 'number', min: 0 }, default: 25, doc: 'shrinkage of the item biases' },
  userReg: { rule: { type: 'number', min: 0 }, default: 10, doc: 'shrinkage of the user biases' },
  epochs: { rule: TRAINING_RULES.epochs, default: 10, doc: 'alternating passes (item biases, then user biases)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 1024, doc: 'unused' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'unused (the fit is deterministic)' },
};

/** The defaults of {@link RatingBias}. */
export const RATING_BIAS_DEFAULTS: RatingBiasOptions = defaultsOf(RATING_BIAS_OPTIONS);

/**
 * The baseline predictor of explicit ratings r(u, i) = mu + b_u + b_i (Koren, "Factor in the
 * neighbors", TKDD 2010, section 2.1): mu the global mean, then alternately
 * b_i = sum_{u in R(i)} (r - mu - b_u) / (itemReg + |R(i)|) and
 * b_u = sum_{i in R(u)} (r - mu - b_i) / (userReg + |R(u)|), `epochs` times (the first pass with
 * b_u = 0 is Koren's one-shot estimate). The floor every rating model must beat on RMSE;
 * `scoreAll` ranks by the predicted rating. Needs `train.ratings`.
 *
 * @example
 * ```ts
 * import { RatingBias } from '@memrec/models';
 * const m = new RatingBias();
 * await m.fit(train);
 * m.predict(Int32Array.of(0), Int32Array.of(5)); // mu + b_0 + b_5
 * ```
 */
export class RatingBias extends BaseRecommender<RatingBiasOptions> {
  readonly name = 'bias';
  readonly kind = 'score' as const;
  readonly observeMode = 'ignored' as const;
  /** The global mean rating. */
  mean = 0;
  userBias: Float64Array = new Float64Array(0);
  itemBias: Float64Array = new Float64Array(0);

  constructor(options: Partial<RatingBiasOptions> = {}) {
    super('RatingBias', RATING_BIAS_OPTIONS, options);
  }

  protected async fitModel(train: Interactions, run: { epochs: number }): Promise<void> {
    const fn = 'RatingBias.fit';
    const r = train.ratings;
    if (!(r instanceof Float32Array) || r.length !== train.users.length) throw new Error(`${fn}: train.ratings must be a Float32Array with one rating per interaction, got ${show(r)}`);
    for (let k = 0; k < r.length; k++) if (!Number.isFinite(r[k])) throw new Error(`${fn}: train.ratings[${k}] must be a finite number, got ${r[k]}`);
    const n = r.length;
    let mu = 0;
    for (let k = 0; k < n; k++) mu += r[k];
    mu /= n;
    const bu = new Float64Array(train.numUsers);
    const bi = new Float64Array(train.numItems);
    const nu = new Float64Array(train.numUsers);
    const ni = new Float64Array(train.numItems);
    for (let k = 0; k < n; k++) {
      nu[train.users[k]]++;
      ni[train.items[k]]++;
    }
    const { itemReg, userReg } = this.config;
    for (let e = 0; e < Math.max(1, run.epochs); e++) {
      bi.fill(0);
      for (let k = 0; k < n; k++) bi[train.items[k]] += r[k] - mu - bu[train.users[k]];
      for (let i = 0; i < bi.length; i++) bi[i] /= itemReg + ni[i] || 1;
      bu.fill(0);
      for (let k = 0; k < n; k++) bu[train.users[k]] += r[k] - mu - bi[train.items[k]];
      for (let u = 0; u < bu.length; u++) bu[u] /= userReg + nu[u] || 1;
    }
    this.mean = mu;
    this.userBias = bu;
    this.itemBias = bi;
  }

  /**
   * Predicted ratings mu + b_u + b_i of the pairs (users[k], items[k]).
   *
   * @example
   * ```ts
   * const r = m.predict(test.users, test.items);
   * ```
   */
  predict(users: Int32Array, items: Int32Array): Float32Array {
    const fn = 'RatingBias.predict';
    this.requireFitted(fn);
    this.checkUsers(fn, 'users', users);
    if (!(items instanceof Int32Array) || items.length !== users.length) throw new Error(`${fn}: items must be an Int32Array of length users.length = ${users.length}, got ${show(items)}`);
    return Float32Array.from(users, (u, k) => {
      const i = items[k];
      if (!(i >= 0 && i < this.numItems)) throw new Error(`${fn}: items[${k}] must be an item id in [0, ${this.numItems}), got ${i}`);
      return this.mean + (this.userBias[u] ?? 0) + (this.itemBias[i] ?? 0);
    });
  }

  protected async observeModel(): Promise<void> {}

  protected growModel(numUsers: number, numItems: number): void {
    const grow = (a: Float64Array, n: number) => {
      if (a.length >= n) return a;
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.userBias = grow(this.userBias, numUsers);
    this.itemBias = grow(this.itemBias, numItems);
  }

  protected scoreAllModel(users: Int32Array): Float32Array {
    const N = this.numItems;
    const out = new Float32Array(users.length * N);
    users.forEach((u, r) => {
      for (let i = 0; i < N; i++) out[r * N + i] = this.mean + this.userBias[u] + this.itemBias[i];
    });
    return out;
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    return Float32Array.from(users, (u, k) => this.mean + this.userBias[u] + this.itemBias[items[k]]);
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    return { header: { mean: this.mean }, blocks: { userBias: this.userBias, itemBias: this.itemBias } };
  }

  protected release(): void {}

  /**
   * Restores a RatingBias saved by `toBytes`.
   *
   * @example
   * ```ts
   * const again = RatingBias.fromBytes(m.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): RatingBias {
    const fn = 'RatingBias.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'bias', fn);
    const m = new RatingBias(c.config as Partial<RatingBiasOptions>);
    BaseRecommender.restoreBase(m, c, fn);
    m.mean = Number((c.header as { mean?: number }).mean);
    m.userBias = typedBlock(c.blocks, 'userBias', Float64Array, fn, m.numUsers);
    m.itemBias = typedBlock(c.blocks, 'itemBias', Float64Array, fn, m.numItems);
    return m;
  }
}
