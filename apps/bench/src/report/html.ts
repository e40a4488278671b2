/**
 * `index.html`: one self-contained page (inline CSS, inline SVG, no network) rendered from the
 * run's data: the protocol card, the summary tables, the charts, learning curves, performance
 * and the paired-test verdicts.
 */
import { renderCardHtml } from './card-html';
import { escapeHtml as esc, formatMetric, formatNumber, formatPValue } from './format';
import { learningCurveRows, performanceRows, summaryTables, type SummaryCell } from './tables';
import type { Results } from './types';

/** A chart embedded in the page: its SVG, a caption, and the file it was also written to. */
export interface HtmlChart {
  svg: string;
  caption: string;
  file: string;
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f5f6f8; color: #1f2328; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #57606a; }
section { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 16px 20px; margin-top: 20px; overflow-x: auto; }
section > h2 { margin: 0 0 12px; font-size: 20px; }
h3 { font-size: 16px; margin: 18px 0 8px; }
.card h1, .card h2 { font-size: 17px; margin: 12px 0 6px; }
.card h3, .card h4 { font-size: 15px; margin: 10px 0 4px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
table.card-table td { max-width: 720px; overflow-wrap: anywhere; }
td.options code { display: inline-block; margin: 1px 2px; }
table.splits td:last-child { white-space: nowrap; }
th, td { padding: 5px 10px; border-bottom: 1px solid #e5e8eb; text-align: left; vertical-align: top; }
thead th { background: #f0f2f4; font-weight: 600; border-bottom: 2px solid #d0d7de; }
tbody tr:nth-child(even) { background: #fafbfc; }
td.num, th.num { text-align: right; }
td.num, table.perf td { white-space: nowrap; }
table.perf thead th { max-width: 120px; }
td.best { font-weight: 700; }
.ci { display: block; color: #6e7781; font-size: 12px; font-weight: 400; }
.note { color: #57606a; font-size: 13px; margin: 4px 0 8px; }
.charts { display: grid; grid-template-columns: 1fr; gap: 16px; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e5e8eb; border-radius: 6px; }
figcaption { color: #57606a; font-size: 13px; margin-top: 4px; }
code { background: #f0f2f4; padding: 1px 4px; border-radius: 4px; font-size: 13px; }
ul { margin: 4px 0 8px; padding-left: 22px; }
`;

// Counts chart lines that the browser actually laid out (non-empty bounding box) and records the
// counts on each chart and on <body>, so a headless browser can check that the charts rendered.
const SCRIPT = `
(function () {
  var total = 0;
  var charts = document.querySelectorAll('svg.memrec-chart');
  for (var i = 0; i < charts.length; i++) {
    var n = 0;
    var paths = charts[i].querySelectorAll('g.series path');
    for (var j = 0; j < paths.length; j++) {
      var b = paths[j].getBBox();
      var r = paths[j].getBoundingClientRect();
      if ((b.width > 0 || b.height > 0) && (r.width > 0 || r.height > 0)) n++;
    }
    charts[i].setAttribute('data-rendered-lines', String(n));
    total += n;
  }
  document.body.setAttribute('data-rendered-lines', String(total));
})();
`;

/** A header row; a leading `#` marks a numeric (right-aligned) column. */
function headRow(names: string[]): string {
  return `<tr>${names.map((n) => (n.startsWith('#') ? `<th scope="col" class="num">${esc(n.slice(1))}</th>` : `<th scope="col">${esc(n)}</th>`)).join('')}</tr>`;
}

function numCell(text: string, extra = ''): string {
  return `<td class="num${extra}">${text}</td>`;
}

function summaryCell(c: SummaryCell | undefined): string {
  if (c === undefined) return numCell('–');
  const ci = `95 % CI [${formatMetric(c.ci95[0])}, ${formatMetric(c.ci95[1])}], n = ${c.n}`;
  return `<td class="num${c.best ? ' best' : ''}" title="${esc(ci)}">${formatMetric(c.mean)} ± ${formatMetric(c.std)}<span class="ci">[${formatMetric(c.ci95[0])}, ${formatMetric(c.ci95[1])}]</span></td>`;
}

function summarySection(results: Results): string {
  const tables = summaryTables(results);
  if (tables.length === 0) return '<section id="results"><h2>Results</h2><p>No summary metrics in this run.</p></section>';
  const body = tables.map((t) => {
    const head = `<tr><th scope="col">model</th>${t.metrics.map((m) => `<th scope="col" class="num">${esc(m)}</th>`).join('')}</tr>`;
    const rows = t.rows.map((r) => `<tr><th scope="row">${esc(r.model)}</th>${r.cells.map(summaryCell).join('')}</tr>`).join('\n');
    return `<h3>${esc(t.evaluation)}</h3>\n<table class="summary" data-evaluation="${esc(t.evaluation)}"><thead>${head}</thead><tbody>\n${rows}\n</tbody></table>`;
  });
  return [
    '<section id="results"><h2>Results</h2>',
    '<p class="note">Mean ± standard deviation over seeds, 95 % confidence interval of the mean below; the best value in each column in bold.</p>',
    ...body,
    '</section>',
  ].join('\n');
}

function performanceSection(results: Results): string {
  const rows = performanceRows(results)
    .map(
      (p) =>
        `<tr><th scope="row">${esc(p.model)}</th><td>${esc(p.protocol)}</td>${numCell(String(p.seeds))}${numCell(formatNumber(p.trainSeconds))}` +
        `${numCell(formatNumber(p.trainEventsPerSecond))}${numCell(formatNumber(p.observeEventsPerSecond))}<td>${esc(p.observeMode ?? '–')}</td>` +
        `${numCell(formatNumber(p.latencyMedianMs))}${numCell(formatNumber(p.latencyP99Ms))}</tr>`,
    )
    .join('\n');
  const head =
    headRow(['model', 'protocol', '#seeds', '#train s', '#train events/s', '#observe events/s', 'observe', '#recommend median ms', '#recommend p99 ms']);
  return [
    '<section id="performance"><h2>Performance</h2>',
    '<p class="note">Means over seeds. Recommend latency: <code>recommend(user, 10)</code> over the whole catalogue.</p>',
    rows ? `<table class="perf"><thead>${head}</thead><tbody>\n${rows}\n</tbody></table>` : '<p>No runs.</p>',
    '</section>',
  ].join('\n');
}

function comparisonsSection(results: Results): string {
  if (results.comparisons.length === 0) return '<section id="tests"><h2>Paired tests</h2><p>No paired comparisons in this run.</p></section>';
  const rows = results.comparisons
    .map(
      (c) =>
        `<tr><td>${esc(c.verdict)}</td><td>${esc(c.a)} vs ${esc(c.b)}</td><td>${esc(c.evaluation)}</td><td>${esc(c.metric)}</td><td>${esc(c.test)}</td>` +
        `${numCell(formatNumber(c.statistic))}${numCell(esc(formatPValue(c.pValue)))}${numCell(formatMetric(c.meanDiff))}</tr>`,
    )
    .join('\n');
  const head =
    headRow(['verdict', 'pair (a vs b)', 'evaluation', 'metric', 'test', '#statistic', '#p', '#mean a − b']);
  return `<section id="tests"><h2>Paired tests</h2>\n<table><thead>${head}</thead><tbody>\n${rows}\n</tbody></table>\n</section>`;
}

function learningCurvesSection(results: Results): string {
  const rows = learningCurveRows(results)
    .map(
      (r) =>
        `<tr><th scope="row">${esc(r.model)}</th><td>${esc(r.protocol)}</td>${numCell(String(r.seed))}${numCell(String(r.epochs))}` +
        `${numCell(r.bestEpoch !== undefined ? String(r.bestEpoch) : 'n/a')}${numCell(r.validAtBest !== undefined ? formatMetric(r.validAtBest) : 'n/a')}` +
        `${numCell(`${formatMetric(r.firstLoss)} → ${formatMetric(r.lastLoss)}`)}</tr>`,
    )
    .join('\n');
  if (rows === '') return '';
  const head = headRow(['model', 'protocol', '#seed', '#epochs run', '#best epoch', '#validation at best', '#loss first → last']);
  return [
    '<section id="learning"><h2>Learning curves</h2>',
    '<p class="note">Per run: epochs trained and, with early stopping, the epoch kept and its validation metric (every epoch is in <code>results.json</code>, <code>runs[].curve</code>, and in the learning-curves chart).</p>',
    `<table class="learning"><thead>${head}</thead><tbody>\n${rows}\n</tbody></table>`,
    '</section>',
  ].join('\n');
}

function environmentSection(results: Results): string {
  const versions = Object.entries(results.versions).map(([k, v]) => `<li><code>${esc(k)}</code> ${esc(v)}</li>`).join('');
  return [
    '<section id="environment"><h2>Environment</h2>',
    `<p>Backend <strong>${esc(results.backend)}</strong>, created ${esc(results.createdAt)}.</p>`,
    `<p>Command: <code>${esc(results.command)}</code></p>`,
    versions ? `<ul>${versions}</ul>` : '',
    results.queue ? `<p>Queue ${esc(results.queue.url)}, grid <code>${esc(results.queue.grid)}</code>, data <code>${esc(results.queue.checksum)}</code>, ${results.queue.cells.length} cells on ${new Set(results.queue.cells.map((c) => c.worker)).size} worker(s).</p>` : '',
    results.failedCells?.length
      ? `<p>Cells that kept failing (missing from the tables):</p><ul class="failed">${results.failedCells.map((f) => `<li>${esc(`${f.variant} | ${f.protocol} | seed ${f.seed}`)}: ${esc(f.error)}</li>`).join('')}</ul>`
      : '',
    '</section>',
  ].join('\n');
}

function chartsSection(charts: HtmlChart[]): string {
  const figures = charts.map((c) => {
    const id = /<svg [^>]*\bid="([^"]+)"/.exec(c.svg)?.[1] ?? 'chart';
    return `<figure id="fig-${esc(id)}">\n${c.svg.trim()}\n<figcaption>${esc(c.caption)} (also in <code>${esc(c.file)}</code>)</figcaption>\n</figure>`;
  });
  return ['<section id="charts"><h2>Charts</h2>', '<div class="charts">', ...figures, '</div>', '</section>'].join('\n');
}

/** Lines drawn: the paths inside the charts' `<g class="series">` groups. */
function lineCount(charts: HtmlChart[]): number {
  let n = 0;
  for (const c of charts) for (const g of c.svg.matchAll(/<g [^>]*class="series"[^>]*>([\s\S]*?)<\/g>/g)) n += (g[1].match(/<path /g) ?? []).length;
  return n;
}

/**
 * Renders `index.html` from the run's data: a self-contained page (no external resources; a
 * Content-Security-Policy forbids loading any) with the protocol card (from `results.card`), the
 * summary tables, the charts inline (each an accessible `<svg role="img">` with a title and a
 * description), learning curves, performance, the paired tests and the environment. A small
 * inline script records on `<body>` (and on each chart) how many chart lines the browser laid
 * out, as `data-rendered-lines`; `<body data-chart-lines>` holds how many were drawn.
 *
 * @example
 * ```ts
 * const html = renderHtml(results, [{ svg: streamChart(results), caption: 'Stream HR and NDCG per block', file: 'charts/stream.svg' }]);
 * writeFileAtomic('runs/x/index.html', html);
 * ```
 */
export function renderHtml(results: Results, charts: HtmlChart[]): string {
  const title = `memrec benchmark · ${results.createdAt}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body data-chart-lines="${lineCount(charts)}">
<main>
<header><h1>memrec benchmark results</h1><p>${esc(results.createdAt)} · backend ${esc(results.backend)} · ${results.runs.length} runs</p></header>
<section id="protocol" class="card"><h2>Protocol card</h2>
${renderCardHtml(results.card)}
</section>
${summarySection(results)}
${chartsSection(charts)}
${learningCurvesSection(results)}
${performanceSection(results)}
${comparisonsSection(results)}
${environmentSection(results)}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
