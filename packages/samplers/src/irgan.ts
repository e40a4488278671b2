import { assertFinite, assertInt, decodeState, encodeState, seededRng, type Module, type Rng, type UserItemSet } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { MfBias } from './mf-bias';
import { checkSampleArgs, checkSeen, noNegativeError, type NegativeSampler } from './types';

/** Options of {@link irganSampler}. */
export interface IrganSamplerOptions {
  /** Training positives, read live: never drawn as negatives. */
  seen: UserItemSet;
  /** Initial table sizes; default `seen.numUsers` / `seen.numItems` (tables grow on demand). */
  numUsers?: number;
  numItems?: number;
  /** Embedding size of G; default 5 (IRGAN's item-recommendation code). */
  dim?: number;
  /** Temperature of the softmax negatives are drawn from (`sample`); default 0.2 (IRGAN's code). */
  temperature?: number;
  /** Temperature of G's policy in {@link IrganSampler.policyStep}; default 1 (IRGAN's code). */
  policyTemperature?: number;
  /** SGD step of G's updates; default 0.001 (IRGAN's code). */
  learningRate?: number;
  /** L2 penalty on the rows an update touches; default 0 (IRGAN's generator has none). */
  l2?: number;
  /** Initial embeddings uniform in [-initScale, initScale]; default 0.05 (IRGAN's `initdelta`). */
  initScale?: number;
  /**
   * Importance mixing lambda in [0, 1) of `policyStep`: items are drawn from
   * pn = (1 - lambda) P_G + lambda * uniform over the user's positives, and each reward is
   * weighted by P_G / pn (IRGAN's `sample_lambda`, default 0.2).
   */
  importanceMix?: number;
  /** Seed of initialisation and draws; default 0. */
  seed?: number;
}

/** What {@link IrganSampler.update} and {@link IrganSampler.policyStep} return. */
export interface IrganStepInfo {
  /** Mean reward of the drawn items (before importance weighting). */
  meanReward: number;
  /** The policy-gradient surrogate -mean(w r log P_G(i)) before the step. */
  loss: number;
}

const FN = 'irganSampler';
const KIND = 'irgan-sampler';

/** IRGAN's generator as a negative sampler; see {@link irganSampler}. */
export class IrganSampler implements NegativeSampler, Module {
  readonly seen: UserItemSet;
  readonly temperature: number;
  readonly policyTemperature: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly importanceMix: number;
  /** G: matrix factorisation with item biases. */
  model: MfBias;
  /** Number of policy-gradient steps taken (`update` and `policyStep`). */
  updates = 0;
  private readonly rng: Rng;
  private row = new Float64Array(0);
  private cum = new Float64Array(0);
  private context: { users: Int32Array; negatives: Int32Array } | null = null;

