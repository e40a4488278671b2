import * as tf from '@tensorflow/tfjs-core';
import { seededRng, type Module, type Rng, type UserItemSet } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { Complement, DEFAULT_BITSET_BUDGET } from './complement';
import { GanGenerator } from './gan-generator';
import { resolveGanOptions, type GanSamplerOptions, type GanUpdateInfo } from './gan-options';
import { decodeGanState, encodeGanState } from './gan-state';
import { checkSampleArgs, type NegativeSampler } from './types';

export type { GanSamplerOptions, GanUpdateInfo };

interface SampleContext {
  users: Int32Array;
  n: number;
  negatives: Int32Array;
  rowUsers: Int32Array;
  candidates: Int32Array;
  chosen: Int32Array;
  importance: Float32Array;
}

const FN = 'ganSampler';

/** The adversarial negative sampler (NMRN's generator); see {@link ganSampler}. */
export class GanSampler implements NegativeSampler, Module {
  readonly seen: UserItemSet;
  readonly candidates: number;
  readonly importanceMix: number;
  readonly baselineDecay: number;
  /** Moving-average reward baseline b. */
  baseline = 0;
  /** Number of `update` steps taken. */
  updates = 0;
  readonly generator: GanGenerator;
  private readonly rng: Rng;
  private readonly complement: Complement;
  private context: SampleContext | null = null;
  private disposed = false;

  constructor(options: GanSamplerOptions) {
    const o = resolveGanOptions(options);
    this.seen = options.seen;
    this.candidates = o.candidates;
    this.importanceMix = o.importanceMix;
    this.baselineDecay = o.baselineDecay;
    this.rng = seededRng(o.seed);
    this.complement = new Complement(options.seen, 'auto', DEFAULT_BITSET_BUDGET);
    this.generator = new GanGenerator(o.numUsers, o.numItems, { dim: o.dim, hidden: o.hidden, learningRate: o.learningRate, optimizer: o.optimizer }, o.seed | 0);
  }

  /**
   * See {@link NegativeSampler.sample}. Per negative: T uniform non-positive candidates, scored by
   * d_G in one batched tensor pass, one drawn from softmax(-d_G) (mixed with uniform when
   * `importanceMix > 0`). Remembers what `update` needs.
   */
  sample(users: Int32Array, positives: Int32Array, n: number, out?: Int32Array): Int32Array {
    const fn = `${FN}.sample`;
    this.checkAlive(fn);
    const res = checkSampleArgs(fn, this.seen, users, positives, n, out);
    const T = this.candidates;
    const R = users.length * n;
    const rowUsers = new Int32Array(R);
    const cands = new Int32Array(R * T);
    let maxUser = -1;
    for (let r = 0; r < users.length; r++) {
      this.complement.fill(fn, users[r], positives[r], n * T, cands, r * n * T, this.rng);
      rowUsers.fill(users[r], r * n, (r + 1) * n);
      if (users[r] > maxUser) maxUser = users[r];
    }
    this.grow(Math.max(this.seen.numUsers, maxUser + 1), this.seen.numItems);
    const logits = this.logits(rowUsers, cands, T);
    const chosen = new Int32Array(R);
    const importance = new Float32Array(R);
    const probs = new Float64Array(T);
    const lambda = this.importanceMix;
    for (let g = 0; g < R; g++) {
      softmaxRow(logits, g * T, T, probs);
      const x = this.rng();
      let acc = 0;
      let t = 0;
      for (; t < T - 1; t++) {
        acc += (1 - lambda) * probs[t] + lambda / T;
        if (x < acc) break;
      }
      chosen[g] = t;
      importance[g] = lambda > 0 ? probs[t] / ((1 - lambda) * probs[t] + lambda / T) : 1;
      res[g] = cands[g * T + t];
    }
    this.context = { users: users.slice(), n, negatives: res.slice(0, R), rowUsers, candidates: cands, chosen, importance };
    return res;
  }

