import { assertFinite, assertInt, seededRng, type Rng, type UserItemSet } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { Complement, DEFAULT_BITSET_BUDGET, type ExclusionMode } from './complement';
import type { PairScorer } from './dns';
import { checkSampleArgs, checkSeen } from './types';

/**
 * Distances (or scores) of each row's candidates: `users` has one id per row, `items` has
 * `users.length * c` ids, row r's c candidates at `[r * c, (r + 1) * c)`; returns
 * `items.length` values in the same order. The `[b, n]` form of a model's pair scorer.
 *
 * @example
 * ```ts
 * const scorer: RowScorer = (u, i) => kv.distanceHost(u, i); // reads each user once
 * ```
 */
export type RowScorer = (users: Int32Array, items: Int32Array) => Float32Array;

/** Options of {@link rankWeight}. */
export interface RankWeightOptions {
  /** Training positives, read live. */
  seen: UserItemSet;
  /** N in the weight; default: `seen.numItems` at each call (grows with a stream). */
  numItems?: number;
  /** Hinge margin m (> 0 is usual; >= 0 required). */
  margin: number;
  /** Most uniform draws per positive; default 50 (the public NMRN reimplementation's value). */
  maxDraws?: number;
  /** `distance` (default): violation when d_neg < d_pos + m; `score`: when s_neg > s_pos - m. */
  kind?: 'distance' | 'score';
  /** Seed; default 0. */
  seed?: number;
  /** Exclusion strategy; default `auto`. */
  exclusion?: ExclusionMode;
}

/** What {@link RankWeightSampler.sample} returns; arrays of length `users.length * n`, row-major. */
export interface RankWeightResult {
  /** The first margin-violating negative, or the last one drawn when none violated. */
  negatives: Int32Array;
  /** Distance (or score) of each negative, as computed by the callback. */
  negDistances: Float32Array;
  /** k: the number of draws used (maxDraws when none violated). */
  draws: Int32Array;
  /** w = log(floor((N - 1) / k) + 1). */
  weights: Float32Array;
  /** 1 when the negative violates the margin, else 0 (its hinge term is then 0). */
  violated: Uint8Array;
}

const FN = 'rankWeight';

/** Draws margin-violating negatives and their rank weights; see {@link rankWeight}. */
export class RankWeightSampler {
  readonly seen: UserItemSet;
  readonly margin: number;
  readonly maxDraws: number;
  readonly kind: 'distance' | 'score';
  private readonly fixedItems: number | undefined;
  private readonly rng: Rng;
  private readonly complement: Complement;

  constructor(options: RankWeightOptions) {
    if (options == null || typeof options !== 'object') throw new Error(`${FN}: options must be an object like { seen, margin }, got ${show(options)}`);
    checkSeen(FN, options.seen);
    assertFinite(FN, 'margin', options.margin, 0);
    const maxDraws = options.maxDraws ?? 50;
    assertInt(FN, 'maxDraws', maxDraws, 1);
    if (options.numItems !== undefined) assertInt(FN, 'numItems', options.numItems, 2);
    const kind = options.kind ?? 'distance';
    if (kind !== 'distance' && kind !== 'score') throw new Error(`${FN}: kind must be 'distance' or 'score', got ${show(kind)}`);
    const seed = options.seed ?? 0;
    assertFinite(FN, 'seed', seed);
    this.seen = options.seen;
    this.margin = options.margin;
    this.maxDraws = maxDraws;
    this.kind = kind;
    this.fixedItems = options.numItems;
    this.rng = seededRng(seed);
    this.complement = new Complement(options.seen, options.exclusion ?? 'auto', DEFAULT_BITSET_BUDGET);
  }

  /** The weight log(floor((N - 1) / k) + 1) for k draws. */
  weightFor(k: number): number {
    const N = this.fixedItems ?? this.seen.numItems;
    return Math.log(Math.floor((N - 1) / k) + 1);
  }

  /**
   * For each (user, positive) row and each of its `n` negatives: draws uniform negatives until
   * one violates the margin against `posDist[row]` (at most `maxDraws`). Batched: rounds of 1, 2,
   * 4, ... draws per unresolved row, each round one `distance(users, items)` call; the first
   * violating draw in order is kept, so k is the sequential draw count.
   */
  sample(users: Int32Array, positives: Int32Array, posDist: Float32Array, distance: PairScorer, n = 1): RankWeightResult {
    const fn = `${FN}.sample`;
    const negatives = this.checkArgs(fn, users, positives, posDist, distance, n);
    return this.draw(fn, users, positives, posDist, n, 1, negatives, (rowUsers, ci, c) => {
      const cu = new Int32Array(ci.length);
      for (let q = 0; q < rowUsers.length; q++) cu.fill(rowUsers[q], q * c, (q + 1) * c);
      return distance(cu, ci);
    });
  }