  constructor(options: IrganSamplerOptions) {
    if (options == null || typeof options !== 'object') throw new Error(`${FN}: options must be an object like { seen, dim, temperature }, got ${show(options)}`);
    checkSeen(FN, options.seen);
    const numUsers = options.numUsers ?? options.seen.numUsers;
    const numItems = options.numItems ?? options.seen.numItems;
    const dim = options.dim ?? 5;
    assertInt(FN, 'numUsers', numUsers, 0);
    assertInt(FN, 'numItems', numItems, 0);
    assertInt(FN, 'dim', dim, 1);
    this.temperature = options.temperature ?? 0.2;
    this.policyTemperature = options.policyTemperature ?? 1;
    this.learningRate = options.learningRate ?? 0.001;
    this.l2 = options.l2 ?? 0;
    this.importanceMix = options.importanceMix ?? 0.2;
    const initScale = options.initScale ?? 0.05;
    const seed = options.seed ?? 0;
    for (const [arg, v] of [['temperature', this.temperature], ['policyTemperature', this.policyTemperature], ['learningRate', this.learningRate]] as const) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new Error(`${FN}: ${arg} must be a finite number > 0, got ${show(v)}`);
    }
    assertFinite(FN, 'l2', this.l2, 0);
    assertFinite(FN, 'importanceMix', this.importanceMix, 0, 0.999999);
    assertFinite(FN, 'initScale', initScale, 0);
    assertFinite(FN, 'seed', seed);
    this.seen = options.seen;
    this.rng = seededRng(seed);
    this.model = new MfBias({ numUsers, numItems, dim, initScale, seed });
  }

  /**
   * See {@link NegativeSampler.sample}. The `n` negatives of a row are drawn from
   * softmax(s_G(u, .) / temperature) over the items the user has not seen. Each distinct user of
   * the call is scored once against the whole catalogue (O(items x dim)); each draw is then a
   * binary search in the row's cumulative weights (O(log items)).
   */
  sample(users: Int32Array, positives: Int32Array, n: number, out?: Int32Array): Int32Array {
    const fn = `${FN}.sample`;
    const res = checkSampleArgs(fn, this.seen, users, positives, n, out);
    this.grow(users);
    for (const [u, rows] of rowsByUser(users)) {
      const total = this.weights(u, this.temperature, true);
      if (!(total > 0)) throw noNegativeError(fn, u, positives[rows[0]], this.seen);
      for (const r of rows) {
        const p = positives[r];
        // the row's own positive is normally seen (weight 0); if not, it is redrawn
        const pw = this.row[p];
        if (!(total - pw > 0)) throw noNegativeError(fn, u, p, this.seen);
        for (let t = 0; t < n; t++) {
          let i = drawCumulative(this.cum, this.model.numItems, total, this.rng);
          for (let tries = 0; i === p && tries < 1000; tries++) i = drawCumulative(this.cum, this.model.numItems, total, this.rng);
          if (i === p) i = heaviestOther(this.row, this.model.numItems, p);
          res[r * n + t] = i;
        }
      }
    }
    this.context = { users: users.slice(), negatives: res.slice(0, users.length * n) };
    return res;
  }

  /**
   * REINFORCE on the negatives of the last `sample` call: one SGD step on
   * -mean_k(r_k log q(neg_k)), q the distribution they were drawn from (the tempered softmax
   * over the user's unseen items). `rewards[k]` is the critic's reward for `negatives[k]`, e.g.
   * IRGAN's 2 (sigmoid(s_D(u, neg)) - 0.5): G then moves towards the negatives the critic
   * still scores high.
   */
  update(users: Int32Array, negatives: Int32Array, rewards: Float32Array): IrganStepInfo {
    const fn = `${FN}.update`;
    const ctx = this.context;
    if (ctx === null) throw new Error(`${fn}: no sample to update from: call sample() before each update()`);
    const R = ctx.negatives.length;
    const n = R / ctx.users.length;
    if (!(users instanceof Int32Array) || users.length !== ctx.users.length || users.some((u, k) => u !== ctx.users[k])) {
      throw new Error(`${fn}: users must be the users of the last sample() call (length ${ctx.users.length}), got ${show(users)}`);
    }
    if (!(negatives instanceof Int32Array) || negatives.length !== R || negatives.some((v, k) => v !== ctx.negatives[k])) {
      throw new Error(`${fn}: negatives must be the ${R} items returned by the last sample() call, got ${show(negatives)}`);
    }
    checkRewards(fn, rewards, R);
    this.context = null;
    let loss = 0;
    let sum = 0;
    for (const [u, rows] of rowsByUser(users)) {
      const items: number[] = [];
      const weights: number[] = [];
      for (const r of rows) {
        for (let t = 0; t < n; t++) {
          items.push(negatives[r * n + t]);
          weights.push(rewards[r * n + t] / R);
          sum += rewards[r * n + t];
        }
      }
      loss += this.reinforce(u, Int32Array.from(items), Float64Array.from(weights), this.temperature, true);
    }
    this.updates++;
    return { meanReward: R > 0 ? sum / R : 0, loss };
  }

  /**
   * IRGAN's generator step for one user (the authors' item-recommendation code): draw `count`
   * items from pn = (1 - lambda) P_G + lambda * uniform(positives), P_G = softmax(s_G(u, .) /
   * policyTemperature) over the whole catalogue; ask `reward` for their rewards; one SGD step on
   * -mean_k(w_k r_k log P_G(i_k)) with importance weights w_k = P_G(i_k) / pn(i_k).
   */
  policyStep(user: number, positives: Int32Array, count: number, reward: (items: Int32Array) => Float32Array): IrganStepInfo {
    const fn = `${FN}.policyStep`;
    assertInt(fn, 'user', user, 0);
    assertInt(fn, 'count', count, 1);
    if (!(positives instanceof Int32Array)) throw new Error(`${fn}: positives must be an Int32Array, got ${show(positives)}`);
    if (typeof reward !== 'function') throw new Error(`${fn}: reward must be a function (items) => Float32Array, got ${show(reward)}`);
    this.grow(Int32Array.of(user));
    const N = this.model.numItems;
    for (let k = 0; k < positives.length; k++) if (!(positives[k] >= 0 && positives[k] < N)) throw new Error(`${fn}: positives[${k}] must be an item id in [0, ${N}), got ${positives[k]}`);
    const lambda = positives.length > 0 ? this.importanceMix : 0;
    const total = this.weights(user, this.policyTemperature, false);
    const p = this.row; // unnormalised P_G
    if (lambda > 0) {
      // pn's weights on the same scale: (1 - lambda) p_i + lambda * total / |pos| on positives
      const extra = (lambda * total) / positives.length;
      let acc = 0;
      const posCount = new Map<number, number>();
      for (const i of positives) posCount.set(i, (posCount.get(i) ?? 0) + 1);
      for (let i = 0; i < N; i++) {
        acc += (1 - lambda) * p[i] + extra * (posCount.get(i) ?? 0);
        this.cum[i] = acc;
      }
    }
    const items = new Int32Array(count);
    for (let k = 0; k < count; k++) items[k] = drawCumulative(this.cum, N, this.cum[N - 1], this.rng);
    const r = reward(items);
    checkRewards(`${fn} (reward)`, r, count);
    const weights = new Float64Array(count);
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const i = items[k];
      const w = lambda > 0 ? (p[i] / total) / ((this.cum[i] - (i > 0 ? this.cum[i - 1] : 0)) / this.cum[N - 1]) : 1;
      weights[k] = (w * r[k]) / count;
      sum += r[k];
    }
    const loss = this.reinforce(user, items, weights, this.policyTemperature, false);
    this.updates++;
    return { meanReward: sum / count, loss };
  }

  /** P_G over the whole catalogue for `user` at `temperature` (default `policyTemperature`), unseen items only when `unseenOnly`. */
  probabilities(user: number, temperature = this.policyTemperature, unseenOnly = false): Float64Array {
    assertInt(`${FN}.probabilities`, 'user', user, 0);
    this.grow(Int32Array.of(user));
    const total = this.weights(user, temperature, unseenOnly);
    return Float64Array.from(this.row.subarray(0, this.model.numItems), (w) => w / total);
  }

  /** s_G(users[k], items[k]) for each pair. */
  score(users: Int32Array, items: Int32Array): Float32Array {
    return this.model.scorePairs(users, items);
  }

  /** Saves G's tables, its settings and its update count (not the RNG state). */
  toBytes(): Uint8Array {
    const config = { temperature: this.temperature, policyTemperature: this.policyTemperature, learningRate: this.learningRate, l2: this.l2, importanceMix: this.importanceMix };
    return encodeState({ kind: KIND, header: { config, updates: this.updates }, blocks: { model: this.model.toBytes() } });
  }

  /** Restores {@link IrganSampler.toBytes}, reading `seen` live and drawing with `seed`. */
  static fromBytes(bytes: Uint8Array, options: { seen: UserItemSet; seed?: number }): IrganSampler {
    const fn = 'IrganSampler.fromBytes';
    const { header, blocks } = decodeState(bytes, { fn, kind: KIND });
    const h = header as { config: Partial<IrganSamplerOptions>; updates: number };
    if (!(blocks.model instanceof Uint8Array)) throw new Error(`${fn}: bytes must hold block "model" (G's tables), got ${show(blocks.model)}`);
    const model = MfBias.fromBytes(blocks.model, fn);
    const s = new IrganSampler({ ...h.config, seen: options.seen, seed: options.seed, numUsers: 0, numItems: 0, dim: model.dim });
    s.model = model;
    s.updates = h.updates;
    return s;
  }

  /** Host memory only: nothing to free. */
  dispose(): void {
    this.context = null;
  }

  /** Grows G for user ids in `users` and the seen set's catalogue. */
  private grow(users: Int32Array): void {
    let maxUser = -1;
    for (let k = 0; k < users.length; k++) if (users[k] > maxUser) maxUser = users[k];
    const numUsers = Math.max(this.model.numUsers, this.seen.numUsers, maxUser + 1);
    const numItems = Math.max(this.model.numItems, this.seen.numItems);
    if (numUsers > this.model.numUsers || numItems > this.model.numItems) this.model.grow(numUsers, numItems);
    if (this.row.length < numItems) {
      this.row = new Float64Array(numItems);
      this.cum = new Float64Array(numItems);
    }
  }

  /**
   * Scores `u`'s row into `this.row` as unnormalised softmax weights exp((s - max) / temperature)
   * (0 for seen items when `unseenOnly`), their running sums into `this.cum`; returns the sum.
   */
  private weights(u: number, temperature: number, unseenOnly: boolean): number {
    const N = this.model.numItems;
    const row = this.row;
    this.model.scoreRow(u, row);
    const seen = unseenOnly && u < this.seen.numUsers ? this.seen.itemsOf(u) : new Int32Array(0);
    let m = -Infinity;
    let s = 0;
    for (let i = 0; i < N; i++) {
      if (s < seen.length && seen[s] === i) {
        s++;
        continue;
      }
      if (row[i] > m) m = row[i];
    }
    let acc = 0;
    s = 0;
    for (let i = 0; i < N; i++) {
      if (s < seen.length && seen[s] === i) {
        s++;
        row[i] = 0;
      } else row[i] = Math.exp((row[i] - m) / temperature);
      acc += row[i];
      this.cum[i] = acc;
    }
    return acc;
  }

  /**
   * One SGD step on -sum_k weights[k] log q(items[k]) with q = softmax(s_G(u, .) / temperature)
   * (over unseen items when `unseenOnly`): d/ds_i = -(1 / temperature) (sum_{k: items[k] = i}
   * weights[k] - q_i sum_k weights[k]). Returns the surrogate loss before the step.
   */
  private reinforce(u: number, items: Int32Array, weights: Float64Array, temperature: number, unseenOnly: boolean): number {
    const N = this.model.numItems;
    const total = this.weights(u, temperature, unseenOnly);
    const dz = new Float64Array(N);
    let W = 0;
    let loss = 0;
    for (let k = 0; k < items.length; k++) {
      W += weights[k];
      dz[items[k]] -= weights[k] / temperature;
      loss -= weights[k] * Math.log(this.row[items[k]] / total);
    }
    for (let i = 0; i < N; i++) if (this.row[i] > 0) dz[i] += (W * this.row[i]) / total / temperature;
    this.model.rowStep(u, dz, this.learningRate, this.l2);
    return loss;
  }
}

