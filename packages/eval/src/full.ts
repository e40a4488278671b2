import { UserItemSet, type Interactions, type Scorer } from '@memrec/core';
import { checkOptionKeys } from '@memrec/core/internal';
import { MetricAccumulator } from './accumulator';
import { checkInteractions, checkK, nanError, TIE_BREAK, type EvaluationResult } from './common';
import { findNaN } from './rank-js';
import { cleanRelevant, inlineChunkRanker, type AccumulatedMetrics, type ChunkRanker, type ChunkRanks, type RankerAccumulator } from './chunk-ranker';

/** Options of {@link evaluateFull}. */
export interface FullEvalOptions {
  /** Training items of each user: excluded from the ranking. */
  seen: UserItemSet;
  /** Cut-offs, e.g. `[10, 20]` (each <= the number of items). */
  k: number[];
  /** Users scored per `scoreAll` call (default 256). Results do not depend on it. */
  chunkSize?: number;
  /**
   * Called after each chunk with (users done, users in total), counting the users with test
   * items (a user whose test items are all training items is scored, then skipped).
   */
  onProgress?: (done: number, total: number) => void;
  /** Model name used in error messages (default `"model"`). */
  name?: string;
  /**
   * Where score rows are ranked (default: on this thread). With a ranker that answers later,
   * such as `createWorkerRanker()` from `@memrec/eval/node`, the next chunk is scored while the
   * last one is ranked; the results are the same.
   */
  ranker?: ChunkRanker;
}

/**
 * The **full** protocol: ranks, for every user with test items, every item the user did not
 * interact with in training; the relevant items are the user's test items.
 *
 * Users are scored in chunks of `chunkSize` (`scorer.scoreAll`, offered a buffer to write into),
 * so at most `chunkSize x numItems` scores exist at once (a few times that with a ranker on
 * another thread, which gets the last users in shrinking pieces: {@link scoringPieces}). A
 * ranker that declares `cleansRelevant` (the default one and the worker ranker do) sorts each
 * user's test items and drops repeats and training items itself, and one that opens an
 * accumulator (`openAccumulator`) adds the ranked rows to the metrics itself, so on another thread
 * that work runs beside the scoring. Each row gives its top max(k) and the exact positions of the relevant
 * items in the full ranking (for MRR, MAP and AUC) without sorting the row ({@link RowRanker}: block maxima prune the top-k selection, SIMD passes count the items ahead
 * of each relevant item). Ties: equal scores rank the lower item id first. With
 * `kind: 'distance'` a lower value ranks first.
 *
 * Skips (counted in `result.counts`, never silent): a test item that is also a training item of
 * its user is dropped (`droppedRelevant`), and a user left with no test item is skipped
 * (`skippedUsers`). Errors: an empty test set, k larger than the catalogue, NaN scores (naming
 * model and user), scores of the wrong length.
 *
 * @example
 * ```ts
 * const seen = UserItemSet.fromInteractions(train);
 * const res = await evaluateFull(model, test, { seen, k: [10], chunkSize: 512 });
 * console.log(res.metrics['ndcg@10'], res.counts);
 * ```
 */
