/**
 * `results.csv`: one row per run × evaluation × metric, in long format for spreadsheets and
 * data-frame tools.
 */
import { sortEvaluations, sortMetrics } from './format';
import type { Results } from './types';

/** The header of `results.csv`. */
export const CSV_HEADER = ['model', 'seed', 'protocol', 'evaluation', 'metric', 'value'] as const;

/**
 * Quotes one CSV field per RFC 4180: fields holding a comma, a double quote, a carriage return
 * or a newline (or starting/ending with a space) are wrapped in double quotes, inner quotes doubled.
 *
 * @example
 * ```ts
 * csvField('plain');  // 'plain'
 * csvField('a,"b"');  // '"a,""b"""'
 * ```
 */
export function csvField(value: string | number): string {
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Renders `results.csv`: the header `model,seed,protocol,evaluation,metric,value`, then one row per
 * run × evaluation × metric (runs in file order, evaluations and metrics in report order), values
 * at full precision (non-finite values as an empty field), CRLF line ends as RFC 4180 asks.
 *
 * @example
 * ```ts
 * renderCsv(results).split('\r\n')[1]; // 'nmrn,1,leave-last-out,full,hr@10,0.3'
 * ```
 */
export function renderCsv(results: Results): string {
  const lines = [CSV_HEADER.join(',')];
  for (const run of results.runs) {
    for (const evaluation of sortEvaluations(Object.keys(run.metrics))) {
      const metrics = run.metrics[evaluation];
      for (const metric of sortMetrics(Object.keys(metrics))) {
        lines.push([run.model, run.seed, run.protocol, evaluation, metric, metrics[metric]].map(csvField).join(','));
      }
    }
  }
  return lines.join('\r\n') + '\r\n';
}
