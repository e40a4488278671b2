/**
 * The thread behind `createWorkerRanker` (built as its own entry, `dist/rank-worker.js`): ranks
 * the chunks it is sent with one {@link RowRanker} and answers each with its {@link ChunkRanks}.
 */
import { parentPort } from 'node:worker_threads';
import { finishAccumulator, openedAccumulator, rankChunk, type ChunkRanks, type EvaluationUnits } from '../chunk-ranker';
import { MetricAccumulator } from '../accumulator';
import { RowRanker } from '../row-ranker';
import type { AccumulatorMessage, FlatJob, SeenSnapshot } from './flat-job';

const ranker = new RowRanker();
const port = parentPort;
if (port == null) throw new Error('rank-worker: must run in a worker thread (createWorkerRanker starts it)');
const EMPTY = new Int32Array(0);
/** The latest seen-set snapshot (jobs name it by id). */
let seen: SeenSnapshot | null = null;
/** Open metric accumulators by id (see ChunkRanker.openAccumulator). */
const accs = new Map<number, MetricAccumulator>();
/** The units of open accumulators that were sent them (see EvaluationUnits). */
const accUnits = new Map<number, EvaluationUnits>();
port.on('message', (msg: FlatJob | SeenSnapshot | AccumulatorMessage) => {
  if ('kind' in msg) {
    if (msg.kind === 'seen') seen = msg;
    else if (msg.kind === 'open') {
      accs.set(msg.accId, new MetricAccumulator(msg.options));
      if (msg.units != null) accUnits.set(msg.accId, msg.units);
    } else if (msg.kind === 'discard') {
      accs.delete(msg.accId);
      accUnits.delete(msg.accId);
    } else {
      accUnits.delete(msg.accId);
      try {
        const state = finishAccumulator('rank-worker', accs, msg.accId);
        const buffers = [state.perUnit.users.buffer as ArrayBuffer, ...Object.values(state.perUnit.values).map((v) => v.buffer as ArrayBuffer)];
        port.postMessage({ accId: msg.accId, state }, buffers);
      } catch (err) {
        port.postMessage({ accId: msg.accId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    }
    return;
  }
  const job = msg;
  try {
    const { rows } = job;
    let { relevantOffsets, relevantItems } = job;
    let jobUsers = job.users;
    if (job.unitsFrom != null) {
      // the rows are a range of the evaluation's units, sent when the accumulator opened
      const units = job.accId != null ? accUnits.get(job.accId) : undefined;
      if (units == null) throw new Error(`rank-worker: job ${job.id} names units of accumulator ${job.accId}, which holds none`);
      const a = job.unitsFrom;
      jobUsers = units.users.subarray(a, a + rows);
      relevantOffsets = units.offsets.subarray(a, a + rows + 1);
      relevantItems = units.items;
    }
    if (relevantOffsets == null || relevantItems == null) throw new Error(`rank-worker: job ${job.id} has no relevant items`);
    const relOffsets = relevantOffsets;
    const relItems = relevantItems;
    let exclude: (r: number) => Int32Array;
    if (job.seenId != null) {
      const snap = seen;
      const users = jobUsers;
      if (snap == null || snap.seenId !== job.seenId || users == null) throw new Error(`rank-worker: job ${job.id} needs seen snapshot ${job.seenId}, holds ${snap?.seenId ?? 'none'}`);
      const n = snap.offsets.length - 1;
      exclude = (r) => (users[r] < n ? snap.items.subarray(snap.offsets[users[r]], snap.offsets[users[r] + 1]) : EMPTY);
    } else {
      const { excludeOffsets, excludeItems } = job;
      if (excludeOffsets == null || excludeItems == null) throw new Error(`rank-worker: job ${job.id} has neither exclusion lists nor a seen snapshot`);
      exclude = (r) => excludeItems.subarray(excludeOffsets[r], excludeOffsets[r + 1]);
    }
    const relevant: Int32Array[] = [];
    if (job.raw !== true) for (let r = 0; r < rows; r++) relevant.push(relItems.subarray(relOffsets[r], relOffsets[r + 1]));
    const ranks: ChunkRanks = rankChunk(ranker, {
      scores: job.scores,
      numItems: job.numItems,
      rows,
      exclude,
      relevant,
      ...(job.raw === true ? { rawRelevant: { offsets: relOffsets, items: relItems } } : {}),
      distance: job.distance,
      k: job.k,
      ...(jobUsers != null ? { users: jobUsers } : {}),
    }, job.accId != null ? openedAccumulator('rank-worker', accs, job.accId) : undefined);
    // with an accumulator, the rows' lists stay here: only the counts per row go back
    const answer: ChunkRanks = job.accId != null ? { ...ranks, top: EMPTY, topCounts: EMPTY, positions: EMPTY } : ranks;
    const arrays = [answer.top, answer.topCounts, answer.positions, answer.numRanked];
    if (answer.numRelevant != null && answer.dropped != null) arrays.push(answer.numRelevant, answer.dropped);
    const buffers = arrays.filter((a) => a.length > 0).map((a) => a.buffer as ArrayBuffer);
    port.postMessage({ id: job.id, ranks: answer }, buffers);
  } catch (err) {
    port.postMessage({ id: job.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
