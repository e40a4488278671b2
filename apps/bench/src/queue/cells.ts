import { createHash } from 'node:crypto';
import type { RunConfig } from '../cli/options';
import { gridJobs } from '../experiment/run';
import type { TrialSpec } from '../experiment/tune';
import type { Job } from '../experiment/workers';

/** The BullMQ queue of grid cells (and tuning trials). */
export const CELLS_QUEUE = 'cells';
/** The BullMQ queue of the reports' parent jobs (never processed: the coordinator reads them). */
export const REPORTS_QUEUE = 'reports';

/** What a queued cell carries: the run's configuration, its (protocol, seed, model) and the data's checksum. */
export interface CellData {
  kind: 'cell';
  cfg: RunConfig;
  job: Job;
  /** {@link datasetChecksum} on the coordinator; a worker with other data refuses the cell. */
  checksum: string;
}

/** What a queued tuning trial carries: the run's configuration, the trial and the data's checksum. */
export interface TrialData {
  kind: 'trial';
  cfg: RunConfig;
  spec: TrialSpec;
  checksum: string;
}

/**
 * JSON with object keys sorted at every level: the same value always gives the same text.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // '{"a":{"c":3,"d":2},"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * SHA-256 of the canonical JSON of `value`, hex, 40 characters: a BullMQ job id.
 *
 * @example
 * ```ts
 * hashId({ a: 1, b: 2 }) === hashId({ b: 2, a: 1 }); // true
 * ```
 */
export function hashId(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 40);
}

/**
 * A configuration as a cell carries it: what can change a cell's result, without what only
 * concerns the coordinator's machine (`out`, `force`, `quiet`, `workers`).
 *
 * @example
 * ```ts
 * cellConfig(resolveConfig({ out: 'runs/a' })).out; // undefined
 * ```
 */
export function cellConfig(cfg: RunConfig): RunConfig {
  const { out: _out, force: _force, quiet: _quiet, workers: _workers, ...rest } = cfg;
  return { ...rest, force: false, quiet: true, workers: 1 };
}

/**
 * The cells of a grid with their job ids: the hash of each cell's whole content (configuration,
 * protocol, seed, model, data checksum), so submitting the same grid again adds no job.
 *
 * @example
 * ```ts
 * const cells = gridCells(cfg, await datasetChecksum(cfg)); // [{ id: '3f9a...', data: { kind: 'cell', ... } }, ...]
 * ```
 */
export function gridCells(cfg: RunConfig, checksum: string): { id: string; data: CellData }[] {
  const base = cellConfig(cfg);
  return gridJobs(cfg).map((job) => {
    const data: CellData = { kind: 'cell', cfg: base, job, checksum };
    return { id: hashId(data), data };
  });
}

/**
 * The trials of a search as queue jobs, each with its content hash as job id.
 *
 * @example
 * ```ts
 * const jobs = trialCells(cfg, 'bprmf', 'ndcg@10', tunePlan(cfg, options), checksum);
 * ```
 */
export function trialCells(cfg: RunConfig, model: string, metric: string, configs: Record<string, unknown>[], checksum: string): { id: string; data: TrialData }[] {
  const base = cellConfig(cfg);
  return configs.map((options, trial) => {
    const data: TrialData = { kind: 'trial', cfg: base, spec: { model, metric, trial, options, of: configs.length }, checksum };
    return { id: hashId(data), data };
  });
}

/**
 * A queued job's label in logs and errors: `stream | bprmf | seed 1`, or `tune bprmf trial 2/10`.
 *
 * @example
 * ```ts
 * jobLabel(cells[0].data); // 'stream | bprmf | seed 1'
 * ```
 */
export function jobLabel(data: CellData | TrialData): string {
  return data.kind === 'trial' ? `tune ${data.spec.model} trial ${data.spec.trial + 1}/${data.spec.of}` : cellLabel(data.job);
}

/**
 * A cell's label in logs and errors.
 *
 * @example
 * ```ts
 * cellLabel({ protocol: 'stream', variant: 'bprmf', seed: 1 }); // 'stream | bprmf | seed 1'
 * ```
 */
export function cellLabel(job: Job): string {
  return `${job.protocol} | ${job.variant} | seed ${job.seed}`;
}