export async function evaluateFull(scorer: Scorer, test: Interactions, options: FullEvalOptions): Promise<EvaluationResult> {
  const fn = 'evaluateFull';
  const numItems = scorer?.numItems;
  if (!Number.isInteger(numItems) || numItems < 1) throw new Error(`${fn}: scorer.numItems must be an integer >= 1, got ${numItems}`);
  checkInteractions(fn, 'test', test, numItems);
  checkOptionKeys(fn, options, ['seen', 'k', 'chunkSize', 'onProgress', 'name', 'ranker'], false);
  const ks = checkK(fn, options?.k, numItems);
  const { seen, onProgress } = options;
  if (!(seen instanceof UserItemSet)) throw new Error(`${fn}: seen must be a UserItemSet of training items, got ${typeof seen}`);
  const chunkSize = options.chunkSize ?? 256;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`${fn}: chunkSize must be an integer >= 1, got ${chunkSize}`);
  const model = options.name ?? 'model';
  const distance = scorer.kind === 'distance';

  const ranker = options.ranker ?? inlineChunkRanker();
  if (typeof ranker?.rank !== 'function') throw new Error(`${fn}: ranker must have a rank(job) method, got ${typeof ranker}`);
  // A ranker that cleans test items itself (sorting, repeats, training items: see
  // ChunkJob.rawRelevant) gets them as grouped here; on another thread, that work then runs beside
  // the scoring. Otherwise the relevant lists are built here first. The numbers are the same.
  const raw = ranker.cleansRelevant === true;
  const grouped = raw ? groupByUser(test) : null;
  const clean = raw ? null : relevantItems(test, seen);
  const evalUsers = grouped?.users ?? (clean as EvaluatedUsers).users;
  let skippedUsers = clean?.skippedUsers ?? 0;
  let droppedRelevant = clean?.droppedRelevant ?? 0;
  const maxK = ks[ks.length - 1];
  // A ranker that keeps the metrics where it ranks (another thread: no per-row work here but
  // counting skips and checking for NaN) gets an accumulator of its own; otherwise they are added
  // here. The numbers are the same.
  const remote: RankerAccumulator | null = raw && typeof ranker.openAccumulator === 'function' ? ranker.openAccumulator({ k: ks, numItems }, grouped ?? undefined) : null;
  const acc = remote == null ? new MetricAccumulator({ k: ks, numItems }) : null;
  /** Adds a ranked chunk's rows to the metrics, in user order. */
  const consume = (ranks: ChunkRanks, c0: number, chunk: Int32Array, scores: Float32Array) => {
    for (let r = 0, at = 0; r < chunk.length; r++) {
      let m: number;
      if (grouped != null) {
        m = (ranks.numRelevant as Int32Array)[r];
        droppedRelevant += (ranks.dropped as Int32Array)[r];
        if (m === 0) {
          skippedUsers++;
          continue;
        }
      } else {
        m = (clean as EvaluatedUsers).relevant[c0 + r].length;
      }
      const numRanked = ranks.numRanked[r];
      if (numRanked < 0) throw nanError(fn, model, chunk[r], findNaN(scores.subarray(r * numItems, (r + 1) * numItems)));
      // with an accumulator the ranker added the row where it was ranked: only the skips, drops
      // and NaN checks here
      acc?.addRankedAt(chunk[r], ranks.top, r * maxK, ranks.topCounts[r], ranks.positions, at, m, m, numRanked);
      at += m;
    }
    const done = c0 + chunk.length;
    // after every chunk or piece (see scoringPieces)
    onProgress?.(done, evalUsers.length);
  };
  // Score buffers offered to scoreAll (see Scorer.scoreAll's `out`): the ranker's own when it has
  // them (shared memory, ranked without a copy), else two of ours used in turn: chunk c's scores
  // are read (NaN reports) until chunk c + 1 is scored, never longer.
  const ours: Float32Array[] = [];
  const offer = (c: number, length: number): Float32Array => {
    // a whole chunk's buffer each time (pieces use a prefix): the ranker's pool stays a few buffers
    if (typeof ranker.scoreBuffer === 'function') return ranker.scoreBuffer(Math.min(chunkSize, evalUsers.length) * numItems).subarray(0, length);
    const slot = c & 1;
    ours[slot] ??= new Float32Array(Math.min(chunkSize, evalUsers.length) * numItems);
    return ours[slot].subarray(0, length);
  };
  // one chunk in flight: the next chunk is scored while the ranker works on the last one
  let inflight: { ranks: Promise<ChunkRanks>; c0: number; chunk: Int32Array; scores: Float32Array } | null = null;
  // With a ranker elsewhere (one that lends score buffers: another thread), the last users are
  // scored in shrinking pieces (see scoringPieces), so that little is left to rank once the
  // scoring ends.
  const pieces = scoringPieces(evalUsers.length, chunkSize, typeof ranker.scoreBuffer === 'function');
  let finished: AccumulatedMetrics | null = null;
  try {
    for (let p = 0; p < pieces.length; p++) {
      const [c0, c1] = pieces[p];
      const chunk = evalUsers.slice(c0, c1);
      const scores = await scorer.scoreAll(chunk, offer(p, chunk.length * numItems));
      if (!(scores instanceof Float32Array) || scores.length !== chunk.length * numItems) {
        throw new Error(`${fn}: scoreAll of model ${JSON.stringify(model)} must return a Float32Array of ${chunk.length} x ${numItems}, got length ${scores?.length}`);
      }
      const ranks = Promise.resolve(
        ranker.rank({
          scores,
          numItems,
          rows: chunk.length,
          exclude: (r) => seen.itemsOf(chunk[r]),
          seen,
          // a view of the evaluation's users (with an accumulator, a ranker elsewhere holds them)
          users: evalUsers.subarray(c0, c1),
          relevant: grouped != null ? [] : (clean as EvaluatedUsers).relevant.slice(c0, c1),
          ...(grouped != null ? { rawRelevant: { offsets: grouped.offsets.subarray(c0, c1 + 1), items: grouped.items } } : {}),
          distance,
          k: maxK,
          ...(remote != null ? { accumulator: remote.id } : {}),
        }),
      );
      // handled now (a failure is thrown where it is awaited below), never an unhandled rejection
      ranks.catch(() => undefined);
      if (inflight != null) consume(await inflight.ranks, inflight.c0, inflight.chunk, inflight.scores);
      inflight = { ranks, c0, chunk, scores };
    }
    if (inflight != null) consume(await inflight.ranks, inflight.c0, inflight.chunk, inflight.scores);
    if (remote != null) finished = await remote.finish();
  } finally {
    if (remote != null && finished == null) remote.discard();
  }
  const total = finished ?? { metrics: (acc as MetricAccumulator).result(), perUnit: (acc as MetricAccumulator).perUnit(), count: (acc as MetricAccumulator).count };
  return {
    metrics: total.metrics,
    perUnit: total.perUnit,
    counts: { units: total.count, users: evalUsers.length - (grouped != null ? skippedUsers : 0), skippedUsers, droppedRelevant },
    setup: {
      protocol: 'full',
      k: ks,
      candidates: 'every item the user did not interact with in training',
      seenFiltering: 'training items of the user excluded; test items that are also training items dropped',
      tieBreak: TIE_BREAK,
      params: { chunkSize, kind: distance ? 'distance' : 'score' },
    },
  };
}

