import { fork, type ChildProcess } from 'node:child_process';
import { initBackend } from '@memrec/core';
import type { EvaluationSetup, PerUnitValues } from '@memrec/eval';
import type { RunConfig } from '../cli/options';
import type { Progress } from '../cli/progress';
import type { RunResult } from '../report/types';
import { loadBenchDataset, type BenchDataset } from './dataset';
import { runJob, type JobContext } from './run';
import { runTrial, type Trial, type TrialSpec, type TuneData } from './tune';

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
  /** The split's report (parameters, leakage findings) for the job's protocol and seed. */
  split?: unknown;
}

/** Relative cost, to start the longest jobs first. */
const COST: Record<string, number> = { nmrn: 5, cmn: 4, neumf: 3, bprmf: 2, pop: 1 };

type ToWorker = { type: 'init'; cfg: RunConfig; checkpointDir?: string } | { type: 'job'; job: Job } | { type: 'trial'; spec: TrialSpec };
type FromWorker =
  | { type: 'ready'; dataset: WorkerDataset }
  | { type: 'progress'; kind: 'start' | 'update' | 'stop' | 'info'; label?: string; total?: number; done?: number; status?: string; line?: string }
  | { type: 'done'; outcome: JobOutcome }
  | { type: 'trial'; trial: Trial }
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

/** What a worker process reports after loading a configuration: its dataset (for the protocol card) and backend. */
export interface WorkerDataset {
  name: string;
  source: Record<string, unknown>;
  stats: BenchDataset['data']['stats'];
  /** The TensorFlow.js backend the process runs on. */
  backend: string;
}

/**
 * One worker process: a plain `node` running `entry` (the built CLI) with MEMREC_BENCH_WORKER=1,
 * its own TensorFlow.js engine and one core. `init` loads a configuration's dataset there, `run`
 * runs one job there with {@link runJob}; progress goes to `lane`. Used by {@link runInWorkers}
 * and by the Redis queue worker, so both run a job the same way.
 *
 * @example
 * ```ts
 * const p = new WorkerProcess('apps/bench/dist/cli.js', lane, 'worker 1');
 * await p.init(cfg);
 * const outcome = await p.run({ protocol: 'stream', seed: 1, variant: 'pop' });
 * p.kill();
 * ```
 */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  private exited: Error | null = null;

  constructor(entry: string, lane: Progress, private readonly name: string) {
    this.child = fork(entry, [], { env: { ...process.env, MEMREC_BENCH_WORKER: '1' }, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    live.add(this.child);
    // a send to a worker that has just died fails here; its 'exit' event reports it
    this.child.on('error', () => {});
    this.child.on('message', (m: FromWorker) => {
      if (m.type === 'progress') {
        if (m.kind === 'start') lane.start(m.label as string, m.total as number);
        else if (m.kind === 'update') lane.update(m.done as number, m.status, m.total);
        else if (m.kind === 'stop') lane.stop();
        else lane.info(m.line as string);
        return;
      }
      this.waiting?.resolve(m);
    });
    this.child.on('exit', (code, signal) => {
      live.delete(this.child);
      this.exited = new Error(`memrec-bench: ${this.name} exited with ${signal ? `signal ${signal}` : `code ${code}`} before finishing its job`);
      this.waiting?.reject(this.exited);
    });
  }

  private ask(msg: ToWorker): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      if (this.exited) return reject(this.exited);
      this.waiting = { resolve, reject };
      this.child.send(msg);
    });
  }

  /** Loads `cfg`'s dataset in the process (again for each new configuration); resolves with what it loaded. */
  async init(cfg: RunConfig, checkpointDir?: string): Promise<WorkerDataset> {
    const ready = await this.ask({ type: 'init', cfg, checkpointDir });
    if (ready.type === 'error') throw new Error(ready.message);
    if (ready.type !== 'ready') throw new Error(`memrec-bench: ${this.name} must answer init with ready, got ${ready.type}`);
    return ready.dataset;
  }

  /** Runs one job of the configuration last passed to {@link WorkerProcess.init}. */
  async run(job: Job): Promise<JobOutcome> {
    const reply = await this.ask({ type: 'job', job });
    if (reply.type === 'error') throw new Error(reply.message);
    if (reply.type !== 'done') throw new Error(`memrec-bench: ${this.name} must answer a job with done, got ${reply.type}`);
    return reply.outcome;
  }

  /** Runs one tuning trial ({@link runTrial}) of the configuration last passed to {@link WorkerProcess.init}. */
  async trial(spec: TrialSpec): Promise<Trial> {
    const reply = await this.ask({ type: 'trial', spec });
    if (reply.type === 'error') throw new Error(reply.message);
    if (reply.type !== 'trial') throw new Error(`memrec-bench: ${this.name} must answer a trial with trial, got ${reply.type}`);
    return reply.trial;
  }

  /** Ends the process (SIGTERM). */
  kill(): void {
    this.waiting = null;
    live.delete(this.child);
    this.child.kill();
  }
}

/**
 * Runs jobs in `cfg.workers` child processes ({@link WorkerProcess}). Jobs are independent and
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
      const worker = new WorkerProcess(entry, lanes[w % lanes.length], `worker ${w + 1}`);
      try {
        await worker.init(cfg, checkpointDir);
        for (let job = queue.shift(); job; job = queue.shift()) outcomes.push(await worker.run(job));
      } finally {
        worker.kill();
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
  let tuneCache = new Map<string, TuneData>();
  process.on('SIGINT', () => {}); // a terminal's Ctrl-C reaches the whole group; the parent decides
  process.on('disconnect', () => process.exit(0));
  // a send racing the parent's exit fails with EPIPE; ignore it (the disconnect follows)
  const send = (m: FromWorker) => {
    if (process.connected) process.send?.(m, undefined, {}, () => {});
  };
  const progress: Progress = {
    start: (label, total) => send({ type: 'progress', kind: 'start', label, total }),
    update: (done, status, total) => send({ type: 'progress', kind: 'update', done, status, total }),
    stop: () => send({ type: 'progress', kind: 'stop' }),
    info: (line) => send({ type: 'progress', kind: 'info', line }),
  };
  process.on('message', (m: ToWorker) => {
    void (async () => {
      try {
        if (m.type === 'init') {
          const choice = await initBackend({ backend: m.cfg.backend, log: false });
          const ds = await loadBenchDataset(m.cfg, () => {});
          ctx = { cfg: m.cfg, ds, checkpointDir: m.checkpointDir, splits: new Map() };
          tuneCache = new Map();
          send({ type: 'ready', dataset: { name: ds.name, source: ds.source, stats: ds.data.stats, backend: choice.backend } });
        } else if (ctx && m.type === 'trial') {
          send({ type: 'trial', trial: await runTrial(ctx.ds, ctx.cfg, m.spec, progress, tuneCache) });
        } else if (ctx && m.type === 'job') {
          send({ type: 'done', outcome: await runJob(m.job, ctx, progress) });
        }
      } catch (e) {
        send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}
