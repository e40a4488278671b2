import type { UserItemSet } from '@memrec/core';
import { MetricAccumulator, type MetricAccumulatorOptions, type PerUnitValues } from './accumulator';
import { RowRanker } from './row-ranker';

/**
 * One chunk of score rows to rank (see {@link ChunkRanker}): row r holds the scores of all
 * `numItems` items for one user, at `scores[r * numItems, (r + 1) * numItems)`.
 */
export interface ChunkJob {
  /** `rows x numItems` scores, row-major. */
  scores: Float32Array;
  numItems: number;
  /** Number of rows. */
  rows: number;
  /** Row r's excluded items (sorted ascending, distinct). */
  exclude: (row: number) => Int32Array;
  /**
   * Optional, given together with `users`: the set behind `exclude`, `exclude(r)` being
   * `seen.itemsOf(users[r])`. A ranker elsewhere (a worker thread) may copy the set once per
   * evaluation instead of each chunk's lists; `seen` must not change while the job is ranked.
   */
  seen?: UserItemSet;
  /** Row r's user (with `seen`). */
  users?: Int32Array;
  /**
   * Row r's relevant items (sorted ascending, distinct, disjoint from the excluded ones). Empty
   * when `rawRelevant` is given instead.
   */
  relevant: Int32Array[];
  /**
   * Only for a ranker that declares {@link ChunkRanker.cleansRelevant}, instead of `relevant`: row
   * r's test items as the test set lists them, `items[offsets[r], offsets[r + 1])` (`offsets` has
   * `rows + 1` entries and may start above 0): in any order, possibly repeated, possibly excluded.
   * The ranker sorts them, drops repeats and excluded items, ranks the rest, and reports per row
   * how many were kept (`ChunkRanks.numRelevant`) and how many distinct ones were dropped as
   * excluded (`ChunkRanks.dropped`). A row left with none is not ranked.
   */
  rawRelevant?: { offsets: Int32Array; items: Int32Array };
  /** True when a lower value ranks first. */
  distance: boolean;
  /** Length of the top list (0: none). */
  k: number;
  /**
   * Optional, with `users` and `rawRelevant`: the id of an accumulator opened on this ranker
   * ({@link ChunkRanker.openAccumulator}). Each ranked row is added to it, in row order, as user
   * `users[r]`'s unit; the answer's `top`, `topCounts` and `positions` may then be empty.
   */
  accumulator?: number;
}

/** What ranking a {@link ChunkJob} gives, per row. */
export interface ChunkRanks {
  /** Row r's top list, best first: `top[r * k, r * k + topCounts[r])`. */
  top: Int32Array;
  topCounts: Int32Array;
  /** Sorted 0-based positions of row r's relevant items, concatenated in row order. */
  positions: Int32Array;
  /** Items ranked in row r (excluded ones not counted); -1 when the row holds a NaN. */
  numRanked: Int32Array;
  /** With `rawRelevant`: row r's relevant items kept (its number of positions; 0: not ranked). */
  numRelevant?: Int32Array;
  /** With `rawRelevant`: row r's distinct test items dropped because they are excluded. */
  dropped?: Int32Array;
}

/** An accumulator's final state (see {@link RankerAccumulator.finish}). */
export interface AccumulatedMetrics {
  /** `MetricAccumulator.result()`. */
  metrics: Record<string, number>;
  /** `MetricAccumulator.perUnit()`. */
  perUnit: PerUnitValues;
  /** Units added. */
  count: number;
}

/**
 * A {@link MetricAccumulator} kept where a {@link ChunkRanker} ranks (see
 * {@link ChunkRanker.openAccumulator}): jobs naming its `id` add their rows to it.
 *
 * @example
 * ```ts
 * const acc = ranker.openAccumulator?.({ k: [10], numItems });
 * await ranker.rank({ ...job, accumulator: acc.id });
 * const { metrics } = await acc.finish();
 * ```
 */
export interface RankerAccumulator {
  readonly id: number;
  /** The metrics of every row added (after every job given so far is ranked); closes it. */
  finish(): Promise<AccumulatedMetrics>;
  /** Drops it (an evaluation that failed); safe after `finish`. */
  discard(): void;
}