  /**
   * REINFORCE step on the last `sample` call (NMRN Algorithm 1, line 17): maximise
   * mean((r - b) * w * log P_G(v-)), w the importance weight, then b <- decay * b + (1 - decay) * mean(r).
   * `rewards[k]` is the critic's reward for `negatives[k]`, e.g. r = -d_D(u, v-) (NMRN) or
   * 2 * (sigmoid(score) - 0.5) (IRGAN).
   */
  update(users: Int32Array, negatives: Int32Array, rewards: Float32Array): GanUpdateInfo {
    const fn = `${FN}.update`;
    this.checkAlive(fn);
    const ctx = this.context;
    if (ctx === null) throw new Error(`${fn}: no sample to update from: call sample() before each update()`);
    const R = ctx.negatives.length;
    if (!(users instanceof Int32Array) || users.length !== ctx.users.length || users.some((u, k) => u !== ctx.users[k])) {
      throw new Error(`${fn}: users must be the users of the last sample() call (length ${ctx.users.length}), got ${show(users)}`);
    }
    if (!(negatives instanceof Int32Array) || negatives.length !== R || negatives.some((v, k) => v !== ctx.negatives[k])) {
      throw new Error(`${fn}: negatives must be the ${R} items returned by the last sample() call, got ${show(negatives)}`);
    }
    if (!(rewards instanceof Float32Array) || rewards.length !== R) {
      throw new Error(`${fn}: rewards must be a Float32Array of length ${R} (one per negative), got ${show(rewards)}`);
    }
    let sum = 0;
    for (let k = 0; k < R; k++) {
      if (!Number.isFinite(rewards[k])) throw new Error(`${fn}: rewards[${k}] must be finite, got ${rewards[k]}`);
      sum += rewards[k];
    }
    const meanReward = sum / R;
    const b = this.baseline;
    const T = this.candidates;
    const weight = new Float32Array(R * T); // one-hot of the chosen candidate times the advantage
    for (let g = 0; g < R; g++) weight[g * T + ctx.chosen[g]] = ((rewards[g] - b) * ctx.importance[g]) / R;
    const loss = this.generator.step(ctx.rowUsers, ctx.candidates, T, (ue, ve, params) =>
      tf.tidy(() => {
        const logp = tf.logSoftmax(tf.neg(this.generator.distances(ue, ve, params)));
        return tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(weight, [R, T])))) as tf.Scalar;
      }),
    );
    this.baseline = this.baselineDecay * b + (1 - this.baselineDecay) * meanReward;
    this.updates++;
    this.context = null;
    return { meanReward, baseline: b, loss };
  }

  /**
   * Pre-trains G (Algorithm 1, line 5) by pulling positives closer than uniform negatives:
   * one step on mean(softplus(d_G(u, v) - d_G(u, v-))). Returns the loss.
   */
  pretrain(users: Int32Array, positives: Int32Array): number {
    const fn = `${FN}.pretrain`;
    this.checkAlive(fn);
    checkSampleArgs(fn, this.seen, users, positives, 1, undefined);
    const B = users.length;
    const pairs = new Int32Array(2 * B);
    const neg = new Int32Array(1);
    let maxUser = -1;
    for (let r = 0; r < B; r++) {
      this.complement.fill(fn, users[r], positives[r], 1, neg, 0, this.rng);
      pairs[2 * r] = positives[r];
      pairs[2 * r + 1] = neg[0];
      if (users[r] > maxUser) maxUser = users[r];
    }
    this.grow(Math.max(this.seen.numUsers, maxUser + 1), this.seen.numItems);
    return this.generator.step(users, pairs, 2, (ue, ve, params) =>
      tf.tidy(() => {
        const d = this.generator.distances(ue, ve, params);
        const diff = tf.sub(tf.slice(d, [0, 0], [B, 1]), tf.slice(d, [0, 1], [B, 1]));
        return tf.mean(tf.softplus(diff)) as tf.Scalar;
      }),
    );
  }

  /** d_G(users[k], items[k]) for each pair. */
  distance(users: Int32Array, items: Int32Array): Float32Array {
    this.checkAlive(`${FN}.distance`);
    return this.logits(users, items, 1).map((x) => -x);
  }

  /** P_G over the given candidate items of one user: softmax(-d_G(user, items)). */
  probabilities(user: number, items: Int32Array): Float32Array {
    this.checkAlive(`${FN}.probabilities`);
    const logits = this.logits(Int32Array.of(user), items, items.length);
    const p = new Float64Array(items.length);
    softmaxRow(logits, 0, items.length, p);
    return Float32Array.from(p);
  }

  /**
   * Saves generator tables (with their optimizer state), MLP weights, baseline and config.
   * Not saved: the RNG state and the MLP's optimizer moments (they restart on load).
   */
  toBytes(): Uint8Array {
    this.checkAlive(`${FN}.toBytes`);
    const g = this.generator;
    const c = g.config;
    return encodeGanState({
      config: { dim: c.dim, hidden: c.hidden, candidates: this.candidates, learningRate: c.learningRate, optimizer: c.optimizer, importanceMix: this.importanceMix, baselineDecay: this.baselineDecay },
      baseline: this.baseline,
      updates: this.updates,
      users: g.users,
      items: g.items,
      mlp: g.mlpValues(),
    });
  }

  /** Restores a sampler saved by {@link GanSampler.toBytes}, reading `seen` live, drawing with `seed`. */
  static fromBytes(bytes: Uint8Array, options: { seen: UserItemSet; seed?: number }): GanSampler {
    const s = decodeGanState(bytes);
    const sampler = new GanSampler({ ...s.config, seen: options.seen, seed: options.seed, numUsers: 0, numItems: 0 });
    sampler.generator.restore(s.users, s.items, s.mlp);
    sampler.baseline = s.baseline;
    sampler.updates = s.updates;
    return sampler;
  }

  /** Grows the generator's tables for new users and items (a stream). */
  grow(numUsers: number, numItems: number): void {
    this.generator.grow(numUsers, numItems);
  }

  /** Frees the generator's tensors. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generator.dispose();
    this.context = null;
  }

  /** -d_G for rows of T items each, on the host. */
  private logits(rowUsers: Int32Array, items: Int32Array, T: number): Float32Array {
    const g = this.generator;
    return tf.tidy(() => {
      const ue = g.users.lookup(rowUsers);
      const ve = tf.reshape(g.items.lookup(items), [rowUsers.length, T, g.config.dim]) as tf.Tensor3D;
      return tf.neg(g.distances(ue, ve)).dataSync() as Float32Array;
    });
  }

  private checkAlive(fn: string): void {
    if (this.disposed) throw new Error(`${fn}: the sampler was disposed`);
  }
}

