/**
 * The protocol card as HTML, rendered from `results.card` (the card's data, not its markdown):
 * the dataset, every model's options, one table per evaluation (the rows of @memrec/eval's
 * protocol card), the split checks and the run's settings. Keys it does not know are listed
 * generically, so a card with other fields still renders whole.
 */
import { escapeHtml as esc } from './format';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPrimitive = (v: unknown) => !isRec(v) && !Array.isArray(v);

/**
 * A card value as plain text: strings as they are, arrays joined by `, `, flat objects as
 * `key=value, …`, anything else as JSON.
 *
 * @example
 * ```ts
 * cardValueText({ trainRatio: 0.6, blocks: 5 }); // 'trainRatio=0.6, blocks=5'
 * cardValueText([5, 10, 20]);                   // '5, 10, 20'
 * cardValueText({ train: 6, blocks: [2, 2] });  // 'train=6, blocks=[2, 2]'
 * ```
 */
export function cardValueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!isRec(v) && !Array.isArray(v)) return String(v);
  if (Array.isArray(v)) return v.every(isPrimitive) ? v.map(String).join(', ') : JSON.stringify(v);
  const entries = Object.entries(v);
  if (entries.length === 0) return 'none';
  const flat = entries.every(([, x]) => isPrimitive(x) || (Array.isArray(x) && x.every(isPrimitive)));
  return flat ? entries.map(([k, x]) => `${k}=${Array.isArray(x) ? `[${x.map(String).join(', ')}]` : String(x)}`).join(', ') : JSON.stringify(v);
}

function fieldTable(rows: [string, unknown][], cls = 'card-table'): string {
  const body = rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(cardValueText(v))}</td></tr>`).join('\n');
  return `<table class="${cls}"><thead><tr><th scope="col">field</th><th scope="col">value</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function datasetPart(d: unknown): string {
  if (!isRec(d)) return '';
  const st = isRec(d.stats) ? d.stats : {};
  const rows: [string, unknown][] = [['name', d.name]];
  if (d.source !== undefined) rows.push(['source', d.source]);
  for (const [k, label] of [['numUsers', 'users'], ['numItems', 'items'], ['numInteractions', 'interactions'], ['numPairs', 'distinct (user, item) pairs']] as const) {
    if (typeof st[k] === 'number') rows.push([label, (st[k] as number).toLocaleString('en-US')]);
  }
  if (typeof st.density === 'number') rows.push(['density', `${(st.density * 100).toFixed(3)} %`]);
  if (Array.isArray(st.timeRange) && st.timeRange.length === 2) rows.push(['time range', st.timeRange.map((t) => String(t)).join(' – ')]);
  if (typeof st.skippedLines === 'number' && st.skippedLines > 0) rows.push(['skipped lines', st.skippedLines]);
  return `<h3>Dataset</h3>\n${fieldTable(rows)}`;
}

function modelsPart(configs: unknown): string {
  if (!isRec(configs) || Object.keys(configs).length === 0) return '';
  const rows = Object.entries(configs)
    .map(([m, c]) => {
      const opts = isRec(c) ? Object.entries(c).map(([k, v]) => `<code>${esc(k)}=${esc(cardValueText(v))}</code>`).join(' ') : esc(cardValueText(c));
      return `<tr><th scope="row">${esc(m)}</th><td class="options">${opts}</td></tr>`;
    })
    .join('\n');
  return `<h3>Models (every option)</h3>\n<table class="card-table models"><thead><tr><th scope="col">model</th><th scope="col">options</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function splitsPart(splits: unknown): string {
  if (!isRec(splits) || Object.keys(splits).length === 0) return '';
  const rows = Object.entries(splits)
    .map(([name, r]) => {
      const s = isRec(r) ? r : {};
      const cells = [s.params ?? {}, s.sizes ?? {}, s.leakage ?? {}, s.ok === undefined ? 'n/a' : s.ok ? 'yes' : 'no'];
      return `<tr><th scope="row">${esc(name)}</th>${cells.map((c) => `<td>${esc(cardValueText(c))}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const head = ['split', 'parameters', 'sizes', 'leakage checks', 'ok'].map((h) => `<th scope="col">${h}</th>`).join('');
  return `<h3>Splits</h3>\n<table class="card-table splits"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

/** The rows of @memrec/eval's `renderProtocolCard`, read from one evaluation's card. */
function evaluationRows(card: Rec): [string, unknown][] {
  const d = isRec(card.dataset) ? card.dataset : {};
  const split = isRec(card.split) ? card.split : {};
  const e = isRec(card.evaluation) ? card.evaluation : {};
  const rows: [string, unknown][] = [];
  const add = (k: string, v: unknown) => v !== undefined && rows.push([k, v]);
  add('model', card.model);
  if (d.name !== undefined) {
    const density = typeof d.density === 'number' ? `, density ${(d.density * 100).toFixed(3)} %` : '';
    add('dataset', `${String(d.name)}: ${String(d.numUsers)} users, ${String(d.numItems)} items, ${String(d.numInteractions)} interactions${density}`);
  }
  if (split.name !== undefined) add('split', `${String(split.name)} (${cardValueText(split.params ?? {})})`);
  add('protocol', e.protocol);
  add('candidates', e.candidates);
  add('seen-item filtering', e.seenFiltering);
  add('scored', e.scored);
  add('ties', e.tieBreak);
  add('k', e.k);
  add('evaluator parameters', e.params ?? {});
  add('seeds', card.seeds);
  add('backend', card.backend);
  add('versions', isRec(card.versions) ? Object.entries(card.versions).map(([k, v]) => `${k} ${String(v)}`).join(', ') : card.versions);
  return rows;
}

const KNOWN = ['dataset', 'modelConfigs', 'evaluations', 'notes', 'splits'];

/**
 * Renders the protocol card from its data (`results.card`): dataset, models with every option,
 * the splits (parameters, sizes, leakage checks), one field/value table per evaluation, the split checks, then the remaining settings (protocols,
 * k, seeds, backend, ...). Every text is escaped; tables have header cells with scopes.
 *
 * @example
 * ```ts
 * const html = renderCardHtml(results.card);
 * html.includes('<h3>Evaluation stream</h3>'); // true for a run with the stream protocol
 * ```
 */
export function renderCardHtml(card: Rec): string {
  if (!isRec(card)) throw new Error(`renderCardHtml: card must be an object, got ${Array.isArray(card) ? 'an array' : typeof card}`);
  const parts = [datasetPart(card.dataset), modelsPart(card.modelConfigs), splitsPart(card.splits)];
  if (isRec(card.evaluations)) {
    for (const [name, ev] of Object.entries(card.evaluations)) {
      parts.push(`<h3>Evaluation ${esc(name)}</h3>\n${isRec(ev) ? fieldTable(evaluationRows(ev)) : `<p>${esc(cardValueText(ev))}</p>`}`);
    }
  }
  if (Array.isArray(card.notes) && card.notes.length > 0) {
    parts.push(`<h3>Split checks</h3>\n<ul class="notes">${card.notes.map((n) => `<li>${esc(cardValueText(n))}</li>`).join('')}</ul>`);
  }
  const rest = Object.entries(card).filter(([k]) => !KNOWN.includes(k) || (k === 'dataset' && !isRec(card.dataset)));
  if (rest.length > 0) parts.push(`<h3>Run settings</h3>\n${fieldTable(rest)}`);
  return parts.filter((p) => p !== '').join('\n');
}
