import type { Rng } from '@memrec/core';

/**
 * Walker's alias table (Vose's O(n) construction): draws index `i` with probability
 * `weights[i] / sum(weights)` in O(1), with one uniform index and one biased coin.
 *
 * Walker, "An efficient method for generating discrete random variables with general
 * distributions", ACM TOMS 1977; Vose, IEEE TSE 1991.
 *
 * @example
 * ```ts
 * const table = new AliasTable(Float64Array.from([1, 2, 7]));
 * const i = table.draw(seededRng(1)); // 2 with probability 0.7
 * ```
 */
export class AliasTable {
  /** Acceptance probability of each column. */
  readonly prob: Float64Array;
  /** Alias of each column. */
  readonly alias: Int32Array;
  /** Sum of the weights. */
  readonly total: number;

  constructor(weights: Float64Array) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0 && w < Infinity)) throw new Error(`AliasTable: weights[${i}] must be a finite number >= 0, got ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new Error(`AliasTable: weights must have a positive sum, got ${total} over ${n} weights`);
    this.total = total;
    const prob = new Float64Array(n);
    const alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[nl - 1];
      prob[s] = scaled[s];
      alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) {
        nl--;
        small[ns++] = l;
      }
    }
    // Leftovers are 1 up to rounding.
    while (nl > 0) {
      const l = large[--nl];
      prob[l] = 1;
      alias[l] = l;
    }
    let anyPositive = 0;
    while (!(weights[anyPositive] > 0)) anyPositive++;
    while (ns > 0) {
      const s = small[--ns];
      // A zero weight must stay unreachable even when rounding leaves it here.
      prob[s] = weights[s] > 0 ? 1 : 0;
      alias[s] = weights[s] > 0 ? s : anyPositive;
    }
    this.prob = prob;
    this.alias = alias;
  }

  /** Number of outcomes. */
  get size(): number {
    return this.prob.length;
  }

  /** One draw. */
  draw(rng: Rng): number {
    const i = (rng() * this.prob.length) | 0;
    return rng() < this.prob[i] ? i : this.alias[i];
  }
}
