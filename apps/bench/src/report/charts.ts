/**
 * The two benchmark charts: stream HR@10 per block, and training loss against events seen.
 * Colours follow the model order of the report, so a model has the same colour in both charts.
 */
import { lineChartSvg, PALETTE, type LineSeries } from './svg';
import { modelOrder } from './tables';
import type { Results, RunResult } from './types';

function colourOf(results: Results): (model: string) => string {
  const models = modelOrder(results);
  return (model) => PALETTE[Math.max(0, models.indexOf(model)) % PALETTE.length];
}

function byModel(results: Results, keep: (r: RunResult) => boolean): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>();
  for (const m of modelOrder(results)) {
    const runs = results.runs.filter((r) => r.model === m && keep(r)).sort((a, b) => a.seed - b.seed);
    if (runs.length > 0) groups.set(m, runs);
  }
  return groups;
}

/**
 * Series of a stream metric per block: one per model with stream blocks, the value at each block
 * averaged over the seeds that have it.
 *
 * @example
 * ```ts
 * streamSeries(results, 'hr@10'); // [{ name: 'nmrn', points: [{ x: 0, y: 0.12 }, ...] }, ...]
 * ```
 */
export function streamSeries(results: Results, metric = 'hr@10'): LineSeries[] {
  const colour = colourOf(results);
  const groups = byModel(results, (r) => (r.streamBlocks?.length ?? 0) > 0);
  return Array.from(groups, ([model, runs]) => {
    const sums = new Map<number, { sum: number; n: number }>();
    for (const r of runs) {
      for (const b of r.streamBlocks ?? []) {
        const v = b.metrics[metric];
        if (!Number.isFinite(v)) continue;
        const acc = sums.get(b.block) ?? { sum: 0, n: 0 };
        acc.sum += v;
        acc.n += 1;
        sums.set(b.block, acc);
      }
    }
    const points = Array.from(sums, ([x, a]) => ({ x, y: a.sum / a.n })).sort((p, q) => p.x - q.x);
    return { name: model, points, color: colour(model) };
  }).filter((s) => s.points.length > 0);
}

/**
 * Series of the training loss against events seen: one per model with a loss curve. When every
 * seed logged the loss at the same event counts the curve is the mean over seeds, otherwise the
 * curve of the lowest seed; `label` says which.
 *
 * @example
 * ```ts
 * lossSeries(results); // [{ name: 'nmrn (mean of 2 seeds)', points: [{ x: 256, y: 0.69 }, ...] }, ...]
 * ```
 */
export function lossSeries(results: Results): LineSeries[] {
  const colour = colourOf(results);
  // Per model, use the runs of one protocol only (the first that logged a loss), so curves compare.
  const groups = byModel(results, (r) => r.loss.length > 0);
  return Array.from(groups, ([model, all]) => {
    const runs = all.filter((r) => r.protocol === all[0].protocol);
    const xs = runs[0].loss.map((p) => p.x);
    const aligned = runs.every((r) => r.loss.length === xs.length && r.loss.every((p, i) => p.x === xs[i]));
    if (aligned && runs.length > 1) {
      const points = xs.map((x, i) => ({ x, y: runs.reduce((s, r) => s + r.loss[i].loss, 0) / runs.length }));
      return { name: `${model} (mean of ${runs.length} seeds)`, points, color: colour(model) };
    }
    const points = runs[0].loss.map((p) => ({ x: p.x, y: p.loss }));
    return { name: runs.length > 1 ? `${model} (seed ${runs[0].seed})` : model, points, color: colour(model) };
  });
}

/**
 * `charts/stream-hr10.svg`: stream HR@10 per block, one line per model, mean over seeds.
 *
 * @example
 * ```ts
 * await writeFile('charts/stream-hr10.svg', streamHrChart(results));
 * ```
 */
export function streamHrChart(results: Results): string {
  return lineChartSvg({
    title: 'Stream HR@10 per block (prequential, mean over seeds)',
    xLabel: 'block',
    yLabel: 'HR@10',
    series: streamSeries(results, 'hr@10'),
    emptyMessage: 'no stream-protocol runs',
  });
}

/**
 * `charts/loss.svg`: training loss against events seen, one line per model.
 *
 * @example
 * ```ts
 * await writeFile('charts/loss.svg', lossChart(results));
 * ```
 */
export function lossChart(results: Results): string {
  return lineChartSvg({
    title: 'Training loss',
    xLabel: 'events seen',
    yLabel: 'loss',
    series: lossSeries(results),
    emptyMessage: 'no loss curves logged',
  });
}
