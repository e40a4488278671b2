/**
 * The benchmark's charts, drawn with Observable Plot: headline metrics per model (mean ± std over
 * seeds), stream metrics per block, learning curves per epoch and the training loss against
 * events seen, each curve a line at the mean over seeds in a band of ± one standard deviation. A
 * model has the same colour in every chart (see {@link modelColours}).
 */
import * as Plot from '@observablehq/plot';
import { bestEpochs, epochBands, stepLossBands, streamBands, summaryPoints, type BandPoint } from './chart-data';
import { formatMetric } from './format';
import { modelColours, renderChart, type Panel } from './plot';
import { modelOrder } from './tables';
import type { Results } from './types';

/**
 * Width of every chart, in pixels (the page's content column).
 *
 * @example
 * ```ts
 * streamChart(results).includes(`width="${CHART_WIDTH}"`); // true
 * ```
 */
export const CHART_WIDTH = 760;

const uniq = <T>(xs: T[]) => Array.from(new Set(xs));

/** The legend and the colour scale of the models drawn, in report order. */
function colours(results: Results, drawn: string[]) {
  const all = modelColours(modelOrder(results));
  const models = modelOrder(results).filter((m) => drawn.includes(m));
  const range = models.map((m) => all.get(m) as string);
  return { legend: models.map((m, i) => ({ label: m, colour: range[i] })), scale: { type: 'ordinal' as const, domain: models, range } };
}

/** Integer ticks at the data's x values when there are few of them (blocks, epochs). */
function xTicks(rows: { x: number }[]): number[] | undefined {
  const xs = uniq(rows.map((r) => r.x)).sort((a, b) => a - b);
  return xs.length <= 12 && xs.every(Number.isInteger) ? xs : undefined;
}

/** One panel of mean lines in ± std bands, one column per facet. */
function bandPanel(rows: BandPoint[], scale: Plot.ScaleOptions, opts: { height: number; x: string; y: string; extra?: Plot.Markish[]; markers?: boolean }): Panel {
  const facets = uniq(rows.map((r) => r.facet));
  const ticks = xTicks(rows);
  return {
    height: opts.height,
    options: {
      marginLeft: 56,
      marginRight: 16,
      marginTop: facets.length > 1 || facets[0] !== '' ? 24 : 12,
      marginBottom: 40,
      grid: true,
      color: scale,
      fx: { domain: facets, label: null, paddingInner: facets.length > 1 ? 0.1 : 0, paddingOuter: 0 },
      x: { label: opts.x, labelAnchor: 'center', labelArrow: 'none', ...(ticks ? { ticks, tickFormat: 'd' } : {}) },
      y: { label: opts.y, labelArrow: 'none', zero: opts.y !== 'loss', nice: true },
      marks: [
        Plot.areaY(rows, { fx: 'facet', x: 'x', y1: 'lo', y2: 'hi', fill: 'model', fillOpacity: 0.16, className: 'band' }),
        Plot.lineY(rows, { fx: 'facet', x: 'x', y: 'mean', stroke: 'model', strokeWidth: 2, marker: opts.markers ? 'circle' : undefined, className: 'series' }),
        ...(opts.extra ?? []),
      ],
    },
  };
}

/**
 * `charts/summary.svg`: HR and NDCG at the headline cut-off per model, one row of panels per
 * evaluation; a dot at the mean over seeds, a bar from mean − std to mean + std, the mean written
 * beside it. The numbers of the summary tables.
 *
 * @example
 * ```ts
 * writeFileSync('charts/summary.svg', summaryChart(results));
 * ```
 */
export function summaryChart(results: Results): string {
  const rows = summaryPoints(results);
  const models = uniq(rows.map((r) => r.model));
  const evaluations = uniq(rows.map((r) => r.evaluation));
  const { legend, scale } = colours(results, models);
  const rowHeight = models.length * 20 + 16;
  const label = (d: (typeof rows)[number]) => `${d.model}, ${d.evaluation}, ${d.metric}: ${formatMetric(d.mean)} ± ${formatMetric(d.std)} (${d.n} seeds)`;
  const panel: Panel = {
    height: evaluations.length * rowHeight + 64,
    options: {
      marginLeft: Math.max(60, 16 + 7 * Math.max(...models.map((m) => m.length))),
      marginRight: 96,
      marginTop: 24,
      marginBottom: 40,
      color: scale,
      fx: { label: null, paddingInner: 0.1, paddingOuter: 0 },
      fy: { domain: evaluations, label: null },
      y: { domain: models, label: null },
      // room on the right of the longest bar for its value
      x: { label: 'mean ± std over seeds', labelAnchor: 'center', labelArrow: 'none', grid: true, nice: true, domain: [Math.min(0, ...rows.map((r) => r.lo)), Math.max(0, ...rows.map((r) => r.hi)) * 1.15] },
      marks: [
        Plot.ruleY(rows, { fx: 'metric', fy: 'evaluation', y: 'model', x1: 'lo', x2: 'hi', stroke: 'model', strokeWidth: 2, className: 'bar' }),
        Plot.dot(rows, { fx: 'metric', fy: 'evaluation', y: 'model', x: 'mean', fill: 'model', r: 4, title: label, className: 'mean' }),
        Plot.text(rows, { fx: 'metric', fy: 'evaluation', y: 'model', x: 'hi', text: (d: (typeof rows)[number]) => formatMetric(d.mean), dx: 6, textAnchor: 'start', fill: '#444' }),
      ],
    },
  };
  return renderChart({
    id: 'chart-summary',
    title: 'Headline metrics (mean ± std over seeds)',
    description: `Per evaluation (${evaluations.join(', ') || 'none'}) and model: the mean over seeds as a dot, ± one standard deviation as a bar.`,
    width: CHART_WIDTH,
    legend,
    panels: rows.length > 0 ? [panel] : [],
    emptyMessage: 'no summary metrics',
  });
}

