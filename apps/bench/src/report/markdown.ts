/**
 * `results.md`: the protocol card, one summary table per evaluation, performance and the
 * paired-test verdicts.
 */
import { escapeMarkdownCell as esc, formatMetric, formatNumber, formatPValue } from './format';
import { learningCurveRows, performanceRows, summaryTables, type SummaryCell, type SummaryTable } from './tables';
import type { Results } from './types';

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header.map(esc)), line(align.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/**
 * The text of a summary cell: `mean ± std`, bold when it is the column's best.
 *
 * @example
 * ```ts
 * meanStdCell({ mean: 0.35, std: 0.0707, ci95: [0, 1], n: 2, best: true }); // '**0.3500 ± 0.0707**'
 * ```
 */
export function meanStdCell(c: SummaryCell | undefined): string {
  if (c === undefined) return '–';
  const text = `${formatMetric(c.mean)} ± ${formatMetric(c.std)}`;
  return c.best ? `**${text}**` : text;
}

function summarySection(t: SummaryTable, title = t.evaluation): string {
  const header = ['model', ...t.metrics];
  const align: ('l' | 'r')[] = ['l', ...t.metrics.map(() => 'r' as const)];
  const main = table(header, align, t.rows.map((r) => [esc(r.model), ...r.cells.map(meanStdCell)]));
  const ci = table(
    [...header, 'n'],
    [...align, 'r'],
    t.rows.map((r) => [
      esc(r.model),
      ...r.cells.map((c) => (c === undefined ? '–' : `[${formatMetric(c.ci95[0])}, ${formatMetric(c.ci95[1])}]`)),
      String(Math.max(0, ...r.cells.map((c) => c?.n ?? 0))),
    ]),
  );
  return [`### ${esc(title)}`, '', main, '', '<details><summary>95 % confidence intervals of the mean</summary>', '', ci, '', '</details>'].join('\n');
}

function performanceSection(results: Results): string {
  const rows = performanceRows(results).map((p) => [
    esc(p.model),
    esc(p.protocol),
    String(p.seeds),
    formatNumber(p.trainSeconds),
    formatNumber(p.trainEventsPerSecond),
    formatNumber(p.observeEventsPerSecond),
    esc(p.observeMode ?? '–'),
    formatNumber(p.latencyMedianMs),
    formatNumber(p.latencyP99Ms),
  ]);
  if (rows.length === 0) return '## Performance\n\nNo runs.';
  const header = ['model', 'protocol', 'seeds', 'train s', 'train events/s', 'observe events/s', 'observe', 'recommend median ms', 'recommend p99 ms'];
  return ['## Performance', '', 'Means over seeds. Recommend latency: `recommend(user, 10)` over the whole catalogue.', '', table(header, ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'r', 'r'], rows)].join('\n');
}

function comparisonsSection(results: Results): string {
  if (results.comparisons.length === 0) return '## Paired tests\n\nNo paired comparisons in this run.';
  const rows = results.comparisons.map((c) => [
    esc(c.verdict),
    esc(`${c.a} vs ${c.b}`),
    esc(c.evaluation),
    esc(c.metric),
    esc(c.test),
    formatNumber(c.statistic),
    formatPValue(c.pValue),
    formatMetric(c.meanDiff),
  ]);
  const header = ['verdict', 'pair (a vs b)', 'evaluation', 'metric', 'test', 'statistic', 'p', 'mean a − b'];
  return ['## Paired tests', '', table(header, ['l', 'l', 'l', 'l', 'l', 'r', 'r', 'r'], rows)].join('\n');
}

/** Per run with a learning curve: epochs run, the best epoch and its validation metric (early stopping). */
function learningCurvesSection(results: Results): string {
  const rows = learningCurveRows(results).map((r) => [
    esc(r.model), esc(r.protocol), String(r.seed), String(r.epochs),
    r.bestEpoch !== undefined ? String(r.bestEpoch) : 'n/a',
    r.validAtBest !== undefined ? r.validAtBest.toFixed(4) : 'n/a',
    `${r.firstLoss.toFixed(4)} -> ${r.lastLoss.toFixed(4)}`,
  ]);
  if (rows.length === 0) return '';
  const header = ['model', 'protocol', 'seed', 'epochs run', 'best epoch', 'validation at best', 'loss first -> last'];
  return ['## Learning curves', '', 'Per epoch: mean training loss and, with `--early-stopping`, the validation metric (every point is in `results.json`, `runs[].curve`).', '', table(header, ['l', 'l', 'r', 'r', 'r', 'r', 'l'], rows)].join('\n');
}

/** Cells of a queued run that kept failing, with their last error (only when there are some). */
function failedCellsSection(results: Results): string {
  const failed = results.failedCells ?? [];
  if (failed.length === 0) return '';
  const rows = failed.map((f) => [esc(f.variant), esc(f.protocol), String(f.seed), esc(f.error)]);
  return ['## Failed cells', '', `${failed.length} cell(s) kept failing on the queue and are missing from the tables above.`, '', table(['model', 'protocol', 'seed', 'last error'], ['l', 'l', 'r', 'l'], rows)].join('\n');
}

function environmentSection(results: Results): string {
  const versions = Object.entries(results.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  const q = results.queue;
  return [
    '## Environment',
    '',
    `- created: ${results.createdAt}`,
    `- command: \`${results.command.replace(/`/g, "'")}\``,
    `- backend: ${results.backend}`,
    `- versions: ${versions || '–'}`,
    ...(q ? [`- queue: ${q.url}, grid ${q.grid}, data ${q.checksum}, ${q.cells.length} cells on ${new Set(q.cells.map((c) => c.worker)).size} worker(s)`] : []),
  ].join('\n');
}

/**
 * Renders `results.md`: the protocol card (`results.cardMarkdown`) on top, then per evaluation a
 * table of `mean ± std` over seeds (rows = models, columns = metrics, the best value per column in
 * bold) with the 95 % intervals in a collapsible table below it, then performance, the paired-test
 * verdicts and the environment.
 *
 * @example
 * ```ts
 * const md = renderMarkdown(results);
 * md.includes('| nmrn | **0.3500 ± 0.0707** |'); // true for a best HR@10 of 0.30 and 0.40 over two seeds
 * ```
 */
export function renderMarkdown(results: Results): string {
  const tables = summaryTables(results);
  // every metric at every k, for evaluations whose cut-offs are more than the headline table shows
  const everyK = summaryTables(results, { everyK: true }).filter((t) => t.metrics.length > (tables.find((h) => h.evaluation === t.evaluation)?.metrics.filter((m) => /@\d+$/.test(m)).length ?? 0));
  const summary =
    tables.length === 0
      ? 'No summary metrics in this run.'
      : [
          'Mean ± standard deviation over seeds; the best value in each column is in **bold**.',
          '',
          ...tables.map((t) => summarySection(t)).flatMap((s) => [s, '']),
          ...everyK.map((t) => summarySection(t, `${t.evaluation}: every metric at every k`)).flatMap((s) => [s, '']),
        ].join('\n').trimEnd();
  return [results.cardMarkdown.trim(), '## Results', 'Every metric at every k is in `results.csv` and `results.json`.', summary, performanceSection(results), learningCurvesSection(results), comparisonsSection(results), failedCellsSection(results), environmentSection(results)].filter((x) => x !== '').join('\n\n') + '\n';
}
