import { assertFinite, assertIds, assertInt, seededRng, type UserItemSet } from '@memrec/core';
import { nextRandom, rngState, show, type RngState } from '@memrec/core/internal';
import { AliasTable } from './alias';
import { Complement, DEFAULT_BITSET_BUDGET, type ExclusionMode } from './complement';
import { checkSampleArgs, checkSeen, noNegativeError, type NegativeSampler } from './types';

/** Options of {@link popularitySampler}. */
export interface PopularitySamplerOptions {
  /** Training positives, read live. */
  seen: UserItemSet;
  /** Interaction count of each item (index = item id); copied. */
  counts: Float64Array | Int32Array | Float32Array | ArrayLike<number>;
  /** Exponent: P(i) is proportional to counts[i]^alpha; default 1 (0 = uniform, 0.75 = word2vec). */
  alpha?: number;
  /** Seed; default 0. */
  seed?: number;
  /** Rejections per draw before switching to the exact restricted distribution; default 64. */
  maxTries?: number;
  /** Exclusion strategy; default `auto`. */
  exclusion?: ExclusionMode;
  /** Memory cap of the bitset in `auto` mode; default 256 MiB. */
  bitsetBudgetBytes?: number;
}

const FN = 'popularitySampler';

/** A {@link NegativeSampler} drawing by item popularity; see {@link popularitySampler}. */
export class PopularitySampler implements NegativeSampler {
  readonly seen: UserItemSet;
  readonly alpha: number;
  /** The generator's state: draws go through `nextRandom`, which the JIT inlines. */
  private readonly state: RngState;
  private readonly maxTries: number;
  private readonly complement: Complement;
  private counts: Float64Array;
  /** `counts[i]^alpha` of the current table. */
  private w: Float64Array = new Float64Array(0);
  private table: AliasTable | null = null;
  private cdf = new Float64Array(0);

  constructor(options: PopularitySamplerOptions) {
    if (options == null || typeof options !== 'object') throw new Error(`${FN}: options must be an object like { seen, counts, alpha }, got ${show(options)}`);
    checkSeen(FN, options.seen);
    const alpha = options.alpha ?? 1;
    assertFinite(FN, 'alpha', alpha, 0);
    const seed = options.seed ?? 0;
    assertFinite(FN, 'seed', seed);
    const maxTries = options.maxTries ?? 64;
    assertInt(FN, 'maxTries', maxTries, 1);
    this.seen = options.seen;
    this.alpha = alpha;
    this.state = rngState(seededRng(seed)) as RngState;
    this.maxTries = maxTries;
    this.complement = new Complement(options.seen, options.exclusion ?? 'auto', options.bitsetBudgetBytes ?? DEFAULT_BITSET_BUDGET);
    this.counts = new Float64Array(0);
    this.rebuild(options.counts);
  }

  /** Item weights `counts[i]^alpha` of the current table (a copy). */
  weights(): Float64Array {
    const w = new Float64Array(this.counts.length);
    for (let i = 0; i < w.length; i++) w[i] = Math.pow(this.counts[i], this.alpha);
    return w;
  }

  /** Replaces the counts (when given) and rebuilds the alias table now, O(numItems). */
  rebuild(counts?: PopularitySamplerOptions['counts']): void {
    const fn = `${FN}.rebuild`;
    if (counts !== undefined) {
      if (counts == null || typeof (counts as ArrayLike<number>).length !== 'number') throw new Error(`${fn}: counts must be an array of numbers, got ${show(counts)}`);
      if (counts.length > this.seen.numItems) {
        throw new Error(`${fn}: counts must have at most seen.numItems = ${this.seen.numItems} entries, got ${counts.length}`);
      }
      const c = Float64Array.from(counts as ArrayLike<number>);
      for (let i = 0; i < c.length; i++) {
        if (!(c[i] >= 0 && c[i] < Infinity)) throw new Error(`${fn}: counts[${i}] must be a finite number >= 0, got ${c[i]}`);
      }
      this.counts = c;
    }
    const w = this.weights();
    this.w = w;
    let total = 0;
    for (let i = 0; i < w.length; i++) total += w[i];
    if (!(total > 0)) throw new Error(`${fn}: counts^alpha must have a positive sum, got ${total} (alpha ${this.alpha}, ${w.length} items)`);
    this.table = new AliasTable(w);
  }

