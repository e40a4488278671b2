import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRng, UserItemSet, type Interactions } from '@memrec/core';
import { writeFileAtomic } from '@memrec/core/node';
import { evaluateFull } from '@memrec/eval';
import type { RunConfig } from '../cli/options';
import { baseModel, checkModelOptions } from '../cli/model-options';
import type { Progress } from '../cli/progress';
import { loadBenchDataset, type BenchDataset } from './dataset';
import { splitFor } from './protocols';
import { validationSplit } from './train';
import { createModel } from './variants';

/** Values to try per option, per model (the built-in search spaces; a JSON file can replace them). */
export type SearchSpace = Record<string, Record<string, unknown[]>>;

/** memrec's built-in search spaces: the options that matter most for each model, a few values each. */
export const SEARCH_SPACES: SearchSpace = {
  bprmf: { dim: [32, 64, 128], learningRate: [0.005, 0.01, 0.02], l2: [0.0005, 0.001, 0.002, 0.005], epochs: [30, 60, 100] },
  neumf: { factors: [16, 32], learningRate: [0.001, 0.002, 0.005], pretrainEpochs: [0, 3, 6], epochs: [2, 4, 10] },
  cmn: { dim: [16, 32, 50], hops: [1, 2, 3], learningRate: [0.0005, 0.001, 0.005], maxNeighbours: [16, 64], epochs: [1, 2, 3] },
  nmrn: { dim: [16, 32, 64], slots: [10, 20], margin: [0.1, 0.5, 1], learningRate: [0.005, 0.01] },
  mars: { dim: [32, 64], facets: [2, 4, 8], history: [10, 20, 50], learningRate: [0.002, 0.005, 0.01] },
  dmn: { dim: [32, 64], memory: [5, 10, 20], hops: [1, 2, 3], learningRate: [0.002, 0.005, 0.01] },
};

/** One trial of a search: its options and its validation value. */
export interface Trial {
  trial: number;
  options: Record<string, unknown>;
  value: number;
  seconds: number;
}

/** Options of {@link tune}. */
export interface TuneOptions {
  /** Model or NMRN variant to tune. */
  model: string;
  /** Number of trials (random search) or the cap on grid points. */
  trials: number;
  search: 'random' | 'grid';
  /** Validation metric (as in `--early-stopping`), e.g. `ndcg@10`. */
  metric: string;
  /** Search space for the model (default: {@link SEARCH_SPACES}). */
  space?: Record<string, unknown[]>;
  /** Folder of the trial log (`trials.jsonl`) and the best configuration (`best.json`). */
  out: string;
}

/** Every point of a grid, in a fixed order (last option varies fastest). */
function gridPoints(space: Record<string, unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(space)) points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  return points;
}

/** The trial configurations: a seeded random sample of distinct grid points, or the grid in order. */
export function trialConfigs(space: Record<string, unknown[]>, trials: number, search: 'random' | 'grid', seed: number): Record<string, unknown>[] {
  const grid = gridPoints(space);
  if (search === 'grid') return grid.slice(0, trials);
  const rng = seededRng(seed);
  const order = grid.map((_, k) => k);
  for (let k = order.length - 1; k > 0; k--) {
    const j = Math.floor(rng() * (k + 1));
    [order[k], order[j]] = [order[j], order[k]];
  }
  return order.slice(0, trials).map((k) => grid[k]);
}

/**
 * `pnpm bench tune`: searches one model's options (random or grid, seeded by the run's first
 * seed, `trials` at most). Each trial trains on the inner part of the training data and is
 * scored on the validation part carved by the run's first protocol (see `validationSplit`); the
 * test set is never read. Trials go to `out/trials.jsonl` as they finish, so an interrupted
 * search resumes where it stopped. The best options are written to `out/best.json` as a config
 * file for `pnpm bench --config`, which evaluates them on the test set once.
 *
 * @example
 * ```ts
 * const { best } = await tune(resolveConfig({ dataset: 'movielens-100k', protocol: 'stratified' }), { model: 'bprmf', trials: 10, search: 'random', metric: 'ndcg@10', out: 'runs/tune' }, progress);
 * ```
 */
export async function tune(cfg: RunConfig, options: TuneOptions, progress: Progress): Promise<{ best: Trial; trials: Trial[]; configFile: string }> {
  const configs = tunePlan(cfg, options);
  mkdirSync(options.out, { recursive: true });
  const logFile = join(options.out, 'trials.jsonl');
  const done: Trial[] = existsSync(logFile)
    ? readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Trial)
    : [];
  for (const t of done) {
    if (JSON.stringify(t.options) !== JSON.stringify(configs[t.trial])) {
      throw new Error(`memrec-bench tune: ${logFile} must come from the same search (trial ${t.trial} differs), got ${JSON.stringify(t.options)}; use another --out`);
    }
  }
  const ds = await loadBenchDataset(cfg, (l) => progress.info(l));
  const cache = new Map<string, TuneData>();
  const trials = [...done];
  for (let t = done.length; t < configs.length; t++) {
    trials.push(await runTrial(ds, cfg, { model: options.model, metric: options.metric, trial: t, options: configs[t], of: configs.length }, progress, cache));
    writeFileAtomic(logFile, trials.map((x) => `${JSON.stringify(x)}\n`));
  }
  return writeBest(cfg, options, trials);
}

/**
 * Checks a search (the model, its space, every value against the model's option rules) and
 * returns its trial configurations (seeded by the run's first seed).
 *
 * @example
 * ```ts
 * tunePlan(cfg, { model: 'bprmf', trials: 2, search: 'grid', metric: 'ndcg@10', out: 'runs/t' }); // [{ dim: 32, ... }, ...]
 * ```
 */