  /**
   * {@link RankWeightSampler.sample} with a scorer that takes each row's candidates together:
   * `distance(rowUsers, items)` gets one user per unresolved row and `items` =
   * `rowUsers.length * c` candidates, row-major (the `[b, n]` form of
   * `KeyValueMemory.distance` / `distanceHost`), so a model reads each user once per call.
   * Rounds of `firstRound` (default `maxDraws`: a single call), then 2x, 4x, ... that many draws
   * per unresolved row. The first violating draw in draw order is kept, so k is the sequential
   * draw count and the result has the same distribution as drawing one at a time; draws after
   * it are discarded. Each row's draws of a round come from the generator one after another,
   * so for a given seed the drawn items differ from `sample`'s (which interleaves rows' draws
   * differently).
   *
   * @example
   * ```ts
   * const rw = rankWeight({ seen, margin: 0.5, maxDraws: 50, seed: 1 });
   * const posDist = kv.distanceHost(users, items);
   * const { negatives, weights } = rw.sampleRows(users, items, posDist, (u, i) => kv.distanceHost(u, i));
   * ```
   */
  sampleRows(users: Int32Array, positives: Int32Array, posDist: Float32Array, distance: RowScorer, n = 1, firstRound = this.maxDraws): RankWeightResult {
    const fn = `${FN}.sampleRows`;
    const negatives = this.checkArgs(fn, users, positives, posDist, distance, n);
    assertInt(fn, 'firstRound', firstRound, 1);
    return this.draw(fn, users, positives, posDist, n, firstRound, negatives, (rowUsers, ci) => distance(rowUsers, ci));
  }

  private checkArgs(fn: string, users: Int32Array, positives: Int32Array, posDist: Float32Array, distance: unknown, n: number): Int32Array {
    const negatives = checkSampleArgs(fn, this.seen, users, positives, n, undefined);
    if (!(posDist instanceof Float32Array) || posDist.length !== users.length) {
      throw new Error(`${fn}: posDist must be a Float32Array of length users.length = ${users.length}, got ${show(posDist)}`);
    }
    for (let r = 0; r < posDist.length; r++) {
      if (!Number.isFinite(posDist[r])) throw new Error(`${fn}: posDist[${r}] must be finite, got ${posDist[r]}`);
    }
    if (typeof distance !== 'function') throw new Error(`${fn}: distance must be a function (users, items) => Float32Array, got ${show(distance)}`);
    return negatives;
  }

  /**
   * The draw loop: rounds of `first`, `2 * first`, ... draws per unresolved row; `score` gets the
   * rows' users and their candidates (`c` per row, row-major) and returns their distances.
   */
  private draw(
    fn: string,
    users: Int32Array,
    positives: Int32Array,
    posDist: Float32Array,
    n: number,
    first: number,
    negatives: Int32Array,
    score: (rowUsers: Int32Array, ci: Int32Array, c: number) => Float32Array,
  ): RankWeightResult {
    const rows = users.length * n;
    const negDistances = new Float32Array(rows);
    const draws = new Int32Array(rows);
    const weights = new Float32Array(rows);
    const violated = new Uint8Array(rows);
    let pending = Int32Array.from({ length: rows }, (_, g) => g);
    let used = 0;
    let chunk = first;
    const isDist = this.kind === 'distance';
    const m = this.margin;
    while (pending.length > 0 && used < this.maxDraws) {
      const c = Math.min(chunk, this.maxDraws - used);
      const P = pending.length;
      const ru = new Int32Array(P);
      const ci = new Int32Array(P * c);
      for (let q = 0; q < P; q++) {
        const r = (pending[q] / n) | 0;
        this.complement.fill(fn, users[r], positives[r], c, ci, q * c, this.rng);
        ru[q] = users[r];
      }
      const d = score(ru, ci, c);
      if (!(d instanceof Float32Array) || d.length !== P * c) {
        throw new Error(`${fn}: distance must return a Float32Array of length ${P * c} (one per pair), got ${show(d)}`);
      }
      let next = 0;
      for (let q = 0; q < P; q++) {
        const g = pending[q];
        const thr = posDist[(g / n) | 0];
        let hit = -1;
        for (let t = 0; t < c; t++) {
          const v = d[q * c + t];
          if (v !== v) throw new Error(`${fn}: distance returned NaN for user ${ru[q]}, item ${ci[q * c + t]}`);
          if (isDist ? v < thr + m : v > thr - m) {
            hit = t;
            break;
          }
        }
        const t = hit >= 0 ? hit : c - 1;
        negatives[g] = ci[q * c + t];
        negDistances[g] = d[q * c + t];
        draws[g] = used + t + 1;
        if (hit >= 0) violated[g] = 1;
        else pending[next++] = g;
      }
      pending = pending.subarray(0, next);
      used += c;
      chunk *= 2;
    }
    for (let g = 0; g < rows; g++) weights[g] = this.weightFor(draws[g]);
    return { negatives, negDistances, draws, weights, violated };
  }
}

/**
 * The rank weight of the weighted hinge loss (WARP, Weston et al. IJCAI 2011; CML, Hsieh et al.
 * WWW 2017; NMRN, Wang et al. KDD 2018): for a positive (u, v) with distance d_pos, draw uniform
 * negatives until one violates the margin (d_neg < d_pos + m); with k draws the rank of v is
 * estimated as floor((N - 1) / k) and the weight is w = log(floor((N - 1) / k) + 1).
 *
 * @example
 * ```ts
 * const rw = rankWeight({ seen, margin: 3, maxDraws: 50, seed: 1 });
 * const { negatives, weights } = rw.sample(users, items, posDist, (u, i) => model.distance(u, i));
 * // loss = mean(weights * relu(m + posDist - negDistances))
 * ```
 */
export function rankWeight(options: RankWeightOptions): RankWeightSampler {
  return new RankWeightSampler(options);
}
