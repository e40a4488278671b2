/**
 * Report writers of the benchmark: `results.json`, `results.md`, `results.csv`, SVG charts and a
 * self-contained `index.html`, all from one `Results` object.
 */
export type { Results, RunResult, Summary, StreamBlock, Comparison } from './types';
export { writeReports, validateResults, prettyJsonChunks, REPORT_FILES } from './write';
export { renderMarkdown, meanStdCell } from './markdown';
export { renderCsv, csvField, CSV_HEADER } from './csv';
export { renderHtml, type HtmlCharts } from './html';
export { markdownToHtml } from './md-html';
export { streamHrChart, lossChart, streamSeries, lossSeries } from './charts';
export { lineChartSvg, niceTicks, formatTick, PALETTE, type LineChartSpec, type LineSeries } from './svg';
export { summaryTables, performanceRows, modelOrder, type SummaryTable, type SummaryCell, type PerformanceRow } from './tables';
export { formatMetric, formatNumber, formatPValue, escapeHtml, escapeMarkdownCell, sortMetrics, sortEvaluations, lowerIsBetter } from './format';
