/**
 * The data behind the report's charts, as tidy rows: per model and x, the mean over seeds and a
 * band of ± one standard deviation. Computed from `Results` alone, so a chart can be redrawn from
 * any `results.json`.
 */
import { headlineMetrics, modelOrder } from './tables';
import type { Results, RunResult } from './types';

/** One point of a model's curve: the mean over `n` seeds at `x`, and the band [lo, hi] = mean ∓ std. */
export interface BandPoint {
  model: string;
  /** The facet (panel column) the point belongs to: a metric name or a protocol. */
  facet: string;
  x: number;
  mean: number;
  /** Sample standard deviation over the seeds (n − 1 in the denominator); 0 for one seed. */
  std: number;
  lo: number;
  hi: number;
  n: number;
}

/** One model's headline value on one evaluation: mean ± std over seeds (from `results.summary`). */
export interface SummaryPoint {
  model: string;
  evaluation: string;
  metric: string;
  mean: number;
  std: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Mean and sample standard deviation (n − 1), as `summarize` in @memrec/eval computes them for
 * the summary tables; the standard deviation of one value is 0.
 *
 * @example
 * ```ts
 * meanStd([0.3, 0.4]); // { mean: 0.35, std: 0.0707…, n: 2 }   (std = |a − b| / √2)
 * ```
 */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) throw new Error('meanStd: values must hold at least one number, got 0 values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

function band(model: string, facet: string, x: number, values: number[]): BandPoint {
  const { mean, std, n } = meanStd(values);
  return { model, facet, x, mean, std, lo: mean - std, hi: mean + std, n };
}

/** Collects values per (model, facet, x) in insertion order and turns each group into a band point. */
class Bands {
  private readonly groups = new Map<string, { model: string; facet: string; x: number; values: number[] }>();
  add(model: string, facet: string, x: number, v: number): void {
    if (!Number.isFinite(v) || !Number.isFinite(x)) return;
    const key = JSON.stringify([model, facet, x]);
    const g = this.groups.get(key);
    if (g) g.values.push(v);
    else this.groups.set(key, { model, facet, x, values: [v] });
  }
  /** Band points ordered by model (report order), facet (first seen), then x. */
  points(models: string[]): BandPoint[] {
    const facets = Array.from(new Set(Array.from(this.groups.values(), (g) => g.facet)));
    return Array.from(this.groups.values())
      .sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model) || facets.indexOf(a.facet) - facets.indexOf(b.facet) || a.x - b.x)
      .map((g) => band(g.model, g.facet, g.x, g.values));
  }
}

/**
 * The headline metrics a chart shows: HR and NDCG at the headline cut-off (10 when present, else
 * the largest), or the headline metrics when neither is there.
 *
 * @example
 * ```ts
 * chartMetrics(['hr@5', 'hr@10', 'ndcg@10', 'mrr', 'auc']); // ['hr@10', 'ndcg@10']
 * ```
 */
export function chartMetrics(metrics: Iterable<string>): string[] {
  const head = headlineMetrics(Array.from(new Set(metrics)));
  const ranked = ['hr@', 'ndcg@'].flatMap((p) => head.filter((m) => m.startsWith(p)));
  return ranked.length > 0 ? ranked : head.slice(0, 2);
}

/**
 * Stream metrics per block: for each model with stream blocks and each metric (the facet), the
 * mean ± std over the seeds that scored the block.
 *
 * @example
 * ```ts
 * streamBands(results); // [{ model: 'nmrn', facet: 'hr@10', x: 0, mean: 0.115, std: 0.0071, ... }, ...]
 * ```
 */
export function streamBands(results: Results, metrics?: string[]): BandPoint[] {
  const runs = results.runs.filter((r) => (r.streamBlocks?.length ?? 0) > 0);
  const shown = metrics ?? chartMetrics(runs.flatMap((r) => (r.streamBlocks ?? []).flatMap((b) => Object.keys(b.metrics))));
  const bands = new Bands();
  for (const metric of shown) for (const r of runs) for (const b of r.streamBlocks ?? []) bands.add(r.model, metric, b.block, b.metrics[metric]);
  return bands.points(modelOrder(results));
}

