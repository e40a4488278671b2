import { idealDcg } from './metrics';

/**
 * One evaluated unit (a user under full ranking, a test case under sampled-N, an event in a
 * stream): where its relevant items landed in the ranking of its candidates.
 */
export interface RankedUnit {
  /** User id (kept for per-user statistics). */
  user: number;
  /** The unit's top list, best first (at least `min(maxK, numRanked)` items). */
  topK: Int32Array;
  /** Sorted 0-based positions of the relevant items in the full ranking of the candidates. */
  positions: Int32Array;
  /** Number of relevant items (the denominator of recall and MAP). */
  numRelevant: number;
  /** Number of ranked candidates, relevant ones included (for AUC). */
  numRanked: number;
}

/** Options of {@link MetricAccumulator}. */
export interface MetricAccumulatorOptions {
  /** Cut-offs, e.g. `[5, 10, 20]`. */
  k: number[];
  /** Catalogue size (for coverage@k). */
  numItems: number;
}

/** Per-unit metric values, aligned with `users`. */
export interface PerUnitValues {
  users: Int32Array;
  values: Record<string, Float64Array>;
}

/** Stores v as unit `row`'s value of metric column c and adds it to the column's sum; returns c + 1. */
function put(cols: Float64Array[], sums: Float64Array, c: number, row: number, v: number): number {
  cols[c][row] = v;
  sums[c] += v;
  return c + 1;
}

/**
 * Computes every metric at several cut-offs in one pass over the ranked units: `hr@k`,
 * `precision@k`, `recall@k`, `ndcg@k`, `map@k` and `coverage@k` for each k, plus `mrr`, `map`
 * (un-truncated) and `auc`. Definitions: see `metrics.ts` (the per-list functions give the same
 * numbers; the tests check that). Means are over units; coverage is over all units' top-k lists.
 *
 * @example
 * ```ts
 * const acc = new MetricAccumulator({ k: [1, 10], numItems: 100 });
 * acc.add({ user: 0, topK: Int32Array.from([5, 7]), positions: Int32Array.from([1]), numRelevant: 1, numRanked: 90 });
 * acc.result()['hr@10']; // 1
 * ```
 */
export class MetricAccumulator {
  readonly k: number[];
  /** Catalogue size (grows when a stream lists a new item). */
  numItems: number;
  /** Metric names in report order (coverage last). */
  readonly names: string[];
  private readonly perUnitNames: string[];
  private sums: Float64Array;
  private cols: Float64Array[];
  private users: Int32Array;
  private n = 0;
  private bestPos: Int32Array;
  private readonly maxK: number;
  private readonly idcg: Float64Array;

  constructor(options: MetricAccumulatorOptions) {
    const { k, numItems } = options;
    if (!Array.isArray(k) || k.length === 0) throw new Error(`MetricAccumulator: k must be a non-empty array of integers >= 1, got ${JSON.stringify(k)}`);
    for (const v of k) if (!Number.isInteger(v) || v < 1) throw new Error(`MetricAccumulator: k must hold integers >= 1, got ${v}`);
    if (!Number.isInteger(numItems) || numItems < 1) throw new Error(`MetricAccumulator: numItems must be an integer >= 1, got ${numItems}`);
    this.k = [...new Set(k)].sort((a, b) => a - b);
    this.numItems = numItems;
    this.maxK = this.k[this.k.length - 1];
    const names: string[] = [];
    for (const c of this.k) names.push(`hr@${c}`, `precision@${c}`, `recall@${c}`, `ndcg@${c}`, `map@${c}`);
    names.push('mrr', 'map', 'auc');
    this.perUnitNames = names;
    this.names = [...names, ...this.k.map((c) => `coverage@${c}`)];
    this.sums = new Float64Array(names.length);
    this.cols = names.map(() => new Float64Array(64));
    this.users = new Int32Array(64);
    this.bestPos = new Int32Array(numItems).fill(0x7fffffff);
    this.idcg = new Float64Array(this.maxK + 1);
    for (let m = 1; m <= this.maxK; m++) this.idcg[m] = idealDcg(m);
  }

  /** Number of units added. */
  get count(): number {
    return this.n;
  }

  /** Adds one ranked unit. */
  add(unit: RankedUnit): void {
    const { topK, positions } = unit;
    this.addRanked(unit.user, topK, topK.length, positions, positions.length, unit.numRelevant, unit.numRanked);
  }