/** The rows of each distinct user, in first-appearance order. */
function rowsByUser(users: Int32Array): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let r = 0; r < users.length; r++) {
    const rows = m.get(users[r]);
    if (rows) rows.push(r);
    else m.set(users[r], [r]);
  }
  return m;
}

/**
 * The first index i in [0, n) with cum[i] > x for x uniform in [0, total): a draw with
 * probability proportional to cum[i] - cum[i - 1] (zero-weight items are never drawn).
 */
export function drawCumulative(cum: Float64Array, n: number, total: number, rng: Rng): number {
  const x = rng() * total;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  // x within rounding of total: step back to the last item with weight
  while (lo > 0 && cum[lo] === cum[lo - 1]) lo--;
  return lo;
}

/** The item of largest weight other than `skip`. */
function heaviestOther(w: Float64Array, n: number, skip: number): number {
  let best = -1;
  for (let i = 0; i < n; i++) if (i !== skip && (best < 0 || w[i] > w[best])) best = i;
  return best;
}

function checkRewards(fn: string, rewards: Float32Array, R: number): void {
  if (!(rewards instanceof Float32Array) || rewards.length !== R) throw new Error(`${fn}: rewards must be a Float32Array of length ${R} (one per drawn item), got ${show(rewards)}`);
  for (let k = 0; k < R; k++) if (!Number.isFinite(rewards[k])) throw new Error(`${fn}: rewards[${k}] must be finite, got ${rewards[k]}`);
}