export function tunePlan(cfg: RunConfig, options: TuneOptions): Record<string, unknown>[] {
  const base = baseModel(options.model);
  if (!base || base === 'pop') throw new Error(`memrec-bench tune: --model must be one of nmrn, cmn, neumf, bprmf or an nmrn-<variant>, got ${JSON.stringify(options.model)}`);
  const space = options.space ?? SEARCH_SPACES[base];
  if (space == null || typeof space !== 'object' || Object.keys(space).length === 0) throw new Error(`memrec-bench tune: the search space of ${options.model} must name at least one option, got ${JSON.stringify(space)}`);
  for (const [key, values] of Object.entries(space)) {
    if (!Array.isArray(values) || values.length === 0) throw new Error(`memrec-bench tune: space.${key} must be a non-empty list of values, got ${JSON.stringify(values)}`);
    for (const v of values) checkModelOptions({ [options.model]: { [key]: v } });
  }
  return trialConfigs(space, options.trials, options.search, cfg.seeds[0]);
}

/** One trial of a search, as {@link runTrial} takes it (and a queued trial carries it). */
export interface TrialSpec {
  model: string;
  metric: string;
  /** 0-based index of the trial in the search. */
  trial: number;
  /** The options this trial sets on the model. */
  options: Record<string, unknown>;
  /** Trials in the search (for the label). */
  of: number;
}

/** The validation data of a search: the inner training part, the validation part, the inner seen items. */
export type TuneData = { inner: Interactions; valid: Interactions; seen: UserItemSet };

/**
 * Runs one trial: trains the model with the trial's options on the inner part of the training
 * data and scores it on the validation part carved by the run's first protocol (see
 * `validationSplit`); the test set is never read. `cache` keeps the split between trials. The
 * local search and a queue worker both run trials here.
 *
 * @example
 * ```ts
 * const trial = await runTrial(ds, cfg, { model: 'bprmf', metric: 'ndcg@10', trial: 0, options: { dim: 32 }, of: 1 }, progress);
 * ```
 */
export async function runTrial(ds: BenchDataset, cfg: RunConfig, spec: TrialSpec, progress: Progress, cache: Map<string, TuneData> = new Map()): Promise<Trial> {
  const seed = cfg.seeds[0];
  const protocol = cfg.protocols[0];
  const key = `${protocol}|${seed}`;
  let data = cache.get(key);
  if (!data) {
    const pd = splitFor(protocol, ds, seed);
    const { inner, valid } = validationSplit(protocol, pd.train, seed);
    data = { inner, valid, seen: UserItemSet.fromInteractions(inner) };
    cache.set(key, data);
  }
  const { inner, valid, seen } = data;
  const k = Number(/@(\d+)$/.exec(spec.metric)?.[1] ?? 10);
  const trialCfg: RunConfig = { ...cfg, modelOptions: { ...cfg.modelOptions, [spec.model]: { ...cfg.modelOptions[spec.model], ...spec.options } } };
  const model = createModel(spec.model, trialCfg, { attributes: ds.attributes });
  const label = `tune ${spec.model} trial ${spec.trial + 1}/${spec.of}`;
  progress.start(`${label}: ${JSON.stringify(spec.options)}`, model.config.epochs * inner.users.length);
  const t0 = performance.now();
  try {
    await model.fit(inner, { seed, onProgress: (p) => progress.update(p.done, p.phase, p.total) });
    const r = await evaluateFull(model, valid, { seen, k: [k], name: spec.model });
    const trial: Trial = { trial: spec.trial, options: spec.options, value: r.metrics[spec.metric], seconds: (performance.now() - t0) / 1000 };
    progress.info(`${label}: ${spec.metric} ${trial.value.toFixed(4)} (${trial.seconds.toFixed(1)} s)`);
    return trial;
  } finally {
    progress.stop();
    model.dispose();
  }
}

/**
 * Picks the best of a search's trials and writes it to `out/best.json` as a config file for
 * `pnpm bench --config` (the run's dataset, protocols, seeds and every model, the tuned one
 * with the best options).
 *
 * @example
 * ```ts
 * const { best, configFile } = writeBest(cfg, options, trials);
 * ```
 */
export function writeBest(cfg: RunConfig, options: TuneOptions, trials: Trial[]): { best: Trial; trials: Trial[]; configFile: string } {
  const best = trials.reduce((a, b) => (b.value > a.value ? b : a));
  mkdirSync(options.out, { recursive: true });
  const configFile = join(options.out, 'best.json');
  const models = Object.fromEntries([...new Set([...cfg.models.filter((m) => m !== options.model), options.model])].map((m) => [m, m === options.model ? { ...cfg.modelOptions[m], ...best.options } : (cfg.modelOptions[m] ?? {})]));
  const config = {
    dataset: cfg.dataset,
    ...(cfg.dataDir ? { dataDir: cfg.dataDir } : {}),
    ...(cfg.file ? { file: cfg.file, columns: cfg.columns, header: cfg.header, delimiter: cfg.delimiter } : {}),
    ...(cfg.minRating !== undefined ? { minRating: cfg.minRating } : {}),
    protocol: cfg.protocols,
    eval: cfg.evals,
    seeds: cfg.seeds,
    ...(cfg.preset !== undefined ? { preset: cfg.preset } : {}),
    models,
  };
  writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return { best, trials, configFile };
}
