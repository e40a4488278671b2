import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FlowProducer, Queue, type Job as BullJob } from 'bullmq';
import { writeFileAtomic } from '@memrec/core/node';
import type { RunConfig } from '../cli/options';
import type { Progress } from '../cli/progress';
import type { Results } from '../report/types';
import { assembleResults } from '../experiment/run';
import { tunePlan, writeBest, type Trial, type TuneOptions } from '../experiment/tune';
import type { JobOutcome } from '../experiment/workers';
import { cellLabel, CELLS_QUEUE, gridCells, hashId, REPORTS_QUEUE, trialCells, type CellData, type TrialData } from './cells';
import { datasetChecksum } from './checksum';
import { unpackValue } from './codec';
import { checkRedis, parseQueueUrl, redisOptions } from './connection';
import type { StoredCell, StoredTrial } from './worker';

/** Options of {@link runQueued}. */
export interface QueuedOptions {
  /** The command line, recorded in results. */
  command?: string;
  /** Runs of a cell before it is reported as failed (default 3). */
  attempts?: number;
  /** How often the coordinator reads the grid's progress, in milliseconds (default 500). */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `pnpm bench --queue URL`: the coordinator of a grid on Redis. Validates nothing beyond the
 * configuration and loads no data (it takes the data's checksum from its source); enqueues
 * one BullMQ job per (protocol, seed, model) cell as children of one FlowProducer parent (the
 * report), each with its content hash as job id (a repeated submission adds nothing and reruns
 * no finished cell; a cell that failed is queued afresh); follows the grid with a progress bar
 * over cells; when the last cell has finished, builds the same results as a local run from the
 * cells' stored outcomes, with cells that kept failing listed in `failedCells`, and removes the
 * parent (the cells' results stay in Redis for later submissions). Fails fast, naming the URL,
 * when no Redis answers.
 *
 * @example
 * ```ts
 * const results = await runQueued(resolveConfig({ models: 'bprmf,pop', seeds: '1,2' }), 'redis://127.0.0.1:6379', progress);
 * await writeReports(results, 'runs/queued');
 * ```
 */
export async function runQueued(cfg: RunConfig, url: string, progress: Progress, options: QueuedOptions = {}): Promise<Results> {
  const who = 'memrec-bench --queue';
  const checksum = await checkAndSum(cfg, url, who, options);
  const cells = gridCells(cfg, checksum);
  const grid = await runFlow(who, url, cells, progress, options);
  try {
    const stored = [...grid.values.values()].map((v) => unpackValue<StoredCell>(v));
    const failedCells = [...grid.failures].map(([id, error]) => ({ ...(cells.find((c) => c.id === id) as { data: CellData }).data.job, error }));
    for (const f of failedCells) progress.info(`queue: cell ${cellLabel(f)} failed: ${f.error}`);
    if (stored.length === 0) throw new Error(`${who}: every cell of the grid must not fail, got ${failedCells.length} failed, e.g. ${cellLabel(failedCells[0])}: ${failedCells[0]?.error}`);
    const outcomes: JobOutcome[] = stored.map((s) => s.outcome);
    const first = stored[0];
    const splits: Record<string, unknown> = {};
    for (const p of cfg.protocols) {
      const s = stored.find((x) => x.outcome.job.protocol === p && x.outcome.job.seed === cfg.seeds[0]) ?? stored.find((x) => x.outcome.job.protocol === p);
      if (s?.outcome.split !== undefined) splits[p] = s.outcome.split;
    }
    const backends = [...new Set(stored.map((s) => s.backend))];
    const ds = { name: first.dataset.name, source: first.dataset.source, data: { stats: first.dataset.stats } };
    const results = assembleResults(cfg, outcomes, ds, splits, backends.join(', '), options.command ?? 'memrec-bench');
    results.queue = {
      url,
      grid: grid.id,
      checksum,
      cells: stored.map((s) => ({ ...s.outcome.job, worker: s.worker, backend: s.backend, runSeconds: s.runSeconds })),
    };
    if (failedCells.length > 0) results.failedCells = failedCells;
    await grid.remove();
    return results;
  } finally {
    await grid.close();
  }
}

/**
 * `pnpm bench tune --queue URL`: a search whose trials run on the queue's workers, one BullMQ
 * job per trial (job id: the trial's content hash) under one parent, as {@link runQueued} does
 * with cells. Writes `trials.jsonl` (in trial order) and `best.json` like a local search; a
 * trial that kept failing is left out of both and named in the returned `failed`.
 *
 * @example
 * ```ts
 * const { best, configFile } = await tuneQueued(cfg, { model: 'bprmf', trials: 10, search: 'random', metric: 'ndcg@10', out: 'runs/tune-bprmf' }, 'redis://127.0.0.1:6379', progress);
 * ```
 */
export async function tuneQueued(cfg: RunConfig, options: TuneOptions, url: string, progress: Progress, queued: QueuedOptions = {}): Promise<{ best: Trial; trials: Trial[]; configFile: string; failed: { trial: number; error: string }[] }> {
  const who = 'memrec-bench tune --queue';
  const configs = tunePlan(cfg, options);
  const checksum = await checkAndSum(cfg, url, who, queued);
  const jobs = trialCells(cfg, options.model, options.metric, configs, checksum);
  const flow = await runFlow(who, url, jobs, progress, queued);
  try {
    const trials = [...flow.values.values()].map((v) => unpackValue<StoredTrial>(v).trial).sort((a, b) => a.trial - b.trial);
    const failed = [...flow.failures].map(([id, error]) => ({ trial: (jobs.find((j) => j.id === id) as { data: TrialData }).data.spec.trial, error }));
    for (const f of failed) progress.info(`queue: trial ${f.trial + 1} failed: ${f.error}`);
    if (trials.length === 0) throw new Error(`${who}: every trial must not fail, got ${failed.length} failed, e.g. trial ${(failed[0]?.trial ?? 0) + 1}: ${failed[0]?.error}`);
    mkdirSync(options.out, { recursive: true });
    writeFileAtomic(join(options.out, 'trials.jsonl'), trials.map((x) => `${JSON.stringify(x)}\n`));
    const res = writeBest(cfg, options, trials);
    await flow.remove();
    return { ...res, failed };
  } finally {
    await flow.close();
  }
}

async function checkAndSum(cfg: RunConfig, url: string, who: string, options: QueuedOptions): Promise<string> {
  const { attempts = 3 } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`${who}: --attempts must be an integer >= 1, got ${JSON.stringify(attempts)}`);
  await checkRedis(parseQueueUrl(url), who);
  return datasetChecksum(cfg);
}

/**
 * Enqueues jobs as children of one parent (id: the hash of the children's ids), or follows the
 * parent already queued; waits until every child has finished, with a progress bar; resolves
 * with each child's stored value and each failed child's last error, by job id.
 */
async function runFlow(who: string, url: string, jobs: { id: string; data: CellData | TrialData }[], progress: Progress, options: QueuedOptions): Promise<{ id: string; values: Map<string, string>; failures: Map<string, string>; remove: () => Promise<void>; close: () => Promise<void> }> {
  const { attempts = 3, pollMs = 500 } = options;
  const target = parseQueueUrl(url);
  const gridId = hashId(jobs.map((c) => c.id));
  const idOf = new Map(jobs.map((c) => [`${target.prefix}:${CELLS_QUEUE}:${c.id}`, c.id]));
  const connection = redisOptions(target);
  const flows = new FlowProducer({ connection, prefix: target.prefix });
  const reports = new Queue(REPORTS_QUEUE, { connection, prefix: target.prefix });
  const cellQueue = new Queue(CELLS_QUEUE, { connection, prefix: target.prefix });
  const close = async () => {
    await Promise.allSettled([flows.close(), reports.close(), cellQueue.close()]);
  };
  const what = jobs[0]?.data.kind === 'trial' ? 'trials' : 'cells';
  try {
    let parent: BullJob | undefined = await reports.getJob(gridId);
    if (parent && (await parent.getState()) !== 'waiting-children') {
      // a finished grid whose report was not collected: collect it again from a fresh parent
      await parent.remove({ removeChildren: false });
      parent = undefined;
    }
    if (!parent) {
      for (const c of jobs) {
        const old = await cellQueue.getJob(c.id);
        if (old && (await old.getState()) === 'failed') await old.remove();
      }
      try {
        await flows.add({
          name: 'report',
          queueName: REPORTS_QUEUE,
          data: { [what]: jobs.length },
          opts: { jobId: gridId },
          children: jobs.map((c) => ({
            name: c.data.kind,
            queueName: CELLS_QUEUE,
            data: c.data,
            opts: { jobId: c.id, attempts, backoff: { type: 'fixed', delay: 1000 }, ignoreDependencyOnFailure: true, removeOnComplete: false, removeOnFail: false },
          })),
        });
      } catch (e) {
        throw new Error(`${who}: enqueueing ${jobs.length} ${what} at ${JSON.stringify(url)} failed (one may belong to another grid still running there; wait for it or use another PREFIX): ${(e as Error).message}`);
      }
      progress.info(`queue: ${jobs.length} ${what} of grid ${gridId.slice(0, 12)} at ${url}`);
    } else {
      progress.info(`queue: grid ${gridId.slice(0, 12)} is already queued at ${url}; following it`);
    }
    const report = (await reports.getJob(gridId)) as BullJob;
    progress.start(`queue: ${what}`, jobs.length);
    for (;;) {
      const n = await report.getDependenciesCount();
      const failed = (n.ignored ?? 0) + (n.failed ?? 0);
      progress.update((n.processed ?? 0) + failed, failed ? `${failed} failed` : undefined);
      if ((n.unprocessed ?? 0) === 0) break;
      await sleep(pollMs);
    }
    progress.stop();
    const byId = <T>(o: Record<string, T>) =>
      new Map(
        Object.entries(o).map(([key, v]) => {
          const id = idOf.get(key);
          if (id === undefined) throw new Error(`${who}: grid ${gridId} must hold only its own ${what}, got ${key}`);
          return [id, v] as const;
        }),
      );
    const values = byId(await report.getChildrenValues<string>());
    const failures = byId(await report.getIgnoredChildrenFailures());
    if (values.size + failures.size < jobs.length) {
      throw new Error(`${who}: grid ${gridId.slice(0, 12)} must still hold its ${jobs.length} ${what} when they finish, got ${values.size + failures.size} (another coordinator of the same grid collected it first); submit again to write this report`);
    }
    return {
      id: gridId,
      values,
      failures,
      remove: () => report.remove({ removeChildren: false }),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
