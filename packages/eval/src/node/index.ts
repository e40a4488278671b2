/**
 * `@memrec/eval/node`: evaluation helpers that need Node (worker threads).
 */
import { Worker } from 'node:worker_threads';
import type { AccumulatedMetrics, ChunkJob, ChunkRanker, ChunkRanks, EvaluationUnits, RankerAccumulator } from '../chunk-ranker';
import { MetricAccumulator, type MetricAccumulatorOptions } from '../accumulator';
import type { UserItemSet } from '@memrec/core';
import { flattenJob, shareUnits, snapshotSeen, unitsStart, type AccumulatorMessage } from './flat-job';

/** A {@link ChunkRanker} on a worker thread; `close()` stops the thread. */
export interface WorkerRanker extends ChunkRanker {
  rank(job: ChunkJob): Promise<ChunkRanks>;
  /** Shared memory for the next chunk's scores: a job scored into it is ranked without a copy. */
  scoreBuffer(length: number): Float32Array;
  /** A metric accumulator on the thread: jobs naming it are added to it there. */
  openAccumulator(options: MetricAccumulatorOptions, units?: EvaluationUnits): RankerAccumulator;
  /** Stops the thread; chunks still queued are rejected. Safe to call twice. */
  close(): Promise<void>;
}

type Pending = { resolve: (r: ChunkRanks) => void; reject: (e: Error) => void };
type PendingFinish = { resolve: (r: AccumulatedMetrics) => void; reject: (e: Error) => void };

/**
 * Starts a thread that ranks `evaluateFull`'s score chunks while the calling thread scores the
 * next chunk, and adds the ranked rows to the metrics there (`openAccumulator`): on a machine
 * with a free core, full-ranking evaluation then costs about as much as the scoring alone.
 * Results are identical to ranking on the calling thread. The thread does
 * not keep the process alive while it has nothing to do; close it when done.
 *
 * @example
 * ```ts
 * import { evaluateFull } from '@memrec/eval';
 * import { createWorkerRanker } from '@memrec/eval/node';
 * const ranker = createWorkerRanker();
 * try {
 *   const res = await evaluateFull(model, test, { seen, k: [10], ranker });
 * } finally {
 *   await ranker.close();
 * }
 * ```
 */