/**
 * Ranks chunks of score rows for `evaluateFull`. `rank` may answer later (a promise): the
 * evaluator scores the next chunk meanwhile, so a ranker running elsewhere (a worker thread:
 * `createWorkerRanker` in `@memrec/eval/node`) overlaps ranking with scoring. Results must not
 * depend on the ranker.
 *
 * @example
 * ```ts
 * const ranker = inlineChunkRanker();
 * const ranks = await ranker.rank(job);
 * console.log(ranks.top.subarray(0, ranks.topCounts[0]));
 * ```
 */
export interface ChunkRanker {
  rank(job: ChunkJob): ChunkRanks | Promise<ChunkRanks>;
  /**
   * Optional: a buffer of `length` floats for the evaluator to score the next chunk into; a job
   * whose `scores` are (a prefix of) it is ranked without copying the scores (a worker ranker
   * hands out shared memory). A buffer handed out and never passed to `rank` may be handed out
   * again.
   */
  scoreBuffer?(length: number): Float32Array;
  /**
   * Optional: true when `rank` takes jobs with `rawRelevant` (test items not yet sorted,
   * de-duplicated or checked against the excluded ones: a ranker on another thread then does
   * that work instead of the thread that scores). {@link rankChunk} does; so do
   * {@link inlineChunkRanker} and `createWorkerRanker`.
   */
  readonly cleansRelevant?: boolean;
  /**
   * Optional (with `cleansRelevant`): opens a metric accumulator where the ranking runs. Jobs
   * naming it add their ranked rows to it, so a ranker on another thread also computes the
   * metrics there and answers each job with a few counts per row, and the thread that scores only
   * checks them. {@link inlineChunkRanker} and `createWorkerRanker` have it.
   */
  openAccumulator?(options: MetricAccumulatorOptions, units?: EvaluationUnits): RankerAccumulator;
}

/**
 * An evaluation's users and their test items as listed (see {@link ChunkJob.rawRelevant}), given
 * to {@link ChunkRanker.openAccumulator} so that a ranker on another thread copies them once: a
 * job naming the accumulator whose `users` is `users.subarray(a, b)` and whose `rawRelevant` is
 * `{ offsets: offsets.subarray(a, b + 1), items }` then travels as the range alone. The arrays
 * must not change while the accumulator is open.
 */
export interface EvaluationUnits {
  users: Int32Array;
  /** `users.length + 1` entries: user `users[j]`'s items are `items[offsets[j], offsets[j + 1])`. */
  offsets: Int32Array;
  items: Int32Array;
}

/**
 * Ranks every row of `job` with `ranker` (the work of one chunk, wherever it runs).
 *
 * @example
 * ```ts
 * const ranks = rankChunk(new RowRanker(), job);
 * ```
 */
export function rankChunk(ranker: RowRanker, job: ChunkJob, acc?: MetricAccumulator): ChunkRanks {
  const { scores, numItems, rows, relevant, distance, k, rawRelevant, users } = job;
  if (acc != null && (users == null || users.length < rows)) throw new Error(`rankChunk: job.users must list the ${rows} rows' users when the job names an accumulator, got ${users == null ? 'none' : `${users.length}`}`);
  let total = 0;
  if (rawRelevant != null) total = rawRelevant.offsets[rows] - rawRelevant.offsets[0];
  else for (let r = 0; r < rows; r++) total += relevant[r].length;
  const top = new Int32Array(rows * k);
  const topCounts = new Int32Array(rows);
  const positions = new Int32Array(total);
  const numRanked = new Int32Array(rows);
  const numRelevant = rawRelevant != null ? new Int32Array(rows) : undefined;
  const dropped = rawRelevant != null ? new Int32Array(rows) : undefined;
  const rowTop = new Int32Array(k);
  let clean = new Int32Array(0);
  const counts = new Int32Array(2);
  for (let r = 0, at = 0; r < rows; r++) {
    let rel: Int32Array;
    if (rawRelevant != null) {
      const a = rawRelevant.offsets[r];
      const b = rawRelevant.offsets[r + 1];
      if (clean.length < b - a) clean = new Int32Array(Math.max(2 * clean.length, b - a, 16));
      cleanRelevant(rawRelevant.items, a, b, job.exclude(r), clean, counts);
      const kept = counts[0];
      (numRelevant as Int32Array)[r] = kept;
      (dropped as Int32Array)[r] = counts[1] - kept;
      if (kept === 0) continue;
      rel = clean.subarray(0, kept);
    } else {
      rel = relevant[r];
    }
    const m = rel.length;
    const pos = positions.subarray(at, at + m);
    numRanked[r] = ranker.rank(scores, r * numItems, numItems, job.exclude(r), distance, k, rowTop, rel, pos);
    if (numRanked[r] < 0) {
      at += m;
      continue;
    }
    acc?.addRankedAt((users as Int32Array)[r], rowTop, 0, ranker.count, positions, at, m, m, numRanked[r]);
    at += m;
    topCounts[r] = ranker.count;
    top.set(ranker.count === k ? rowTop : rowTop.subarray(0, ranker.count), r * k);
  }
  return rawRelevant != null ? { top, topCounts, positions, numRanked, numRelevant, dropped } : { top, topCounts, positions, numRanked };
}