/** Each tail piece's size over the one before it (see {@link scoringPieces}). */
const TAIL_RATIO = 0.625;
/** The smallest tail piece. */
const MIN_PIECE = 16;

/**
 * The user ranges `evaluateFull` scores in turn: chunks of `chunkSize`; with `tail` (a ranker on
 * another thread) and more than one chunk, the last users in pieces that shrink by 5/8, from 5/8
 * of a chunk down to 16 or more users, after whole chunks (a partial chunk goes first). A piece is ranked while the next is scored; ranking a row
 * costs at most about 5/8 of scoring it with the cheapest scorers (a dot product: 8.8 vs 14.8 us
 * a row measured), so each piece is ranked by the time the next is scored, and once the scoring
 * ends only the last, smallest piece is left to rank. Exported for the tests.
 *
 * @example
 * ```ts
 * scoringPieces(1000, 512, true); // [[0, 174], [174, 494], [494, 694], [694, 819], [819, 898], [898, 948], [948, 980], [980, 1000]]
 * ```
 */
export function scoringPieces(n: number, chunkSize: number, tail: boolean): [number, number][] {
  const sizes: number[] = [];
  if (tail && n > chunkSize) {
    for (let s = Math.ceil(chunkSize * TAIL_RATIO); s >= MIN_PIECE; s = Math.ceil(s * TAIL_RATIO)) sizes.push(s);
  }
  let tailSum = sizes.reduce((a, b) => a + b, 0);
  while (sizes.length > 0 && tailSum >= n) tailSum -= sizes.shift() as number;
  const pieces: [number, number][] = [];
  const head = n - tailSum;
  // before a tail, a partial chunk goes first: the chunk the tail's first piece follows is whole
  const first = sizes.length > 0 ? head % chunkSize : 0;
  if (first > 0) pieces.push([0, first]);
  for (let c0 = first; c0 < head; c0 += chunkSize) pieces.push([c0, Math.min(head, c0 + chunkSize)]);
  let at = head;
  for (const size of sizes) {
    pieces.push([at, at + size]);
    at += size;
  }
  return pieces;
}