export function createWorkerRanker(): WorkerRanker {
  const worker = new Worker(new URL('./rank-worker.js', import.meta.url));
  worker.unref();
  const pending = new Map<number, Pending & { scores: Float32Array }>();
  /** Shared score buffers no chunk in flight uses (a chunk's buffer comes back with its answer). */
  const free: Float32Array[] = [];
  /** The seen set the worker holds a snapshot of (with its version then), and the snapshot's id. */
  let snapshot: { set: UserItemSet; version: number; id: number } | null = null;
  /** The buffer last handed out by scoreBuffer and not yet passed to rank (at most one). */
  let lent: Float32Array | null = null;
  /** An idle shared buffer of at least n floats (the smallest idle one goes when 2 are idle already). */
  const take = (n: number): Float32Array => {
    let at = free.findIndex((b) => b.length >= n);
    if (at < 0) {
      if (free.length >= 2) free.splice(free.indexOf(free.reduce((a, b) => (a.length <= b.length ? a : b))), 1);
      free.push(new Float32Array(new SharedArrayBuffer(4 * n)));
      at = free.length - 1;
    }
    return free.splice(at, 1)[0];
  };
  let nextId = 0;
  let nextAccId = 0;
  /** The units of open accumulators that were given them (the caller's arrays), by id. */
  const openUnits = new Map<number, EvaluationUnits>();
  /** Accumulators asked to finish, by id. */
  const finishing = new Map<number, PendingFinish>();
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    for (const p of finishing.values()) p.reject(err);
    finishing.clear();
    worker.unref();
  };
  const refresh = () => {
    if (pending.size === 0 && finishing.size === 0) worker.unref();
  };
  worker.on('message', (msg: { id: number; ranks?: ChunkRanks; error?: string } | { accId: number; state?: AccumulatedMetrics; error?: string }) => {
    if ('accId' in msg) {
      const f = finishing.get(msg.accId);
      if (f == null) return;
      finishing.delete(msg.accId);
      refresh();
      if (msg.error != null) f.reject(new Error(`createWorkerRanker: metrics failed in the worker thread: ${msg.error}`));
      else f.resolve(msg.state as AccumulatedMetrics);
      return;
    }
    const p = pending.get(msg.id);
    if (p == null) return;
    pending.delete(msg.id);
    free.push(p.scores);
    refresh();
    if (msg.error != null) p.reject(new Error(`createWorkerRanker: ranking failed in the worker thread: ${msg.error}`));
    else p.resolve(msg.ranks as ChunkRanks);
  });
  worker.on('error', (err) => failAll(new Error(`createWorkerRanker: the worker thread failed: ${err.message}`)));
  worker.on('exit', (code) => failAll(new Error(`createWorkerRanker: the worker thread stopped (exit code ${code})`)));
  return {
    cleansRelevant: true,
    rank(job: ChunkJob): Promise<ChunkRanks> {
      if (failure != null) return Promise.reject(failure);
      const id = nextId++;
      const n = job.scores.length;
      let buffer: Float32Array;
      let scores: Float32Array;
      if (lent != null && job.scores.buffer === lent.buffer && job.scores.byteOffset === 0) {
        // scored straight into shared memory: no copy
        buffer = lent;
        scores = job.scores;
        lent = null;
      } else {
        buffer = take(n);
        scores = buffer.length === n ? buffer : buffer.subarray(0, n);
        scores.set(job.scores);
      }
      let seenId: number | undefined;
      if (job.seen != null && job.users != null && job.users.length === job.rows) {
        // one copy of the whole set per evaluation (per change of the set), not lists per chunk
        if (snapshot == null || snapshot.set !== job.seen || snapshot.version !== job.seen.version) {
          snapshot = { set: job.seen, version: job.seen.version, id: id };
          worker.postMessage(snapshotSeen(id, job.seen));
        }
        seenId = snapshot.id;
      }
      const units = job.accumulator != null ? openUnits.get(job.accumulator) : undefined;
      const message = flattenJob(id, job, scores, seenId, units != null ? unitsStart(units, job) : undefined);
      return new Promise<ChunkRanks>((resolve, reject) => {
        pending.set(id, { resolve, reject, scores: buffer });
        worker.ref();
        worker.postMessage(message);
      });
    },
    openAccumulator(options: MetricAccumulatorOptions, units?: EvaluationUnits): RankerAccumulator {
      // checked here, with the constructor's errors, before the thread gets them
      new MetricAccumulator(options);
      const accId = nextAccId++;
      const send = (msg: AccumulatorMessage) => {
        if (failure == null) worker.postMessage(msg);
      };
      if (units != null) openUnits.set(accId, units);
      send({ kind: 'open', accId, options: { k: [...options.k], numItems: options.numItems }, ...(units != null ? { units: shareUnits(units) } : {}) });
      let closed = false;
      return {
        id: accId,
        finish(): Promise<AccumulatedMetrics> {
          if (failure != null) return Promise.reject(failure);
          if (closed) return Promise.reject(new Error(`createWorkerRanker: accumulator ${accId} is already finished or discarded`));
          closed = true;
          openUnits.delete(accId);
          return new Promise<AccumulatedMetrics>((resolve, reject) => {
            finishing.set(accId, { resolve, reject });
            worker.ref();
            worker.postMessage({ kind: 'finish', accId } satisfies AccumulatorMessage);
          });
        },
        discard(): void {
          if (closed) return;
          closed = true;
          openUnits.delete(accId);
          send({ kind: 'discard', accId });
        },
      };
    },
    scoreBuffer(length: number): Float32Array {
      if (!Number.isInteger(length) || length < 1) throw new Error(`createWorkerRanker: scoreBuffer length must be an integer >= 1, got ${length}`);
      if (lent != null && lent.length < length) {
        free.push(lent);
        lent = null;
      }
      lent ??= take(length);
      return lent.subarray(0, length);
    },
    async close(): Promise<void> {
      if (failure != null && pending.size === 0) return;
      failAll(new Error('createWorkerRanker: closed'));
      await worker.terminate();
    },
  };
}