/**
 * Sorts `items[a, b)` into `out` (insertion sort for a few, else a typed-array sort), drops
 * repeats and the items of the sorted list `exclude` (a linear merge: predictable branches beat a
 * binary search here). Writes to `counts` how many are left at the front of `out` and how many
 * were distinct. `out` may be `items.subarray(a)` (cleaned in place).
 */
export function cleanRelevant(items: Int32Array, a: number, b: number, exclude: Int32Array, out: Int32Array, counts: Int32Array): void {
  const n = b - a;
  if (n > 32) {
    out.set(items.subarray(a, b));
    out.subarray(0, n).sort();
  } else {
    for (let i = 0; i < n; i++) {
      const v = items[a + i];
      let j = i;
      for (; j > 0 && out[j - 1] > v; j--) out[j] = out[j - 1];
      out[j] = v;
    }
  }
  const ne = exclude.length;
  let p = 0;
  let kept = 0;
  let distinct = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const v = out[i];
    if (v === last) continue;
    last = v;
    distinct++;
    while (p < ne && exclude[p] < v) p++;
    if (p < ne && exclude[p] === v) continue;
    out[kept++] = v;
  }
  counts[0] = kept;
  counts[1] = distinct;
}

/**
 * The default {@link ChunkRanker}: ranks on the calling thread, one {@link RowRanker} reused.
 *
 * @example
 * ```ts
 * await evaluateFull(model, test, { seen, k: [10], ranker: inlineChunkRanker() });
 * ```
 */
export function inlineChunkRanker(): ChunkRanker {
  const ranker = new RowRanker();
  const accs = new Map<number, MetricAccumulator>();
  let nextId = 0;
  return {
    rank: (job) => rankChunk(ranker, job, job.accumulator != null ? openedAccumulator('inlineChunkRanker', accs, job.accumulator) : undefined),
    cleansRelevant: true,
    openAccumulator(options: MetricAccumulatorOptions): RankerAccumulator {
      const id = nextId++;
      accs.set(id, new MetricAccumulator(options));
      return {
        id,
        finish: () => Promise.resolve(finishAccumulator('inlineChunkRanker', accs, id)),
        discard: () => void accs.delete(id),
      };
    },
  };
}

/** The open accumulator `id` of `accs` (an error naming `fn` when there is none). */
export function openedAccumulator(fn: string, accs: Map<number, MetricAccumulator>, id: number): MetricAccumulator {
  const acc = accs.get(id);
  if (acc == null) throw new Error(`${fn}: job.accumulator must name an open accumulator, got ${id}`);
  return acc;
}

/** Closes accumulator `id` of `accs` and returns its state. */
export function finishAccumulator(fn: string, accs: Map<number, MetricAccumulator>, id: number): AccumulatedMetrics {
  const acc = openedAccumulator(fn, accs, id);
  accs.delete(id);
  return { metrics: acc.result(), perUnit: acc.perUnit(), count: acc.count };
}