/** The evaluated users (ascending) and their relevant items: test items that are not training items. */
interface EvaluatedUsers {
  users: Int32Array;
  /** Per evaluated user: sorted, distinct test items not in `seen`. */
  relevant: Int32Array[];
  skippedUsers: number;
  droppedRelevant: number;
}

/** The users with test items (ascending) and their test items as listed: user `users[j]`'s are `items[offsets[j], offsets[j + 1])`. */
interface GroupedTest {
  users: Int32Array;
  offsets: Int32Array;
  items: Int32Array;
}

/** Groups the test items by user (a counting sort, stable), without sorting or checking them. */
function groupByUser(test: Interactions): GroupedTest {
  const { users, items } = test;
  let numUsers = test.numUsers;
  for (let r = 0; r < users.length; r++) if (users[r] >= numUsers) numUsers = users[r] + 1;
  const start = new Int32Array(numUsers + 1);
  for (let r = 0; r < users.length; r++) start[users[r] + 1]++;
  let present = 0;
  for (let u = 0; u < numUsers; u++) {
    if (start[u + 1] > 0) present++;
    start[u + 1] += start[u];
  }
  const grouped = new Int32Array(users.length);
  const fill = start.slice(0, numUsers);
  for (let r = 0; r < users.length; r++) grouped[fill[users[r]]++] = items[r];
  const withItems = new Int32Array(present);
  const offsets = new Int32Array(present + 1);
  for (let u = 0, j = 0; u < numUsers; u++) {
    if (start[u + 1] === start[u]) continue;
    withItems[j] = u;
    offsets[++j] = start[u + 1];
  }
  return { users: withItems, offsets, items: grouped };
}

/**
 * Groups the test items by user ({@link groupByUser}), then sorts and de-duplicates each user's
 * and drops training items in place ({@link cleanRelevant}): each user's relevant items are a
 * view of one array.
 */
function relevantItems(test: Interactions, seen: UserItemSet): EvaluatedUsers {
  const { users, offsets, items } = groupByUser(test);
  const evalUsers = new Int32Array(users.length);
  let numEval = 0;
  const relevant: Int32Array[] = [];
  let skippedUsers = 0;
  let droppedRelevant = 0;
  const counts = new Int32Array(2);
  for (let j = 0; j < users.length; j++) {
    const a = offsets[j];
    // in place: the user's range is read at or after where it is written
    cleanRelevant(items, a, offsets[j + 1], seen.itemsOf(users[j]), items.subarray(a), counts);
    droppedRelevant += counts[1] - counts[0];
    if (counts[0] === 0) {
      skippedUsers++;
      continue;
    }
    evalUsers[numEval++] = users[j];
    relevant.push(items.subarray(a, a + counts[0]));
  }
  return { users: evalUsers.slice(0, numEval), relevant, skippedUsers, droppedRelevant };
}
