import { assertFinite, assertInt, seededRng, type Rng, type UserItemSet } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { Complement, DEFAULT_BITSET_BUDGET, type ExclusionMode } from './complement';
import { checkSampleArgs, checkSeen, type NegativeSampler } from './types';

/** Scores (user, item) pairs: `users[k]`, `items[k]` -> `out[k]`, length `users.length`. */
export type PairScorer = (users: Int32Array, items: Int32Array) => Float32Array;

/** Options of {@link dnsSampler}. */
export interface DnsSamplerOptions {
  /** Training positives, read live. */
  seen: UserItemSet;
  /** Candidates T drawn uniformly per negative; the hardest is kept. Default 32. */
  candidates?: number;
  /** The current model's pair scorer, called once per `sample` with `batch * n * T` pairs. */
  score: PairScorer;
  /** `score` (default): hardest = highest score; `distance`: hardest = lowest distance. */
  kind?: 'score' | 'distance';
  /** Seed; default 0. */
  seed?: number;
  /** Exclusion strategy; default `auto`. */
  exclusion?: ExclusionMode;
}

const FN = 'dnsSampler';

/** A {@link NegativeSampler} keeping the hardest of T uniform candidates; see {@link dnsSampler}. */
export class DnsSampler implements NegativeSampler {
  readonly seen: UserItemSet;
  readonly candidates: number;
  readonly kind: 'score' | 'distance';
  private readonly score: PairScorer;
  private readonly rng: Rng;
  private readonly complement: Complement;
  private candUsers = new Int32Array(0);
  private candItems = new Int32Array(0);

  constructor(options: DnsSamplerOptions) {
    if (options == null || typeof options !== 'object') throw new Error(`${FN}: options must be an object like { seen, candidates, score }, got ${show(options)}`);
    checkSeen(FN, options.seen);
    const T = options.candidates ?? 32;
    assertInt(FN, 'candidates', T, 1);
    if (typeof options.score !== 'function') throw new Error(`${FN}: score must be a function (users, items) => Float32Array, got ${show(options.score)}`);
    const kind = options.kind ?? 'score';
    if (kind !== 'score' && kind !== 'distance') throw new Error(`${FN}: kind must be 'score' or 'distance', got ${show(kind)}`);
    const seed = options.seed ?? 0;
    assertFinite(FN, 'seed', seed);
    this.seen = options.seen;
    this.candidates = T;
    this.kind = kind;
    this.score = options.score;
    this.rng = seededRng(seed);
    this.complement = new Complement(options.seen, options.exclusion ?? 'auto', DEFAULT_BITSET_BUDGET);
  }

  /**
   * See {@link NegativeSampler.sample}. Each of the `n` negatives of a row is the hardest of its
   * own T uniform candidates (independent candidate sets, so negatives may repeat).
   */
  sample(users: Int32Array, positives: Int32Array, n: number, out?: Int32Array): Int32Array {
    const fn = `${FN}.sample`;
    const res = checkSampleArgs(fn, this.seen, users, positives, n, out);
    const T = this.candidates;
    const total = users.length * n * T;
    if (this.candItems.length !== total) {
      this.candItems = new Int32Array(total);
      this.candUsers = new Int32Array(total);
    }
    const items = this.candItems;
    const cu = this.candUsers;
    for (let r = 0; r < users.length; r++) {
      const off = r * n * T;
      this.complement.fill(fn, users[r], positives[r], n * T, items, off, this.rng);
      cu.fill(users[r], off, off + n * T);
    }
    const s = this.score(cu, items);
    if (!(s instanceof Float32Array) || s.length !== total) {
      throw new Error(`${fn}: score must return a Float32Array of length batch * n * candidates = ${total}, got ${show(s)}`);
    }
    const sign = this.kind === 'score' ? 1 : -1;
    for (let g = 0; g < users.length * n; g++) {
      const o = g * T;
      let best = o;
      let bestV = -Infinity;
      for (let t = 0; t < T; t++) {
        const v = sign * s[o + t];
        if (v !== v) throw new Error(`${fn}: score returned NaN for user ${cu[o + t]}, item ${items[o + t]}`);
        if (v > bestV || t === 0) {
          bestV = v;
          best = o + t;
        }
      }
      res[g] = items[best];
    }
    return res;
  }
}

/**
 * Dynamic negative sampling (DNS; Zhang, Chen, Wang & Yu, "Optimizing top-n collaborative
 * filtering via dynamic negative item sampling", SIGIR 2013): draw T uniform candidates the user
 * has not seen, score them with the current model, keep the hardest (highest score, or lowest
 * distance for distance models such as NMRN). A non-adversarial adaptive baseline.
 *
 * `score` is called once per `sample` call with all `batch * n * T` pairs, so a model can score
 * them in one batched pass.
 *
 * @example
 * ```ts
 * const dns = dnsSampler({
 *   seen,
 *   candidates: 32,
 *   score: (users, items) => model.scorePairs(users, items), // Float32Array
 *   seed: 1,
 * });
 * const negs = dns.sample(batchUsers, batchItems, 1);
 * ```
 */
export function dnsSampler(options: DnsSamplerOptions): DnsSampler {
  return new DnsSampler(options);
}
