/**
 * The thread behind `createWorkerRanker` (built as its own entry, `dist/rank-worker.js`): ranks
 * the chunks it is sent with one {@link RowRanker} and answers each with its {@link ChunkRanks}.
 */
import { parentPort } from 'node:worker_threads';
import { rankChunk, type ChunkRanks } from '../chunk-ranker';
import { RowRanker } from '../row-ranker';
import type { FlatJob } from './flat-job';

const ranker = new RowRanker();
const port = parentPort;
if (port == null) throw new Error('rank-worker: must run in a worker thread (createWorkerRanker starts it)');
port.on('message', (job: FlatJob) => {
  try {
    const { excludeOffsets, excludeItems, relevantOffsets, relevantItems, rows } = job;
    const relevant: Int32Array[] = [];
    for (let r = 0; r < rows; r++) relevant.push(relevantItems.subarray(relevantOffsets[r], relevantOffsets[r + 1]));
    const ranks: ChunkRanks = rankChunk(ranker, {
      scores: job.scores,
      numItems: job.numItems,
      rows,
      exclude: (r) => excludeItems.subarray(excludeOffsets[r], excludeOffsets[r + 1]),
      relevant,
      distance: job.distance,
      k: job.k,
    });
    const buffers = [ranks.top, ranks.topCounts, ranks.positions, ranks.numRanked].map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ id: job.id, ranks }, buffers);
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
