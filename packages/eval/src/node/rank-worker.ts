/**
 * The thread behind `createWorkerRanker` (built as its own entry, `dist/rank-worker.js`): ranks
 * the chunks it is sent with one {@link RowRanker} and answers each with its {@link ChunkRanks}.
 */
import { parentPort } from 'node:worker_threads';
import { rankChunk, type ChunkRanks } from '../chunk-ranker';
import { RowRanker } from '../row-ranker';
import type { FlatJob, SeenSnapshot } from './flat-job';

const ranker = new RowRanker();
const port = parentPort;
if (port == null) throw new Error('rank-worker: must run in a worker thread (createWorkerRanker starts it)');
const EMPTY = new Int32Array(0);
/** The latest seen-set snapshot (jobs name it by id). */
let seen: SeenSnapshot | null = null;
port.on('message', (msg: FlatJob | SeenSnapshot) => {
  if ('kind' in msg) {
    seen = msg;
    return;
  }
  const job = msg;
  try {
    const { relevantOffsets, relevantItems, rows } = job;
    let exclude: (r: number) => Int32Array;
    if (job.seenId != null) {
      const snap = seen;
      const users = job.users;
      if (snap == null || snap.seenId !== job.seenId || users == null) throw new Error(`rank-worker: job ${job.id} needs seen snapshot ${job.seenId}, holds ${snap?.seenId ?? 'none'}`);
      const n = snap.offsets.length - 1;
      exclude = (r) => (users[r] < n ? snap.items.subarray(snap.offsets[users[r]], snap.offsets[users[r] + 1]) : EMPTY);
    } else {
      const { excludeOffsets, excludeItems } = job;
      if (excludeOffsets == null || excludeItems == null) throw new Error(`rank-worker: job ${job.id} has neither exclusion lists nor a seen snapshot`);
      exclude = (r) => excludeItems.subarray(excludeOffsets[r], excludeOffsets[r + 1]);
    }
    const relevant: Int32Array[] = [];
    if (job.raw !== true) for (let r = 0; r < rows; r++) relevant.push(relevantItems.subarray(relevantOffsets[r], relevantOffsets[r + 1]));
    const ranks: ChunkRanks = rankChunk(ranker, {
      scores: job.scores,
      numItems: job.numItems,
      rows,
      exclude,
      relevant,
      ...(job.raw === true ? { rawRelevant: { offsets: relevantOffsets, items: relevantItems } } : {}),
      distance: job.distance,
      k: job.k,
    });
    const arrays = [ranks.top, ranks.topCounts, ranks.positions, ranks.numRanked];
    if (ranks.numRelevant != null && ranks.dropped != null) arrays.push(ranks.numRelevant, ranks.dropped);
    const buffers = arrays.map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ id: job.id, ranks }, buffers);
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