/** Writes softmax(x[off .. off + T)) into `p` (max-shifted). */
function softmaxRow(x: Float32Array, off: number, T: number, p: Float64Array): void {
  let m = -Infinity;
  for (let t = 0; t < T; t++) if (x[off + t] > m) m = x[off + t];
  let z = 0;
  for (let t = 0; t < T; t++) {
    p[t] = Math.exp(x[off + t] - m);
    z += p[t];
  }
  for (let t = 0; t < T; t++) p[t] /= z;
}

/**
 * Adversarial negative sampler: NMRN's generator G (Wang et al., "Neural Memory Streaming
 * Recommender Networks with Adversarial Training", KDD 2018), with IRGAN-style importance mixing
 * (Wang et al., SIGIR 2017) as an option. For each negative it draws T uniform candidates the
 * user has not seen and samples one from softmax(-d_G(u, .)); `update` applies REINFORCE with the
 * rewards any critic gives those negatives (not only NMRN: any model that scores pairs).
 *
 * @example
 * ```ts
 * const gan = ganSampler({ seen, dim: 32, hidden: 32, candidates: 32, learningRate: 0.01, seed: 1 });
 * gan.pretrain(users, items);
 * const negs = gan.sample(users, items, 1);
 * const rewards = critic.distance(users, negs).map((d) => -d); // r = -d_D(u, v-)
 * const { meanReward, baseline, loss } = gan.update(users, negs, rewards);
 * const bytes = gan.toBytes(); // see fromBytes
 * gan.dispose();
 * ```
 */
export function ganSampler(options: GanSamplerOptions): GanSampler {
  return new GanSampler(options);
}
