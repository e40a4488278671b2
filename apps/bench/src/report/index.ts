/**
 * Report writers of the benchmark: `results.json`, `results.md`, `results.csv`, SVG charts and a
 * self-contained `index.html`, all from one `Results` object.
 */
export type { Results, RunResult, Summary, StreamBlock, Comparison } from './types';
export { writeReports, validateResults, prettyJsonChunks, REPORT_FILES } from './write';
export { renderMarkdown, meanStdCell } from './markdown';
export { renderCsv, csvField, CSV_HEADER } from './csv';
export { renderHtml, type HtmlChart } from './html';
export { renderCardHtml, cardValueText } from './card-html';
export { summaryChart, streamChart, learningCurvesChart, lossChart, CHARTS, CHART_WIDTH } from './charts';
export { streamBands, epochBands, bestEpochs, stepLossBands, summaryPoints, chartMetrics, meanStd, type BandPoint, type SummaryPoint } from './chart-data';
export { renderChart, serializeXml, modelColours, PALETTE, type ChartSpec, type Panel, type XmlNode } from './plot';
export { summaryTables, performanceRows, learningCurveRows, modelOrder, type SummaryTable, type SummaryCell, type PerformanceRow, type LearningCurveRow } from './tables';
export { formatMetric, formatNumber, formatPValue, escapeHtml, escapeMarkdownCell, sortMetrics, sortEvaluations, lowerIsBetter } from './format';
