import { join } from 'node:path';
import { initBackend, UserItemSet, type Interactions } from '@memrec/core';
import { candidatesFromLists, evaluateFull, evaluateRatings, evaluateSampled, evaluateStream, type EvaluationResult, type RatingPredictor, type EvaluationSetup, type PerUnitValues, type StreamModel } from '@memrec/eval';
import type { RunConfig } from '../cli/options';
import type { Progress } from '../cli/progress';
import { OnlineRecommender, recommendLatency, type BaseRecommender, type TrainingOptions } from '@memrec/models';
import { saveCheckpoint } from '@memrec/models/node';
import type { Results, RunResult } from '../report/types';
import { buildCard, packageVersions, type CardDataset } from './card';
import { loadBenchDataset, type BenchDataset } from './dataset';
import { runInWorkers, type Job, type JobOutcome } from './workers';
import { splitFor, type ProtocolData } from './protocols';
import { trainModel, type TrainOutcome } from './train';
import { createModel, modelVariants } from './variants';
import { compareModels, perUserKey, summarizeRuns, type PerUserStore } from './summary';

/**
 * Runs the whole benchmark a configuration describes: loads the dataset, splits it per
 * protocol, trains every model variant for every seed, evaluates (full, sampled-N, stream),
 * measures speed, and returns the results with summaries and paired comparisons.
 *
 * @example
 * ```ts
 * const results = await runBenchmark(resolveConfig({ models: 'bprmf,pop', seeds: '1' }), createProgress({ quiet: true }));
 * ```
 */
export async function runBenchmark(cfg: RunConfig, progress: Progress, options: RunOptions = {}): Promise<Results> {
  const { command = 'memrec-bench', checkpointDir, lanes = [progress], workerEntry } = options;
  const choice = await initBackend({ backend: cfg.backend, log: (l) => progress.info(l) });
  const ds = await loadBenchDataset(cfg, (l) => progress.info(l));
  progress.info(`dataset: ${ds.name}: ${ds.data.stats.numUsers} users, ${ds.data.stats.numItems} items, ${ds.data.stats.numInteractions} interactions`);
  const splits: Record<string, unknown> = {};
  for (const protocol of cfg.protocols) splits[protocol] = splitFor(protocol, ds, cfg.seeds[0]).report;
  const jobs = gridJobs(cfg);
  const outcomes = cfg.workers > 1 && jobs.length > 1 && workerEntry
    ? await runInWorkers(jobs, cfg, workerEntry, lanes, checkpointDir)
    : await runSequential(jobs, { cfg, ds, checkpointDir, splits: new Map() }, progress);
  return assembleResults(cfg, outcomes, { name: ds.name, source: ds.source, data: { stats: ds.data.stats } }, splits, choice.backend, command);
}

/**
 * Every (protocol, seed, model variant) job of a configuration, in report order.
 *
 * @example
 * ```ts
 * gridJobs(resolveConfig({ models: 'bprmf,pop', seeds: '1,2', protocol: 'stream' })).length; // 4
 * ```
 */
export function gridJobs(cfg: RunConfig): Job[] {
  const variants = modelVariants(cfg);
  return cfg.protocols.flatMap((protocol) => cfg.seeds.flatMap((seed) => variants.map((variant) => ({ protocol, seed, variant }))));
}

/**
 * The results of a run from its job outcomes, in any order: runs sorted by (protocol, seed,
 * model), per-model summaries over seeds, the paired comparisons (over users and over seeds)
 * and the protocol card. The local runner and the Redis queue's coordinator both build their
 * results here, so the same outcomes give the same report.
 *
 * @example
 * ```ts
 * const results = assembleResults(cfg, outcomes, ds, { stream: report }, 'wasm', 'memrec-bench');
 * ```
 */
