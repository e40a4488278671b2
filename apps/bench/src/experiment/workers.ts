import { fork, type ChildProcess } from 'node:child_process';
import { initBackend } from '@memrec/core';
import type { EvaluationSetup, PerUnitValues } from '@memrec/eval';
import type { RunConfig } from '../cli/options';
import type { Progress } from '../cli/progress';
import type { RunResult } from '../report/types';
import { loadBenchDataset } from './dataset';
import { runJob, type JobContext } from './run';

/** One unit of benchmark work. */
export interface Job {
  protocol: string;
  seed: number;
  variant: string;
}

/** A finished job: its run result and per-user values (for the paired tests). */
export interface JobOutcome {
  job: Job;
  result: RunResult;
  perUnit: Record<string, PerUnitValues>;
  /** What each evaluator did (candidates, filtering, ties, parameters), for the protocol card. */
  setups: Record<string, EvaluationSetup>;
}

/** Relative cost, to start the longest jobs first. */
const COST: Record<string, number> = { nmrn: 5, cmn: 4, neumf: 3, bprmf: 2, pop: 1 };

type ToWorker = { type: 'init'; cfg: RunConfig; checkpointDir?: string } | { type: 'job'; job: Job };
type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; kind: 'start' | 'update' | 'stop' | 'info'; label?: string; total?: number; done?: number; status?: string; line?: string }
  | { type: 'done'; outcome: JobOutcome }
  | { type: 'error'; message: string };

/** Worker processes of runs in progress, so that {@link stopWorkers} can end them. */
const live = new Set<ChildProcess>();

/**
 * Ends every worker process of the runs in progress at once (SIGTERM), e.g. on Ctrl-C: no
 * worker writes anything (a checkpoint) after this call.
 *
 * @example
 * ```ts
 * process.once('SIGINT', () => { stopWorkers(); process.exit(130); });
 * ```
 */
export function stopWorkers(): void {
  for (const child of live) child.kill('SIGTERM');
  live.clear();
}

/**
 * Runs jobs in `cfg.workers` child processes (each a plain `node` running `entry` with
 * MEMREC_BENCH_WORKER=1, its own TensorFlow.js engine and one core). Jobs are independent and
 * seeded, so the results do not depend on which worker ran them.
 *
 * @example
 * ```ts
 * const outcomes = await runInWorkers(jobs, cfg, 'apps/bench/dist/cli.js', lanes);
 * ```
 */
export async function runInWorkers(jobs: Job[], cfg: RunConfig, entry: string, lanes: Progress[], checkpointDir?: string): Promise<JobOutcome[]> {
  const queue = [...jobs].sort((a, b) => (COST[b.variant.split('-')[0]] ?? 0) - (COST[a.variant.split('-')[0]] ?? 0));
  const outcomes: JobOutcome[] = [];
  const n = Math.min(cfg.workers, jobs.length);
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      const lane = lanes[w % lanes.length];
      const child = fork(entry, [], { env: { ...process.env, MEMREC_BENCH_WORKER: '1' }, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      live.add(child);
      // a send to a worker that has just died fails here; its 'exit' event reports it
      child.on('error', () => {});
      let waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
      child.on('message', (m: FromWorker) => {
        if (m.type === 'progress') {
          if (m.kind === 'start') lane.start(m.label as string, m.total as number);
          else if (m.kind === 'update') lane.update(m.done as number, m.status);
          else if (m.kind === 'stop') lane.stop();
          else lane.info(m.line as string);
          return;
        }
        waiting?.resolve(m);
      });
      child.on('exit', (code, signal) => {
        live.delete(child);
        waiting?.reject(new Error(`memrec-bench: worker ${w + 1} exited with ${signal ? `signal ${signal}` : `code ${code}`} before finishing its job`));
      });
      const ask = (msg: ToWorker) =>
        new Promise<FromWorker>((resolve, reject) => {
          waiting = { resolve, reject };
          child.send(msg);
        });
      try {
        const ready = await ask({ type: 'init', cfg, checkpointDir });
        if (ready.type === 'error') throw new Error(ready.message);
        for (let job = queue.shift(); job; job = queue.shift()) {
          const reply = await ask({ type: 'job', job });
          if (reply.type === 'error') throw new Error(reply.message);
          if (reply.type === 'done') outcomes.push(reply.outcome);
        }
      } finally {
        waiting = null;
        live.delete(child);
        child.kill();
      }
    }),
  );
  return outcomes;
}

/**
 * The worker side of {@link runInWorkers}: loads the dataset once, then runs jobs as they
 * arrive and reports progress to the parent. The parent owns Ctrl-C (it stops the workers);
 * a worker whose parent is gone exits quietly instead of failing on the closed channel.
 */
export function workerMain(): void {
  let ctx: JobContext | null = null;
  process.on('SIGINT', () => {}); // a terminal's Ctrl-C reaches the whole group; the parent decides
  process.on('disconnect', () => process.exit(0));
  // a send racing the parent's exit fails with EPIPE; ignore it (the disconnect follows)
  const send = (m: FromWorker) => {
    if (process.connected) process.send?.(m, undefined, {}, () => {});
  };
  const progress: Progress = {
    start: (label, total) => send({ type: 'progress', kind: 'start', label, total }),
    update: (done, status) => send({ type: 'progress', kind: 'update', done, status }),
    stop: () => send({ type: 'progress', kind: 'stop' }),
    info: (line) => send({ type: 'progress', kind: 'info', line }),
  };
  process.on('message', (m: ToWorker) => {
    void (async () => {
      try {
        if (m.type === 'init') {
          await initBackend({ backend: m.cfg.backend, log: false });
          const ds = await loadBenchDataset(m.cfg, () => {});
          ctx = { cfg: m.cfg, ds, checkpointDir: m.checkpointDir, splits: new Map() };
          send({ type: 'ready' });
        } else if (ctx) {
          send({ type: 'done', outcome: await runJob(m.job, ctx, progress) });
        }
      } catch (e) {
        send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}
