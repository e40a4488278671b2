/**
 * The table model behind the markdown and HTML reports: summary tables per evaluation and the
 * performance table, computed once from `Results` so both renderings show the same numbers.
 */
import { formatMetric, lowerIsBetter, sortEvaluations, sortMetrics } from './format';
import type { Results, RunResult, Summary } from './types';

/** One cell of a summary table: the summary over seeds, and whether it is the column's best. */
export interface SummaryCell extends Summary {
  best: boolean;
}

/** The summary of one evaluation: rows = models, columns = metrics. */
export interface SummaryTable {
  evaluation: string;
  metrics: string[];
  rows: { model: string; cells: (SummaryCell | undefined)[] }[];
}

/** Performance of one model under one protocol, averaged over its seeds. */
export interface PerformanceRow {
  model: string;
  protocol: string;
  seeds: number;
  trainSeconds: number;
  trainEventsPerSecond: number;
  observeEventsPerSecond?: number;
  observeMode?: string;
  latencyMedianMs?: number;
  latencyP99Ms?: number;
}

/**
 * Model names in the order they first appear in `results.runs`, then any that only appear in
 * `results.summary`.
 *
 * @example
 * ```ts
 * modelOrder(results); // ['nmrn', 'bprmf']
 * ```
 */
export function modelOrder(results: Results): string[] {
  const seen = new Set<string>();
  for (const r of results.runs) seen.add(r.model);
  for (const m of Object.keys(results.summary)) seen.add(m);
  return Array.from(seen);
}

/**
 * Builds one summary table per evaluation from `results.summary` (headline metrics, or with
 * `everyK` every metric at every cut-off). The best mean in each column
 * (highest, or lowest for loss-like metrics; ties at the displayed precision all count) is
 * flagged `best` when at least two models have a value.
 *
 * @example
 * ```ts
 * const [full] = summaryTables(results);
 * full.evaluation;              // 'full'
 * full.rows[0].cells[0]?.mean;  // 0.35
 * ```
 */
export function summaryTables(results: Results, options: { everyK?: boolean } = {}): SummaryTable[] {
  const models = modelOrder(results);
  const evaluations = sortEvaluations(models.flatMap((m) => Object.keys(results.summary[m] ?? {})));
  return evaluations.map((evaluation) => {
    const all = sortMetrics(models.flatMap((m) => Object.keys(results.summary[m]?.[evaluation] ?? {})));
    // everyK: every metric that has a cut-off, at every cut-off of the run (e.g. --k 3,5,10)
    const metrics = options.everyK ? all.filter((m) => /@\d+$/.test(m)) : headlineMetrics(all);
    const present = models.filter((m) => results.summary[m]?.[evaluation] !== undefined);
    const rows = present.map((model) => ({
      model,
      cells: metrics.map((metric): SummaryCell | undefined => {
        const s = results.summary[model][evaluation][metric];
        return s === undefined ? undefined : { ...s, best: false };
      }),
    }));
    metrics.forEach((metric, j) => {
      const cells = rows.map((r) => r.cells[j]).filter((c): c is SummaryCell => c !== undefined && Number.isFinite(c.mean));
      if (cells.length < 2) return;
      const lower = lowerIsBetter(metric);
      const best = cells.reduce((b, c) => ((lower ? c.mean < b : c.mean > b) ? c.mean : b), cells[0].mean);
      for (const c of cells) c.best = formatMetric(c.mean) === formatMetric(best);
    });
    return { evaluation, metrics, rows };
  });
}

/**
 * The metrics a summary table shows: HR, NDCG and coverage at the headline cut-off (10 when
 * present, else the largest), plus MRR and AUC. Every metric stays in results.json and results.csv.
 *
 * @example
 * ```ts
 * headlineMetrics(['hr@5', 'hr@10', 'ndcg@10', 'map@10', 'mrr']); // ['hr@10', 'ndcg@10', 'mrr']
 * ```
 */
export function headlineMetrics(metrics: string[]): string[] {
  const ks = metrics.map((m) => /@(\d+)$/.exec(m)?.[1]).filter((k): k is string => k !== undefined).map(Number);
  if (ks.length === 0) return metrics;
  const k = ks.includes(10) ? 10 : Math.max(...ks);
  const keep = new Set([`hr@${k}`, `ndcg@${k}`, `coverage@${k}`, 'mrr', 'auc']);
  const shown = metrics.filter((m) => keep.has(m));
  return shown.length > 0 ? shown : metrics;
}

function mean(values: number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

function defined<T>(values: (T | undefined)[]): T[] {
  return values.filter((v): v is T => v !== undefined && (typeof v !== 'number' || Number.isFinite(v)));
}

/**
 * Groups runs by (model, protocol) and averages their throughput and latency over seeds.
 *
 * @example
 * ```ts
 * performanceRows(results)[0]; // { model: 'nmrn', protocol: 'stream', seeds: 2, trainEventsPerSecond: 5000, ... }
 * ```
 */
export function performanceRows(results: Results): PerformanceRow[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results.runs) {
    const key = JSON.stringify([r.model, r.protocol]);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return Array.from(groups.values()).map((runs) => {
    const modes = Array.from(new Set(defined(runs.map((r) => r.observeMode))));
    return {
      model: runs[0].model,
      protocol: runs[0].protocol,
      seeds: runs.length,
      trainSeconds: mean(defined(runs.map((r) => r.trainSeconds))) ?? Number.NaN,
      trainEventsPerSecond: mean(defined(runs.map((r) => r.trainEventsPerSecond))) ?? Number.NaN,
      observeEventsPerSecond: mean(defined(runs.map((r) => r.observeEventsPerSecond))),
      observeMode: modes.length > 0 ? modes.join(', ') : undefined,
      latencyMedianMs: mean(defined(runs.map((r) => r.recommendLatencyMs?.median))),
      latencyP99Ms: mean(defined(runs.map((r) => r.recommendLatencyMs?.p99))),
    };
  });
}

/** One run's learning curve in brief: epochs run, the kept epoch (1-based) and its validation value. */
export interface LearningCurveRow {
  model: string;
  protocol: string;
  seed: number;
  epochs: number;
  /** 1-based; undefined without early stopping. */
  bestEpoch?: number;
  validAtBest?: number;
  firstLoss: number;
  lastLoss: number;
}

/**
 * One row per run that recorded a learning curve (`runs[].curve`), in run order.
 *
 * @example
 * ```ts
 * learningCurveRows(results)[0]; // { model: 'bprmf', protocol: 'stratified', seed: 1, epochs: 3, bestEpoch: 2, validAtBest: 0.25, firstLoss: 0.69, lastLoss: 0.4 }
 * ```
 */
export function learningCurveRows(results: Results): LearningCurveRow[] {
  return results.runs.flatMap((r) => {
    const c = r.curve ?? [];
    if (c.length === 0) return [];
    const best = r.bestEpoch !== undefined ? c.find((x) => x.epoch === r.bestEpoch) : undefined;
    return [{
      model: r.model, protocol: r.protocol, seed: r.seed, epochs: c.length,
      bestEpoch: best ? best.epoch + 1 : undefined, validAtBest: best?.valid,
      firstLoss: c[0].loss, lastLoss: c[c.length - 1].loss,
    }];
  });
}