/**
 * Learning curves per epoch (x = epoch number, from 1): the training loss or the validation
 * metric, per model and protocol (the facet), mean ± std over the seeds that ran the epoch (with
 * early stopping, seeds may stop at different epochs).
 *
 * @example
 * ```ts
 * epochBands(results, 'valid'); // [{ model: 'bprmf', facet: 'stratified', x: 1, mean: 0.21, ... }, ...]
 * ```
 */
export function epochBands(results: Results, field: 'loss' | 'valid'): BandPoint[] {
  const bands = new Bands();
  for (const r of results.runs) for (const c of r.curve ?? []) if (c[field] !== undefined) bands.add(r.model, r.protocol, c.epoch + 1, c[field] as number);
  return bands.points(modelOrder(results));
}

/**
 * The epoch each run kept with early stopping, at its validation value (x = epoch number, from 1).
 *
 * @example
 * ```ts
 * bestEpochs(results); // [{ model: 'bprmf', facet: 'stratified', seed: 1, x: 4, y: 0.23 }]
 * ```
 */
export function bestEpochs(results: Results): { model: string; facet: string; seed: number; x: number; y: number }[] {
  return results.runs.flatMap((r) => {
    const c = r.bestEpoch !== undefined && r.bestEpoch >= 0 ? r.curve?.find((p) => p.epoch === r.bestEpoch) : undefined;
    return c?.valid !== undefined && Number.isFinite(c.valid) ? [{ model: r.model, facet: r.protocol, seed: r.seed, x: c.epoch + 1, y: c.valid }] : [];
  });
}

/**
 * Training loss against events seen, per model and protocol (the facet). The i-th logged point of
 * each seed is averaged with the i-th of the others, over the points every seed logged; x is the
 * mean of their event counts (the same count when the seeds trained on equal data).
 *
 * @example
 * ```ts
 * stepLossBands(results); // [{ model: 'nmrn', facet: 'stream', x: 256, mean: 0.715, ... }, ...]
 * ```
 */
export function stepLossBands(results: Results): BandPoint[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results.runs) {
    if (r.loss.length === 0) continue;
    const key = JSON.stringify([r.model, r.protocol]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const bands = new Bands();
  for (const runs of groups.values()) {
    const len = Math.min(...runs.map((r) => r.loss.length));
    for (let i = 0; i < len; i++) {
      const x = Math.round(runs.reduce((s, r) => s + r.loss[i].x, 0) / runs.length);
      for (const r of runs) bands.add(r.model, r.protocol, x, r.loss[i].loss);
    }
  }
  return bands.points(modelOrder(results));
}

/**
 * The headline metrics of every model and evaluation from `results.summary`, with the band
 * mean ∓ std (the same numbers as the summary tables).
 *
 * @example
 * ```ts
 * summaryPoints(results)[0]; // { model: 'nmrn', evaluation: 'full', metric: 'hr@10', mean: 0.35, std: 0.0707, ... }
 * ```
 */
export function summaryPoints(results: Results): SummaryPoint[] {
  const out: SummaryPoint[] = [];
  for (const model of modelOrder(results)) {
    for (const [evaluation, metrics] of Object.entries(results.summary[model] ?? {})) {
      for (const metric of chartMetrics(Object.keys(metrics))) {
        const s = metrics[metric];
        if (s === undefined || !Number.isFinite(s.mean)) continue;
        const std = Number.isFinite(s.std) ? s.std : 0;
        out.push({ model, evaluation, metric, mean: s.mean, std, lo: s.mean - std, hi: s.mean + std, n: s.n });
      }
    }
  }
  return out;
}
