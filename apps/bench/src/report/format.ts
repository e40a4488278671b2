/**
 * Number formatting, escaping and ordering rules shared by the report writers, so that the
 * markdown, HTML and chart outputs agree on how a value is shown.
 */

/**
 * Formats a metric value with four decimals (`0.35` -> `0.3500`); non-finite values as `n/a`.
 *
 * @example
 * ```ts
 * formatMetric(0.35); // '0.3500'
 * ```
 */
export function formatMetric(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : 'n/a';
}

/**
 * Formats a rate or count for humans: thousands separators, no decimals from 100 up,
 * three significant digits below (`12345.6` -> `12,346`, `3.14159` -> `3.14`); missing as `–`.
 *
 * @example
 * ```ts
 * formatNumber(12345.6); // '12,346'
 * ```
 */
export function formatNumber(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

/**
 * Formats a p-value: three significant digits, `< 0.001` below that.
 *
 * @example
 * ```ts
 * formatPValue(0.0312); // '0.0312'
 * formatPValue(1e-6);   // '< 0.001'
 * ```
 */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  return p < 0.001 ? '< 0.001' : Number(p.toPrecision(3)).toString();
}

/**
 * Escapes text for HTML element content and attribute values (also safe inside SVG).
 *
 * @example
 * ```ts
 * escapeHtml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Escapes text for a markdown table cell: pipes escaped, newlines turned into spaces.
 *
 * @example
 * ```ts
 * escapeMarkdownCell('a|b'); // 'a\\|b'
 * ```
 */
export function escapeMarkdownCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const EVALUATION_ORDER = ['full', 'sampled-100', 'stream'];

function metricKey(name: string): [string, number] {
  const at = name.lastIndexOf('@');
  if (at < 0) return [name, Number.POSITIVE_INFINITY];
  const k = Number(name.slice(at + 1));
  return [name.slice(0, at), Number.isFinite(k) ? k : Number.POSITIVE_INFINITY];
}

/**
 * Orders metric names by family, then cut-off: `hr@5, hr@10, hr@20, ndcg@5, …, mrr`.
 *
 * @example
 * ```ts
 * sortMetrics(['ndcg@10', 'hr@20', 'hr@5']); // ['hr@5', 'hr@20', 'ndcg@10']
 * ```
 */
export function sortMetrics(names: Iterable<string>): string[] {
  return Array.from(new Set(names)).sort((a, b) => {
    const [fa, ka] = metricKey(a);
    const [fb, kb] = metricKey(b);
    return fa === fb ? ka - kb || a.localeCompare(b) : fa.localeCompare(fb);
  });
}

/**
 * Orders evaluation names: `full`, `sampled-100`, `stream` first, any others alphabetically after.
 *
 * @example
 * ```ts
 * sortEvaluations(['stream', 'custom', 'full']); // ['full', 'stream', 'custom']
 * ```
 */
export function sortEvaluations(names: Iterable<string>): string[] {
  const rank = (n: string) => {
    const i = EVALUATION_ORDER.indexOf(n);
    return i < 0 ? EVALUATION_ORDER.length : i;
  };
  return Array.from(new Set(names)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Whether a smaller value of the metric is better. Ranking metrics (HR, NDCG, MRR, precision,
 * recall, AUC, coverage) are higher-is-better; names containing `loss`, `error` or `latency`,
 * and `rank` / `mean-rank`, are lower-is-better.
 *
 * @example
 * ```ts
 * lowerIsBetter('ndcg@10'); // false
 * lowerIsBetter('loss');    // true
 * lowerIsBetter('rmse');    // true
 * ```
 */
export function lowerIsBetter(metric: string): boolean {
  return /loss|error|latency|^(mean-)?rank$|^(rmse|mae|mse)$/i.test(metric);
}