/**
 * `charts/stream.svg`: stream HR and NDCG per block (prequential: each block scored before the
 * model saw it), one panel per metric, the mean over seeds in a band of ± one std.
 *
 * @example
 * ```ts
 * writeFileSync('charts/stream.svg', streamChart(results));
 * ```
 */
export function streamChart(results: Results): string {
  const rows = streamBands(results);
  const { legend, scale } = colours(results, uniq(rows.map((r) => r.model)));
  return renderChart({
    id: 'chart-stream',
    title: 'Stream metrics per block (mean ± std over seeds)',
    description: `Prequential stream evaluation: ${uniq(rows.map((r) => r.facet)).join(' and ') || 'no metric'} of each block, scored before the model saw it; one line per model at the mean over seeds, the band ± one standard deviation.`,
    width: CHART_WIDTH,
    legend,
    panels: rows.length > 0 ? [bandPanel(rows, scale, { height: 320, x: 'block', y: 'mean ± std over seeds', markers: true })] : [],
    emptyMessage: 'no stream-protocol runs',
  });
}

/**
 * `charts/learning-curves.svg`: per epoch, the mean training loss (top) and, with early
 * stopping, the validation metric (below, a ring at each seed's kept epoch); one column per
 * protocol, the mean over seeds in a band of ± one std.
 *
 * @example
 * ```ts
 * writeFileSync('charts/learning-curves.svg', learningCurvesChart(results));
 * ```
 */
export function learningCurvesChart(results: Results): string {
  const loss = epochBands(results, 'loss');
  const valid = epochBands(results, 'valid');
  const best = bestEpochs(results);
  const { legend, scale } = colours(results, uniq([...loss, ...valid].map((r) => r.model)));
  const panels: Panel[] = [];
  if (loss.length > 0) panels.push(bandPanel(loss, scale, { height: 260, x: 'epoch', y: 'training loss', markers: true }));
  if (valid.length > 0) {
    const rings = Plot.dot(best, { fx: 'facet', x: 'x', y: 'y', stroke: 'model', fill: 'white', r: 5, strokeWidth: 1.5, title: (d: (typeof best)[number]) => `${d.model} seed ${d.seed}: kept epoch ${d.x}`, className: 'best' });
    panels.push(bandPanel(valid, scale, { height: 260, x: 'epoch', y: 'validation metric', markers: true, extra: [rings] }));
  }
  return renderChart({
    id: 'chart-learning',
    title: 'Learning curves per epoch (mean ± std over seeds)',
    description: 'Per protocol and model: the mean training loss of each epoch and, with early stopping, the validation metric of each epoch (rings: the epoch each seed kept); lines at the mean over seeds, bands ± one standard deviation.',
    width: CHART_WIDTH,
    legend,
    panels,
    emptyMessage: 'no learning curves recorded',
  });
}

/**
 * `charts/loss.svg`: the training loss against events seen, one column per protocol, the mean
 * over seeds in a band of ± one std.
 *
 * @example
 * ```ts
 * writeFileSync('charts/loss.svg', lossChart(results));
 * ```
 */
export function lossChart(results: Results): string {
  const rows = stepLossBands(results);
  const { legend, scale } = colours(results, uniq(rows.map((r) => r.model)));
  return renderChart({
    id: 'chart-loss',
    title: 'Training loss against events seen (mean ± std over seeds)',
    description: 'Per protocol and model: the training loss logged during training against the number of training events seen; lines at the mean over seeds, bands ± one standard deviation.',
    width: CHART_WIDTH,
    legend,
    panels: rows.length > 0 ? [bandPanel(rows, scale, { height: 300, x: 'events seen', y: 'loss' })] : [],
    emptyMessage: 'no loss curves logged',
  });
}

/**
 * Every chart of the report, by the file it is written to (relative to the output directory).
 *
 * @example
 * ```ts
 * for (const [file, chart] of Object.entries(CHARTS)) writeFileSync(path.join(out, file), chart(results));
 * ```
 */
export const CHARTS = {
  'charts/summary.svg': summaryChart,
  'charts/stream.svg': streamChart,
  'charts/learning-curves.svg': learningCurvesChart,
  'charts/loss.svg': lossChart,
} as const;
