import type { EvaluationSetup } from './common';
import { VERSION } from './version';

/** Input of {@link protocolCard}. */
export interface ProtocolCardInput {
  dataset: { name: string; numUsers: number; numItems: number; numInteractions: number; source?: string };
  /** Split name (`leave-last-out`, `stratified-ratio`, `temporal`, `stream` ...) and its parameters. */
  split: { name: string; params?: Record<string, string | number | boolean> };
  /** What the evaluator reported (`result.setup`). */
  evaluation: EvaluationSetup;
  seeds: number[];
  backend: string;
  /** Package versions, e.g. `{ '@memrec/core': '0.1.0' }` (@memrec/eval is added). */
  versions?: Record<string, string>;
  model?: string;
}

/** Everything needed to repeat a result; see {@link renderProtocolCard}. */
export interface ProtocolCard extends ProtocolCardInput {
  dataset: ProtocolCardInput['dataset'] & { density: number };
  versions: Record<string, string>;
}

/**
 * Builds the protocol card that travels with every result: dataset and its statistics, split and
 * its parameters, candidate set, seen-item filtering, tie rule, k, seeds, backend, versions.
 * Validates that nothing is missing.
 *
 * @example
 * ```ts
 * const card = protocolCard({ dataset: { name: 'ml-1m', numUsers: 6040, numItems: 3706, numInteractions: 1000209 },
 *   split: { name: 'leave-last-out' }, evaluation: result.setup, seeds: [1, 2, 3], backend: 'wasm' });
 * console.log(renderProtocolCard(card, 'markdown'));
 * ```
 */
export function protocolCard(input: ProtocolCardInput): ProtocolCard {
  const fn = 'protocolCard';
  const d = input?.dataset;
  if (!d || typeof d.name !== 'string' || d.name === '') throw new Error(`${fn}: dataset.name must be a non-empty string, got ${JSON.stringify(d?.name)}`);
  for (const key of ['numUsers', 'numItems', 'numInteractions'] as const) {
    if (!Number.isInteger(d[key]) || d[key] < 1) throw new Error(`${fn}: dataset.${key} must be an integer >= 1, got ${d[key]}`);
  }
  if (!input.split || typeof input.split.name !== 'string' || input.split.name === '') throw new Error(`${fn}: split.name must be a non-empty string, got ${JSON.stringify(input.split?.name)}`);
  if (!input.evaluation || typeof input.evaluation.protocol !== 'string') throw new Error(`${fn}: evaluation must be an evaluator's result.setup, got ${typeof input.evaluation}`);
  if (!Array.isArray(input.seeds) || input.seeds.length === 0 || !input.seeds.every(Number.isFinite)) throw new Error(`${fn}: seeds must be a non-empty array of numbers, got ${JSON.stringify(input.seeds)}`);
  if (typeof input.backend !== 'string' || input.backend === '') throw new Error(`${fn}: backend must be a non-empty string, got ${JSON.stringify(input.backend)}`);
  const density = d.numInteractions / (d.numUsers * d.numItems);
  return { ...input, dataset: { ...d, density }, versions: { '@memrec/eval': VERSION, ...(input.versions ?? {}) } };
}

function params(p: Record<string, string | number | boolean> | undefined): string {
  const entries = Object.entries(p ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : 'none';
}

/**
 * Renders a protocol card as markdown (a table) or JSON (pretty-printed).
 *
 * @example
 * ```ts
 * fs.writeFileSync('card.md', renderProtocolCard(card, 'markdown'));
 * ```
 */
export function renderProtocolCard(card: ProtocolCard, format: 'markdown' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(card, null, 2)}\n`;
  if (format !== 'markdown') throw new Error(`renderProtocolCard: format must be "markdown" or "json", got ${JSON.stringify(format)}`);
  const d = card.dataset;
  const e = card.evaluation;
  const rows: [string, string][] = [
    ['model', card.model ?? 'n/a'],
    ['dataset', `${d.name}${d.source ? ` (${d.source})` : ''}: ${d.numUsers} users, ${d.numItems} items, ${d.numInteractions} interactions, density ${(d.density * 100).toFixed(3)} %`],
    ['split', `${card.split.name} (${params(card.split.params)})`],
    ['protocol', e.protocol],
    ['candidates', e.candidates],
    ['seen-item filtering', e.seenFiltering],
    ...(e.scored ? ([['scored', e.scored]] as [string, string][]) : []),
    ['ties', e.tieBreak],
    ['k', e.k.join(', ')],
    ['evaluator parameters', params(e.params)],
    ['seeds', card.seeds.join(', ')],
    ['backend', card.backend],
    ['versions', Object.entries(card.versions).map(([k, v]) => `${k} ${v}`).join(', ')],
  ];
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return `| field | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${esc(v)} |`).join('\n')}\n`;
}