  /**
   * Adds `weight` (default 1) to the count of each of `items` (a stream's new events; new item
   * ids grow the table). The alias table is rebuilt lazily, on the next `sample`.
   */
  observe(items: Int32Array, weight = 1): void {
    const fn = `${FN}.observe`;
    assertFinite(fn, 'weight', weight, 0);
    assertIds(fn, 'items', items, this.seen.numItems);
    let max = this.counts.length;
    for (let k = 0; k < items.length; k++) if (items[k] >= max) max = items[k] + 1;
    if (max > this.counts.length) {
      const grown = new Float64Array(max);
      grown.set(this.counts);
      this.counts = grown;
    }
    for (let k = 0; k < items.length; k++) this.counts[items[k]] += weight;
    this.table = null;
  }

  /** See {@link NegativeSampler.sample}. */
  sample(users: Int32Array, positives: Int32Array, n: number, out?: Int32Array): Int32Array {
    const fn = `${FN}.sample`;
    const res = checkSampleArgs(fn, this.seen, users, positives, n, out);
    if (this.table === null) this.rebuild();
    const table = this.table as AliasTable;
    const prob = table.prob;
    const alias = table.alias;
    const size = prob.length;
    const state = this.state;
    const seen = this.seen;
    const comp = this.complement;
    const maxTries = this.maxTries;
    // Bitset mode with every row's user synced: rows read the bitset without per-row checks.
    const synced = comp.prepareRows(users);
    const wpu = comp.rowWords;
    for (let r = 0; r < users.length; r++) {
      const u = users[r];
      const p = positives[r];
      const base = synced ? u * wpu : comp.rowBase(u);
      const words = comp.bitWords;
      const sparse = !synced && base < 0 && seen.count(u) > 0;
      let exact = false;
      for (let k = r * n, end = k + n; k < end; k++) {
        let i = -1;
        if (!exact) {
          for (let t = 0; t < maxTries; t++) {
            const j = (nextRandom(state) * size) | 0;
            const c = nextRandom(state) < prob[j] ? j : alias[j];
            if (c === p) continue;
            if (base >= 0 ? ((words[base + (c >>> 5)] >>> (c & 31)) & 1) === 1 : sparse && seen.has(u, c)) continue;
            i = c;
            break;
          }
        }
        if (i < 0) {
          // Rare: the user's positives hold most of the mass. Draw from the restricted distribution.
          if (!exact) this.buildRestricted(u, p);
          exact = true;
          i = this.drawRestricted(state);
        }
        res[k] = i;
      }
    }
    return res;
  }

  /** Cumulative weights over items that are neither positives of `u` nor `p`. */
  private buildRestricted(u: number, p: number): void {
    const w = this.w.slice();
    w[p] = 0;
    const list = this.seen.itemsOf(u);
    for (let j = 0; j < list.length; j++) if (list[j] < w.length) w[list[j]] = 0;
    if (this.cdf.length < w.length) this.cdf = new Float64Array(w.length);
    let acc = 0;
    for (let i = 0; i < w.length; i++) {
      acc += w[i];
      this.cdf[i] = acc;
    }
    if (!(acc > 0)) throw noNegativeError(`${FN}.sample`, u, p, this.seen);
  }

  private drawRestricted(state: RngState): number {
    const size = this.counts.length;
    const cdf = this.cdf;
    const x = nextRandom(state) * cdf[size - 1];
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Popularity negative sampler: draws item `i` with probability proportional to
 * `counts[i]^alpha` among the items the user has not seen (alias method, O(1) per draw;
 * positives rejected, with an exact fallback for users whose positives hold most of the mass).
 * Popularity-biased negatives as in word2vec's unigram^0.75 (Mikolov et al., NeurIPS 2013)
 * and the popularity sampler of Rendle & Freudenthaler (WSDM 2014).
 *
 * For streams: `observe(items)` adds counts (the table rebuilds lazily), `rebuild(counts)`
 * replaces them.
 *
 * @example
 * ```ts
 * const sampler = popularitySampler({ seen, counts: Int32Array.from([50, 10, 3, 1]), alpha: 0.75, seed: 1 });
 * const negs = sampler.sample(Int32Array.from([0]), Int32Array.from([2]), 8);
 * sampler.observe(Int32Array.from([3, 3])); // item 3 got two new interactions
 * ```
 */
export function popularitySampler(options: PopularitySamplerOptions): PopularitySampler {
  return new PopularitySampler(options);
}
