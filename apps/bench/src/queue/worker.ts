import { hostname } from 'node:os';
import { Worker, type Job as BullJob } from 'bullmq';
import type { RunConfig } from '../cli/options';
import type { Progress } from '../cli/progress';
import type { Trial } from '../experiment/tune';
import { WorkerProcess, type JobOutcome, type WorkerDataset } from '../experiment/workers';
import { canonicalJson, CELLS_QUEUE, jobLabel, type CellData, type TrialData } from './cells';
import { datasetChecksum } from './checksum';
import { packValue } from './codec';
import { checkRedis, parseQueueUrl, redisOptions } from './connection';

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  /** The built CLI, forked once per concurrent cell (`process.argv[1]`). */
  entry: string;
  /** Cells run at once (one process each). */
  concurrency: number;
  /** A worker that has not renewed a cell's lock for this long is taken as dead; the cell goes back to the queue. */
  stallSeconds: number;
  /** Replaces the cells' `--data-dir` on this machine. */
  dataDir?: string;
  /** Replaces the cells' `--file` on this machine. */
  file?: string;
  /** One progress lane per concurrent cell; `lanes[0]` also gets the worker's own lines. */
  lanes: Progress[];
}

/** What a worker stores in Redis for a cell: the job outcome plus where and how it ran. */
export interface StoredCell {
  outcome: JobOutcome;
  dataset: WorkerDataset;
  backend: string;
  worker: string;
  /** Seconds the cell's process spent on the job (split, train, evaluate). */
  runSeconds: number;
}

/** What a worker stores in Redis for a tuning trial. */
export interface StoredTrial {
  trial: Trial;
  backend: string;
  worker: string;
  runSeconds: number;
}

/** A running queue worker: `closed` settles when it has stopped; `stop()` finishes the current cells, then stops. */
export interface QueueWorker {
  stop(): Promise<void>;
  closed: Promise<void>;
}

/**
 * `pnpm bench worker --queue URL`: takes cells from the Redis queue until stopped and runs each
 * in a worker process exactly as a local run does ({@link WorkerProcess}, `runJob`); the cell's
 * outcome (metrics, per-user values, timings, backend) is stored in Redis as the job's return
 * value. Before a cell runs, the worker takes the checksum of its own copy of the data and
 * refuses a cell whose checksum differs (the cell fails on this worker, and is retried). Fails
 * fast when no Redis answers at the URL. `stop()` (SIGTERM) lets the running cells finish.
 *
 * @example
 * ```ts
 * const w = await runQueueWorker('redis://127.0.0.1:6379', { entry: 'apps/bench/dist/cli.js', concurrency: 1, stallSeconds: 30, lanes });
 * process.once('SIGTERM', () => void w.stop());
 * await w.closed;
 * ```
 */
export async function runQueueWorker(url: string, options: QueueWorkerOptions): Promise<QueueWorker> {
  const target = parseQueueUrl(url);
  const who = 'memrec-bench worker';
  for (const [name, v] of [['--concurrency', options.concurrency], ['--stall-seconds', options.stallSeconds]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${who}: ${name} must be an integer >= 1, got ${JSON.stringify(v)}`);
  }
  await checkRedis(target, who);
  const log = options.lanes[0];
  const me = `${hostname()}:${process.pid}`;
  const free: { proc: WorkerProcess; lane: Progress; cfgKey?: string; info?: WorkerDataset }[] = [];
  let made = 0;
  const sums = new Map<string, Promise<string>>();
  const local = (cfg: RunConfig): RunConfig => ({ ...cfg, ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}), ...(options.file !== undefined ? { file: options.file } : {}) });
  const finished = new Map<string, number>();

  const processor = async (job: BullJob): Promise<string> => {
    const data = job.data as CellData | TrialData;
    if (data?.kind !== 'cell' && data?.kind !== 'trial') throw new Error(`${who}: job ${job.id} must be a cell or a trial ({ kind: 'cell' | 'trial', ... }), got kind ${JSON.stringify((data as { kind?: unknown })?.kind)}`);
    const cfg = local(data.cfg);
    const label = jobLabel(data);
    const dataKey = canonicalJson({ dataset: cfg.dataset, dataDir: cfg.dataDir, file: cfg.file, name: cfg.name, synthetic: cfg.synthetic });
    if (!sums.has(dataKey)) sums.set(dataKey, datasetChecksum(cfg));
    let sum: string;
    try {
      sum = await (sums.get(dataKey) as Promise<string>);
    } catch (e) {
      sums.delete(dataKey);
      throw new Error(`${who} ${me}: cell ${label}: ${(e as Error).message}`);
    }
    if (sum !== data.checksum) {
      throw new Error(`${who} ${me}: refuses cell ${label}: its dataset ${cfg.dataset} must have checksum ${data.checksum} (the coordinator's), got ${sum} on this machine; give this worker the same data (--data-dir / --file)`);
    }
    const slot = free.pop() ?? { proc: new WorkerProcess(options.entry, options.lanes[made % options.lanes.length], `cell process ${made + 1}`), lane: options.lanes[made++ % options.lanes.length] };
    let healthy = false;
    try {
      const cfgKey = canonicalJson(cfg);
      if (slot.cfgKey !== cfgKey) {
        slot.info = await slot.proc.init(cfg);
        slot.cfgKey = cfgKey;
      }
      const t0 = performance.now();
      const info = slot.info as WorkerDataset;
      let text: string;
      if (data.kind === 'trial') {
        const trial = await slot.proc.trial(data.spec);
        text = packValue({ trial, backend: info.backend, worker: me, runSeconds: (performance.now() - t0) / 1000 } satisfies StoredTrial);
      } else {
        const outcome = await slot.proc.run(data.job);
        text = packValue({ outcome, dataset: info, backend: info.backend, worker: me, runSeconds: (performance.now() - t0) / 1000 } satisfies StoredCell);
      }
      const runSeconds = (performance.now() - t0) / 1000;
      healthy = true;
      finished.set(String(job.id), performance.now());
      log.info(`cell ${label}: ran in ${runSeconds.toFixed(1)} s on ${info.backend}, storing ${(text.length / 1024).toFixed(0)} kB`);
      return text;
    } finally {
      if (healthy) free.push(slot);
      else slot.proc.kill();
    }
  };

  const worker = new Worker(CELLS_QUEUE, processor, {
    connection: redisOptions(target),
    prefix: target.prefix,
    concurrency: options.concurrency,
    lockDuration: options.stallSeconds * 1000,
    stalledInterval: options.stallSeconds * 1000,
    maxStalledCount: 1,
  });
  worker.on('completed', (job) => {
    const t = finished.get(String(job.id));
    finished.delete(String(job.id));
    if (t !== undefined) log.info(`cell ${jobLabel(job.data as CellData | TrialData)}: stored, ${(performance.now() - t).toFixed(1)} ms in Redis`);
  });
  worker.on('failed', (job, err) => {
    if (job) log.info(`cell ${jobLabel(job.data as CellData | TrialData)}: failed (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}): ${err.message}`);
  });
  worker.on('error', (err) => log.info(`${who}: ${err.message}`));
  await worker.waitUntilReady();
  log.info(`${who} ${me}: taking cells from ${url} (concurrency ${options.concurrency})`);
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | null = null;
  return {
    closed,
    stop: () =>
      (stopping ??= (async () => {
        log.info(`${who} ${me}: stopping after the current cells`);
        await worker.close();
        for (const s of free.splice(0)) s.proc.kill();
        resolveClosed();
      })()),
  };
}
