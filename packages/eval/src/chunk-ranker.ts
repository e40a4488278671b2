import type { UserItemSet } from '@memrec/core';
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
  /** Row r's relevant items (sorted ascending, distinct, disjoint from the excluded ones). */
  relevant: Int32Array[];
  /** True when a lower value ranks first. */
  distance: boolean;
  /** Length of the top list (0: none). */
  k: number;
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
}

/**
 * Ranks every row of `job` with `ranker` (the work of one chunk, wherever it runs).
 *
 * @example
 * ```ts
 * const ranks = rankChunk(new RowRanker(), job);
 * ```
 */
export function rankChunk(ranker: RowRanker, job: ChunkJob): ChunkRanks {
  const { scores, numItems, rows, relevant, distance, k } = job;
  let total = 0;
  for (let r = 0; r < rows; r++) total += relevant[r].length;
  const top = new Int32Array(rows * k);
  const topCounts = new Int32Array(rows);
  const positions = new Int32Array(total);
  const numRanked = new Int32Array(rows);
  const rowTop = new Int32Array(k);
  for (let r = 0, at = 0; r < rows; r++) {
    const rel = relevant[r];
    const pos = positions.subarray(at, at + rel.length);
    at += rel.length;
    numRanked[r] = ranker.rank(scores, r * numItems, numItems, job.exclude(r), distance, k, rowTop, rel, pos);
    if (numRanked[r] < 0) continue;
    topCounts[r] = ranker.count;
    top.set(ranker.count === k ? rowTop : rowTop.subarray(0, ranker.count), r * k);
  }
  return { top, topCounts, positions, numRanked };
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
  return { rank: (job) => rankChunk(ranker, job) };
}
