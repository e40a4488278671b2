import { FlowProducer, Queue, type Job as BullJob } from 'bullmq';
import type { RunConfig } from '../cli/options';
import type { Progress } from '../cli/progress';
import type { Results } from '../report/types';
import { assembleResults } from '../experiment/run';
import type { JobOutcome } from '../experiment/workers';
import { cellLabel, CELLS_QUEUE, gridCells, hashId, REPORTS_QUEUE, type CellData } from './cells';
import { datasetChecksum } from './checksum';
import { decodeValue } from './codec';
import { checkRedis, parseQueueUrl, redisOptions } from './connection';
import type { StoredCell } from './worker';

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
  const { command = 'memrec-bench', attempts = 3, pollMs = 500 } = options;
  const who = 'memrec-bench --queue';
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`${who}: --attempts must be an integer >= 1, got ${JSON.stringify(attempts)}`);
  const target = parseQueueUrl(url);
  await checkRedis(target, who);
  const checksum = await datasetChecksum(cfg);
  const cells = gridCells(cfg, checksum);
  const gridId = hashId(cells.map((c) => c.id));
  const byKey = new Map(cells.map((c) => [`${target.prefix}:${CELLS_QUEUE}:${c.id}`, c.data]));
  const connection = redisOptions(target);
  const flows = new FlowProducer({ connection, prefix: target.prefix });
  const reports = new Queue(REPORTS_QUEUE, { connection, prefix: target.prefix });
  const cellQueue = new Queue(CELLS_QUEUE, { connection, prefix: target.prefix });
  try {
    let parent: BullJob | undefined = await reports.getJob(gridId);
    if (parent && (await parent.getState()) !== 'waiting-children') {
      // a finished grid whose report was not collected: collect it again from a fresh parent
      await parent.remove({ removeChildren: false });
      parent = undefined;
    }
    if (!parent) {
      for (const c of cells) {
        const old = await cellQueue.getJob(c.id);
        if (old && (await old.getState()) === 'failed') await old.remove();
      }
      try {
        await flows.add({
          name: 'report',
          queueName: REPORTS_QUEUE,
          data: { cells: cells.length, checksum },
          opts: { jobId: gridId },
          children: cells.map((c) => ({
            name: 'cell',
            queueName: CELLS_QUEUE,
            data: c.data,
            opts: { jobId: c.id, attempts, backoff: { type: 'fixed', delay: 1000 }, ignoreDependencyOnFailure: true, removeOnComplete: false, removeOnFail: false },
          })),
        });
      } catch (e) {
        throw new Error(`${who}: enqueueing ${cells.length} cells at ${JSON.stringify(url)} failed (a cell may belong to another grid still running there; wait for it or use another PREFIX): ${(e as Error).message}`);
      }
      progress.info(`queue: ${cells.length} cells of grid ${gridId.slice(0, 12)} at ${url}`);
    } else {
      progress.info(`queue: grid ${gridId.slice(0, 12)} is already queued at ${url}; following it`);
    }
    const report = (await reports.getJob(gridId)) as BullJob;
    progress.start(`queue: cells`, cells.length);
    for (;;) {
      const n = await report.getDependenciesCount();
      const failed = (n.ignored ?? 0) + (n.failed ?? 0);
      progress.update((n.processed ?? 0) + failed, failed ? `${failed} failed` : undefined);
      if ((n.unprocessed ?? 0) === 0) break;
      await sleep(pollMs);
    }
    progress.stop();
    const values = await report.getChildrenValues<string>();
    const failures = await report.getIgnoredChildrenFailures();
    const stored = Object.entries(values).map(([key, v]) => {
      if (!byKey.has(key)) throw new Error(`${who}: the report of grid ${gridId} must hold only its own cells, got ${key}`);
      return decodeValue<StoredCell>(v);
    });
    const failedCells = Object.entries(failures).map(([key, error]) => {
      const data = byKey.get(key) as CellData;
      return { ...data.job, error };
    });
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
    const results = assembleResults(cfg, outcomes, ds, splits, backends.join(', '), command);
    results.queue = {
      url,
      grid: gridId,
      checksum,
      cells: stored.map((s) => ({ ...s.outcome.job, worker: s.worker, backend: s.backend, runSeconds: s.runSeconds })),
    };
    if (failedCells.length > 0) results.failedCells = failedCells;
    await report.remove({ removeChildren: false });
    return results;
  } finally {
    await Promise.allSettled([flows.close(), reports.close(), cellQueue.close()]);
  }
}
