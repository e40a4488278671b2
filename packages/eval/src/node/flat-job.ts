import type { UserItemSet } from '@memrec/core';
import type { ChunkJob, EvaluationUnits } from '../chunk-ranker';
import type { MetricAccumulatorOptions } from '../accumulator';

/** A {@link ChunkJob} as it travels to a worker thread: the per-row lists packed into offsets + items. */
export interface FlatJob {
  id: number;
  scores: Float32Array;
  numItems: number;
  rows: number;
  /** Per-row exclusion lists (absent when `seenId` is given). */
  excludeOffsets?: Int32Array;
  excludeItems?: Int32Array;
  /** With `users`: the rows' exclusion lists are those users' lists in the seen-set snapshot `seenId` (see {@link SeenSnapshot}). */
  seenId?: number;
  users?: Int32Array;
  /** Row r's relevant items (absent with `unitsFrom`). */
  relevantOffsets?: Int32Array;
  relevantItems?: Int32Array;
  /**
   * With `accId` (whose accumulator holds the evaluation's units): the rows are units
   * `[unitsFrom, unitsFrom + rows)` of them (users and raw test items), sent once at its opening.
   */
  unitsFrom?: number;
  /** True when the relevant lists are the job's `rawRelevant` (to be cleaned by the ranker). */
  raw?: boolean;
  distance: boolean;
  k: number;
  /** The worker's accumulator the ranked rows are added to (see `ChunkJob.accumulator`; needs `users`). */
  accId?: number;
}

/** Opens, finishes or drops a metric accumulator on the worker (see `ChunkRanker.openAccumulator`). */
export type AccumulatorMessage = { kind: 'open'; accId: number; options: MetricAccumulatorOptions; units?: EvaluationUnits } | { kind: 'finish'; accId: number } | { kind: 'discard'; accId: number };

/** Packs row r's list `list(r)` of every row into offsets (rows + 1) and the concatenated items. */
function pack(rows: number, list: (r: number) => Int32Array): { offsets: Int32Array; items: Int32Array } {
  const offsets = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) offsets[r + 1] = offsets[r] + list(r).length;
  const items = new Int32Array(offsets[rows]);
  for (let r = 0; r < rows; r++) items.set(list(r), offsets[r]);
  return { offsets, items };
}

/** The rows' part of `rawRelevant`, with offsets from 0 (one copy of the items, no per-row work beyond the offsets). */
function rebase(rows: number, raw: { offsets: Int32Array; items: Int32Array }): { offsets: Int32Array; items: Int32Array } {
  const base = raw.offsets[0];
  const offsets = new Int32Array(rows + 1);
  for (let r = 1; r <= rows; r++) offsets[r] = raw.offsets[r] - base;
  return { offsets, items: raw.items.slice(base, raw.offsets[rows]) };
}

/** A copy of a seen set in shared memory, sent to the worker once: user u's items are `items[offsets[u], offsets[u + 1])`. */
export interface SeenSnapshot {
  kind: 'seen';
  seenId: number;
  offsets: Int32Array;
  items: Int32Array;
}

/**
 * The evaluation's units (see {@link EvaluationUnits}) copied into shared memory, to send once.
 *
 * @example
 * ```ts
 * worker.postMessage({ kind: 'open', accId, options, units: shareUnits(units) });
 * ```
 */
export function shareUnits(units: EvaluationUnits): EvaluationUnits {
  const share = (a: Int32Array) => {
    const out = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, a.length)), 0, a.length);
    out.set(a);
    return out;
  };
  return { users: share(units.users), offsets: share(units.offsets), items: share(units.items) };
}

/**
 * Where `job`'s rows start in `units` when its users and test items are views of them (then only
 * that index travels); else undefined.
 *
 * @example
 * ```ts
 * unitsStart(units, { ...job, users: units.users.subarray(5, 9), rawRelevant: { offsets: units.offsets.subarray(5, 10), items: units.items } }); // 5
 * ```
 */
export function unitsStart(units: EvaluationUnits, job: ChunkJob): number | undefined {
  const { users, rawRelevant } = job;
  if (users == null || rawRelevant == null || users.length !== job.rows) return undefined;
  if (users.buffer !== units.users.buffer || rawRelevant.items !== units.items || rawRelevant.offsets.buffer !== units.offsets.buffer) return undefined;
  const a = (users.byteOffset - units.users.byteOffset) / 4;
  const b = (rawRelevant.offsets.byteOffset - units.offsets.byteOffset) / 4;
  if (a !== b || a < 0 || a + job.rows > units.users.length || rawRelevant.offsets.length !== job.rows + 1) return undefined;
  return a;
}

/**
 * Copies every user's list of `seen` into shared memory (two arrays, CSR layout).
 *
 * @example
 * ```ts
 * worker.postMessage(snapshotSeen(1, seen)); // no copy in postMessage: the arrays are shared
 * ```
 */
export function snapshotSeen(seenId: number, seen: UserItemSet): SeenSnapshot {
  const n = seen.numUsers;
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (n + 1)));
  for (let u = 0; u < n; u++) offsets[u + 1] = offsets[u] + seen.count(u);
  const items = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, offsets[n])));
  for (let u = 0; u < n; u++) items.set(seen.itemsOf(u), offsets[u]);
  return { kind: 'seen', seenId, offsets, items };
}

/**
 * Packs `job` for `postMessage`; with `seenId` the exclusion lists stay behind (the worker reads
 * them from the snapshot it was sent). `scores` replaces the job's scores: pass a copy in shared
 * memory (the structured clone of a plain array copies at about a third of memcpy's speed).
 *
 * @example
 * ```ts
 * const shared = new Float32Array(new SharedArrayBuffer(job.scores.byteLength));
 * shared.set(job.scores);
 * worker.postMessage(flattenJob(7, job, shared));
 * ```
 */
export function flattenJob(id: number, job: ChunkJob, scores: Float32Array, seenId?: number, unitsFrom?: number): FlatJob {
  if (unitsFrom != null && seenId != null && job.accumulator != null) {
    // the rows' users and test items are in the worker already (see EvaluationUnits)
    return { id, scores, numItems: job.numItems, rows: job.rows, seenId, unitsFrom, raw: true, distance: job.distance, k: job.k, accId: job.accumulator };
  }
  const ex = seenId == null ? pack(job.rows, job.exclude) : null;
  const rel = job.rawRelevant != null ? rebase(job.rows, job.rawRelevant) : pack(job.rows, (r) => job.relevant[r]);
  return {
    id,
    scores,
    numItems: job.numItems,
    rows: job.rows,
    ...(ex != null ? { excludeOffsets: ex.offsets, excludeItems: ex.items } : { seenId }),
    ...(job.users != null && (ex == null || job.accumulator != null) ? { users: job.users } : {}),
    relevantOffsets: rel.offsets,
    relevantItems: rel.items,
    ...(job.rawRelevant != null ? { raw: true } : {}),
    distance: job.distance,
    k: job.k,
    ...(job.accumulator != null ? { accId: job.accumulator } : {}),
  };
}