/**
 * IRGAN's generator as a negative sampler (Wang et al., "IRGAN: A Minimax Game for Unifying
 * Generative and Discriminative Information Retrieval Models", SIGIR 2017): G is matrix
 * factorisation with item biases, and each negative is drawn from softmax(s_G(u, .) /
 * temperature) over the whole catalogue minus the user's positives (one scored row per
 * distinct user of a call, then a binary search per draw). `update` trains G by REINFORCE on
 * the rewards any critic gives the drawn negatives, so G learns to propose the items the
 * critic still mistakes for positives; `policyStep` is the authors' own G step (importance
 * mixing with the user's positives). Any model that takes a `NegativeSampler` (e.g. `BprMf`)
 * can train on G's negatives; beside it, `ganSampler` is NMRN's generator (T uniform candidates
 * and an MLP).
 *
 * @example
 * ```ts
 * import { UserItemSet } from '@memrec/core';
 * import { irganSampler } from '@memrec/samplers';
 *
 * const seen = UserItemSet.fromInteractions(train);
 * const g = irganSampler({ seen, dim: 5, temperature: 0.2, seed: 1 });
 * const negs = g.sample(batchUsers, batchItems, 1);
 * const rewards = critic.score(batchUsers, negs).map((s) => 2 * (1 / (1 + Math.exp(-s)) - 0.5));
 * g.update(batchUsers, negs, rewards);
 * ```
 */
export function irganSampler(options: IrganSamplerOptions): IrganSampler {
  return new IrganSampler(options);
}
