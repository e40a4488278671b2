/**
 * Writes every report of a benchmark run into its output directory, each file atomically.
 */
import { writeFileAtomic } from '@memrec/core/node';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CHARTS } from './charts';
import { renderCsv } from './csv';
import { renderHtml, type HtmlChart } from './html';
import { renderMarkdown } from './markdown';
import type { Results } from './types';

/**
 * Paths of the report files, relative to the output directory, in the order they are written.
 *
 * @example
 * ```ts
 * REPORT_FILES.filter((f) => f.endsWith('.svg')); // ['charts/summary.svg', 'charts/stream.svg', 'charts/learning-curves.svg', 'charts/loss.svg']
 * ```
 */
export const REPORT_FILES = [
  'results.json', 'results.md', 'results.csv',
  'charts/summary.svg', 'charts/stream.svg', 'charts/learning-curves.svg', 'charts/loss.svg',
  'index.html',
] as const;

type ChartFile = keyof typeof CHARTS;

/** The caption of each chart in `index.html`. */
const CAPTIONS: Record<ChartFile, string> = {
  'charts/summary.svg': 'HR and NDCG at the headline cut-off per evaluation and model: mean over seeds (dot) ± one standard deviation (bar).',
  'charts/stream.svg': 'Stream HR and NDCG per block (prequential), mean over seeds with a ± one standard deviation band.',
  'charts/learning-curves.svg': 'Training loss and validation metric per epoch, mean over seeds with a ± one standard deviation band; rings mark the epoch each seed kept.',
  'charts/loss.svg': 'Training loss against events seen, mean over seeds with a ± one standard deviation band.',
};

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the parts of `results` that the writers rely on, and throws an error naming the field,
 * the rule and the value found: `writeReports: results.runs[1].seed must be a finite number, got "x"`.
 *
 * @example
 * ```ts
 * validateResults('writeReports', JSON.parse(await readFile('results.json', 'utf8')));
 * ```
 */
export function validateResults(fn: string, results: unknown): asserts results is Results {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new Error(`${fn}: results${field} ${rule}, got ${show(value)}`);
  };
  if (!isRecord(results)) fail('', 'must be an object', results);
  const r = results as Record<string, unknown>;
  if (r.version !== 1) fail('.version', 'must be 1', r.version);
  if (typeof r.cardMarkdown !== 'string') fail('.cardMarkdown', 'must be a string', r.cardMarkdown);
  for (const key of ['createdAt', 'command', 'backend']) if (typeof r[key] !== 'string') fail(`.${key}`, 'must be a string', r[key]);
  for (const key of ['versions', 'card', 'summary']) if (!isRecord(r[key])) fail(`.${key}`, 'must be an object', r[key]);
  if (!Array.isArray(r.runs)) fail('.runs', 'must be an array', r.runs);
  if (!Array.isArray(r.comparisons)) fail('.comparisons', 'must be an array', r.comparisons);
  (r.runs as unknown[]).forEach((run, i) => {
    const at = `.runs[${i}]`;
    if (!isRecord(run)) return fail(at, 'must be an object', run);
    if (typeof run.model !== 'string' || run.model === '') fail(`${at}.model`, 'must be a non-empty string', run.model);
    if (typeof run.seed !== 'number' || !Number.isFinite(run.seed)) fail(`${at}.seed`, 'must be a finite number', run.seed);
    if (typeof run.protocol !== 'string') fail(`${at}.protocol`, 'must be a string', run.protocol);
    if (!isRecord(run.metrics)) fail(`${at}.metrics`, 'must be an object', run.metrics);
    for (const [evaluation, m] of Object.entries(run.metrics as object)) if (!isRecord(m)) fail(`${at}.metrics.${evaluation}`, 'must be an object', m);
    if (!Array.isArray(run.loss)) fail(`${at}.loss`, 'must be an array', run.loss);
    if (run.streamBlocks !== undefined && !Array.isArray(run.streamBlocks)) fail(`${at}.streamBlocks`, 'must be an array when present', run.streamBlocks);
  });
  for (const [model, evals] of Object.entries(r.summary as object)) {
    if (!isRecord(evals)) fail(`.summary.${model}`, 'must be an object', evals);
    for (const [evaluation, metrics] of Object.entries(evals as object)) {
      if (!isRecord(metrics)) fail(`.summary.${model}.${evaluation}`, 'must be an object', metrics);
      for (const [metric, s] of Object.entries(metrics as object)) {
        if (!isRecord(s) || typeof s.mean !== 'number' || typeof s.std !== 'number' || !Array.isArray(s.ci95)) {
          fail(`.summary.${model}.${evaluation}.${metric}`, 'must be { mean, std, ci95, n }', s);
        }
      }
    }
  }
}

/**
 * `JSON.stringify(value, null, 2) + '\n'`, produced one top-level key at a time, so a large
 * results file is streamed rather than built as one string.
 *
 * @example
 * ```ts
 * Array.from(prettyJsonChunks({ a: 1, b: [2] })).join(''); // '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n'
 * ```
 */
export function* prettyJsonChunks(value: object): Generator<string> {
  const entries = Object.entries(value);
  let first = true;
  yield '{';
  for (const [key, v] of entries) {
    const text = JSON.stringify(v, null, 2);
    if (text === undefined) continue;
    yield `${first ? '' : ','}\n  ${JSON.stringify(key)}: ${text.replace(/\n/g, '\n  ')}`;
    first = false;
  }
  yield first ? '}\n' : '\n}\n';
}

/**
 * Writes the reports of a benchmark run into `outDir` (created if missing): `results.json`,
 * `results.md`, `results.csv`, four charts (`charts/summary.svg`, `stream.svg`,
 * `learning-curves.svg`, `loss.svg`) and `index.html`. Each
 * file is written atomically (temporary file in the same directory, then rename), so an existing
 * report is replaced whole or left untouched, never half-written. Resolves to the absolute paths
 * written, in {@link REPORT_FILES} order.
 *
 * @example
 * ```ts
 * const { files } = await writeReports(results, 'runs/2024-05-01T12-00-00');
 * console.log(files.join('\n')); // .../results.json, .../results.md, ..., .../index.html
 * ```
 */
export async function writeReports(results: Results, outDir: string): Promise<{ files: string[] }> {
  if (typeof outDir !== 'string' || outDir.trim() === '') {
    throw new Error(`writeReports: outDir must be a non-empty directory path, got ${show(outDir)}`);
  }
  validateResults('writeReports', results);
  const root = path.resolve(outDir);
  await fs.mkdir(path.join(root, 'charts'), { recursive: true });
  const charts: HtmlChart[] = (Object.keys(CHARTS) as ChartFile[]).map((file) => ({ file, svg: CHARTS[file](results), caption: CAPTIONS[file] }));
  const svgOf = (file: ChartFile) => () => (charts.find((c) => c.file === file) as HtmlChart).svg;
  const contents: Record<(typeof REPORT_FILES)[number], () => string | Iterable<string>> = {
    'results.json': () => prettyJsonChunks(results),
    'results.md': () => renderMarkdown(results),
    'results.csv': () => renderCsv(results),
    'charts/summary.svg': svgOf('charts/summary.svg'),
    'charts/stream.svg': svgOf('charts/stream.svg'),
    'charts/learning-curves.svg': svgOf('charts/learning-curves.svg'),
    'charts/loss.svg': svgOf('charts/loss.svg'),
    'index.html': () => renderHtml(results, charts),
  };
  const files: string[] = [];
  for (const name of REPORT_FILES) {
    const file = path.join(root, name);
    writeFileAtomic(file, contents[name]());
    files.push(file);
  }
  return { files };
}