export function assembleResults(cfg: RunConfig, outcomes: JobOutcome[], ds: CardDataset, splits: Record<string, unknown>, backend: string, command: string): Results {
  const variants = modelVariants(cfg);
  const order = (j: Job) => [cfg.protocols.indexOf(j.protocol), cfg.seeds.indexOf(j.seed), variants.indexOf(j.variant)];
  outcomes = [...outcomes].sort((a, b) => {
    const [x, y] = [order(a.job), order(b.job)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  const runs = outcomes.map((o) => o.result);
  const store: PerUserStore = new Map();
  for (const o of outcomes) for (const [ev, pu] of Object.entries(o.perUnit)) store.set(perUserKey(o.job.variant, ev, o.job.seed), pu);
  const comparisons = defaultComparisons(variants, cfg).flatMap(([a, b, ev, m]) =>
    runs.some((r) => r.model === a && r.metrics[ev]) && runs.some((r) => r.model === b && r.metrics[ev]) ? compareModels(runs, store, a, b, ev, m) : [],
  );
  const evaluations: Record<string, { protocol: string; setup: EvaluationSetup }> = {};
  for (const o of outcomes) for (const [ev, setup] of Object.entries(o.setups)) evaluations[ev] ??= { protocol: o.job.protocol, setup };
  const card = buildCard(cfg, ds, splits, backend, evaluations);
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    command,
    backend,
    versions: packageVersions(),
    card: card.json,
    cardMarkdown: card.markdown,
    runs,
    summary: summarizeRuns(runs),
    comparisons,
  };
}

/** Options of {@link runBenchmark}. */
export interface RunOptions {
  /** The command line, recorded in results. */
  command?: string;
  /** Where model checkpoints go (first seed, last protocol). */
  checkpointDir?: string;
  /** One progress lane per worker. */
  lanes?: Progress[];
  /** The CLI file to fork as workers (needed for `cfg.workers > 1`). */
  workerEntry?: string;
}

async function runSequential(jobs: Job[], ctx: JobContext, progress: Progress): Promise<JobOutcome[]> {
  const out: JobOutcome[] = [];
  for (const job of jobs) out.push(await runJob(job, ctx, progress));
  return out;
}

/** What a job needs besides its (protocol, seed, variant). Splits are cached per protocol and seed. */
export interface JobContext {
  cfg: RunConfig;
  ds: BenchDataset;
  checkpointDir?: string;
  splits: Map<string, ProtocolData>;
}

/**
 * Runs one (protocol, seed, model variant): split, fit, evaluate, time, and, for the first seed
 * of the last protocol, save the model with the dataset's id maps as an OnlineRecommender
 * checkpoint (`<checkpointDir>/<variant>.memrec`).
 *
 * @example
 * ```ts
 * const { result } = await runJob({ protocol: 'stream', seed: 1, variant: 'bprmf' }, ctx, progress);
 * ```
 */
export async function runJob(job: Job, ctx: JobContext, progress: Progress): Promise<JobOutcome> {
  const { cfg, ds } = ctx;
  const key = `${job.protocol}|${job.seed}`;
  let pd = ctx.splits.get(key);
  if (!pd) {
    pd = splitFor(job.protocol, ds, job.seed);
    ctx.splits.set(key, pd);
  }
  const label = `${job.protocol} | ${job.variant} | seed ${job.seed}`;
  const perUnit: Record<string, PerUnitValues> = {};
  const setups: Record<string, EvaluationSetup> = {};
  const trained = await trainModel(createModel(job.variant, cfg, { attributes: ds.attributes }), pd.protocol, pd.train, cfg, job.seed, label, progress, job.variant);
  const model = trained.model;
  try {
    const result = await evaluateRun(model, trained, job.variant, pd, cfg, job.seed, label, progress, perUnit, setups);
    if (ctx.checkpointDir && job.seed === cfg.seeds[0] && job.protocol === cfg.protocols[cfg.protocols.length - 1]) {
      saveCheckpoint(join(ctx.checkpointDir, `${job.variant}.memrec`), OnlineRecommender.fromModel(model, { users: ds.data.users, items: ds.data.items }));
    }
    return { job, result, perUnit, setups, split: pd.report };
  } finally {
    model.dispose();
  }
}

async function evaluateRun(model: BaseRecommender<TrainingOptions>, trained: TrainOutcome, variant: string, pd: ProtocolData, cfg: RunConfig, seed: number, label: string, progress: Progress, perUnit: Record<string, PerUnitValues>, setups: Record<string, EvaluationSetup>): Promise<RunResult> {
  const { loss, curve, bestEpoch, trainSeconds, trainEventsPerSecond } = trained;
  const result: RunResult = {
    model: variant,
    seed,
    protocol: pd.protocol,
    metrics: {},
    loss,
    ...(curve && curve.length > 0 ? { curve } : {}),
    ...(bestEpoch !== undefined ? { bestEpoch } : {}),
    trainSeconds,
    trainEventsPerSecond,
    observeMode: model.observeMode,
  };
  const keep = (ev: string, r: EvaluationResult) => {
    result.metrics[ev] = r.metrics;
    perUnit[ev] = r.perUnit;
    setups[ev] = r.setup;
  };
  const seen = UserItemSet.fromInteractions(pd.train);
  if (pd.blocks) {
    let observeEvents = 0;
    let observeMs = 0;
    const observe = async (b: Interactions) => {
      const s = performance.now();
      await model.observe(b);
      observeMs += performance.now() - s;
      observeEvents += b.users.length;
    };
    progress.start(`${label}: stream`, pd.blocks.length);
    let blocksDone = 0;
    const r = await evaluateStream(
      withObserveHook(model, async (b) => (await observe(b), progress.update(++blocksDone))),
      pd.blocks,
      { seen, k: cfg.k, mode: 'full', name: variant, ...(cfg.coldStart === 'skip' && pd.evaluable ? { evaluable: pd.evaluable } : {}) },
    );
    progress.stop();
    keep('stream', r);
    result.streamBlocks = r.blocks.map((b, i) => ({ block: i + 1, events: b.counts.units, skipped: b.counts.skippedEvents ?? 0, metrics: b.metrics }));
    if (model.observeMode !== 'ignored') result.observeEventsPerSecond = observeEvents / (observeMs / 1000);
  } else if (pd.test && cfg.task === 'rating') {
    progress.start(`${label}: rating`, 1);
    keep('rating', evaluateRatings(model as unknown as RatingPredictor, pd.test, { clip: ratingRange(pd.train), name: variant }));
    progress.stop();
  } else if (pd.test) {
    for (const ev of cfg.evals) {
      progress.start(`${label}: ${ev}`, 1);
      if (ev === 'full') {
        keep(ev, await evaluateFull(model, pd.test, { seen, k: cfg.k, name: variant }));
      } else {
        const n = Number(ev.slice('sampled-'.length));
        const candidates = pd.candidates
          ? candidatesFromLists({ users: pd.test.users, items: pd.test.items, negatives: pd.candidates, numUsers: pd.test.numUsers, numItems: pd.test.numItems })
          : undefined;
        keep(ev, await evaluateSampled(model, pd.test, { seen, n, seed, k: cfg.k.filter((k) => k <= n + 1), candidates, name: variant }));
      }
      progress.stop();
    }
  }
  result.recommendLatencyMs = recommendLatency(model, 50);
  progress.info(`${label}: ${Object.entries(result.metrics).map(([ev, m]) => `${ev} hr@10 ${(m['hr@10'] ?? NaN).toFixed(4)} ndcg@10 ${(m['ndcg@10'] ?? NaN).toFixed(4)}`).join('; ')} (${trainSeconds.toFixed(1)} s)`);
  return result;
}

/** The smallest and largest training rating (the clip range of predicted ratings). */
function ratingRange(train: Interactions): [number, number] {
  const r = train.ratings;
  if (!r || r.length === 0) throw new Error('memrec-bench: --task rating needs ratings in the training data, got none');
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < r.length; k++) {
    if (r[k] < lo) lo = r[k];
    if (r[k] > hi) hi = r[k];
  }
  return [lo, hi];
}

/**
 * The comparisons every report carries: each learned model vs ItemPop, NMRN vs BPR-MF, CMN vs
 * BPR-MF (NDCG@10, and HR@10 off the stream), NMRN samplers, IRGAN vs BPR-MF and DNS-trained
 * BPR-MF, CF-NADE vs the bias baseline and BPR-MF; with `--task rating`, every rating model vs `bias` on the squared error.
 */
function defaultComparisons(variants: string[], cfg: RunConfig): [string, string, string, string][] {
  const out: [string, string, string, string][] = [];
  if (cfg.task === 'rating') {
    if (variants.includes('bias')) for (const v of variants) if (v !== 'bias') out.push([v, 'bias', 'rating', 'mse']);
    return out;
  }
  const evs = [...(cfg.protocols.includes('stream') ? ['stream'] : []), ...(cfg.protocols.some((p) => p !== 'stream') ? cfg.evals : [])];
  for (const ev of evs) {
    const metric = ev === 'stream' ? 'hr@10' : 'ndcg@10';
    if (variants.includes('pop')) for (const v of variants) if (v !== 'pop') out.push([v, 'pop', ev, metric]);
    if (variants.includes('nmrn') && variants.includes('bprmf')) out.push(['nmrn', 'bprmf', ev, metric]);
    // CMN against BPR-MF, the bar of its issue (sampled-100 HR@10 as the paper reports it, NDCG@10)
    if (variants.includes('cmn') && variants.includes('bprmf')) out.push(['cmn', 'bprmf', ev, metric], ...(ev === 'stream' ? [] : [['cmn', 'bprmf', ev, 'hr@10'] as [string, string, string, string]]));
    for (const v of variants) if (v.startsWith('nmrn-')) out.push(['nmrn', v, ev, metric]);
    // the sequential models against the baselines of their issue: BPR-MF, GRU4Rec and NMRN
    for (const v of ['gru4rec', 'rum-item', 'rum-feature', 'stamp', 'ksr', 'mars', 'dmn']) {
      if (!variants.includes(v)) continue;
      for (const b of ['bprmf', 'gru4rec', 'nmrn']) if (b !== v && variants.includes(b)) out.push([v, b, ev, metric]);
    }
    for (const [a, b] of [['irgan', 'bprmf'], ['irgan', 'bprmf-dns'], ['bprmf-dns', 'bprmf'], ['cfnade', 'bias'], ['cfnade', 'bprmf']]) {
      if (variants.includes(a) && variants.includes(b)) out.push([a, b, ev, metric]);
    }
  }
  return out;
}

/** The model as the stream evaluator sees it, with `observe` replaced by `hook` (timing, progress). */
function withObserveHook(model: BaseRecommender<TrainingOptions>, hook: (b: Interactions) => Promise<void>): StreamModel {
  return {
    get numItems() {
      return model.numItems;
    },
    kind: model.kind,
    scoreAll: (u) => model.scoreAll(u),
    score: (u, i) => model.score(u, i),
    observe: hook,
  };
}