  /**
   * {@link MetricAccumulator.add} without the unit object: the first `topCount` entries of
   * `topK` and the first `numPositions` entries of `positions` (for evaluators that reuse their
   * buffers across units).
   *
   * @example
   * ```ts
   * acc.addRanked(7, top, ranker.count, positions, relevant.length, relevant.length, numRanked);
   * ```
   */
  addRanked(user: number, topK: Int32Array, topCount: number, positions: Int32Array, numPositions: number, numRelevant: number, numRanked: number): void {
    this.addRankedAt(user, topK, 0, topCount, positions, 0, numPositions, numRelevant, numRanked);
  }

  /**
   * {@link MetricAccumulator.addRanked} with the unit's top list at `topK[topAt, topAt +
   * topCount)` and its positions at `positions[posAt, posAt + numPositions)`: rows of a chunk's
   * arrays added without a view per row.
   *
   * @example
   * ```ts
   * acc.addRankedAt(7, ranks.top, r * k, ranks.topCounts[r], ranks.positions, at, m, m, numRanked);
   * ```
   */
  addRankedAt(user: number, topK: Int32Array, topAt: number, topCount: number, positions: Int32Array, posAt: number, numPositions: number, numRelevant: number, numRanked: number): void {
    const pos = positions;
    if (this.n === this.users.length) this.grow();
    const row = this.n++;
    this.users[row] = user;
    const cols = this.cols;
    const sums = this.sums;
    const end = posAt + numPositions;
    let c = 0;
    for (const k of this.k) {
      let hits = 0;
      let dcg = 0;
      let ap = 0;
      for (let h = posAt; h < end && pos[h] < k; h++) {
        hits++;
        dcg += 1 / Math.log2(pos[h] + 2);
        ap += hits / (pos[h] + 1);
      }
      const rel = Math.min(k, numRelevant);
      c = put(cols, sums, c, row, hits > 0 ? 1 : 0);
      c = put(cols, sums, c, row, hits / k);
      c = put(cols, sums, c, row, numRelevant > 0 ? hits / numRelevant : 0);
      c = put(cols, sums, c, row, rel > 0 ? dcg / this.idcg[rel] : 0);
      c = put(cols, sums, c, row, rel > 0 ? ap / rel : 0);
    }
    c = put(cols, sums, c, row, numPositions > 0 ? 1 / (pos[posAt] + 1) : 0);
    let ap = 0;
    for (let h = posAt; h < end; h++) ap += (h - posAt + 1) / (pos[h] + 1);
    c = put(cols, sums, c, row, numRelevant > 0 ? ap / numRelevant : 0);
    // AUC as `aucFromPositions` computes it: the h-th relevant item (0-based) at position p has p - h negatives above it
    const neg = numRanked - numPositions;
    let auc = 0;
    if (numPositions > 0 && neg > 0) {
      let s = 0;
      for (let h = posAt; h < end; h++) s += neg - (pos[h] - (h - posAt));
      auc = s / (numPositions * neg);
    }
    put(cols, sums, c, row, auc);
    const n = Math.min(this.maxK, topCount);
    for (let p = 0; p < n; p++) {
      const i = topK[topAt + p];
      if (i >= this.bestPos.length) this.growItems(i + 1);
      if (p < this.bestPos[i]) this.bestPos[i] = p;
    }
  }

  /** Mean of every per-unit metric and coverage@k (0 for every metric when nothing was added). */
  result(): Record<string, number> {
    const out: Record<string, number> = {};
    this.perUnitNames.forEach((name, c) => {
      out[name] = this.n > 0 ? this.sums[c] / this.n : 0;
    });
    for (const k of this.k) {
      let covered = 0;
      for (let i = 0; i < this.bestPos.length; i++) if (this.bestPos[i] < k) covered++;
      out[`coverage@${k}`] = covered / this.numItems;
    }
    return out;
  }

  /** Per-unit values of every metric except coverage (for paired tests and windows). */
  perUnit(): PerUnitValues {
    const values: Record<string, Float64Array> = {};
    this.perUnitNames.forEach((name, c) => {
      values[name] = this.cols[c].slice(0, this.n);
    });
    return { users: this.users.slice(0, this.n), values };
  }

  private grow(): void {
    const size = this.users.length * 2;
    const users = new Int32Array(size);
    users.set(this.users);
    this.users = users;
    this.cols = this.cols.map((col) => {
      const bigger = new Float64Array(size);
      bigger.set(col);
      return bigger;
    });
  }

  private growItems(numItems: number): void {
    const best = new Int32Array(numItems).fill(0x7fffffff);
    best.set(this.bestPos);
    this.bestPos = best;
    this.numItems = Math.max(this.numItems, numItems);
  }
}
