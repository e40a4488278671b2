/**
 * Renders Observable Plot charts to SVG strings under Node, with linkedom as the DOM: no browser,
 * no native dependency. One chart is a header (title and a legend of the models' colours) above
 * one or more Plot panels, all in one `<svg>`. The output is deterministic: fixed sizes, numbers
 * rounded to 0.01 px, ids derived from the chart's id, the XML written by {@link serializeXml}.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/**
 * Okabe–Ito colour-blind-safe colours (yellow left out: too light on white), then grey.
 *
 * @example
 * ```ts
 * PALETTE[0]; // '#0072B2' (blue, NMRN's colour)
 * ```
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#56B4E9', '#E69F00', '#000000', '#999999'] as const;

/** Colours of the built-in models, the same in every report. */
const FIXED: Record<string, string> = { nmrn: '#0072B2', bprmf: '#D55E00', cmn: '#009E73', neumf: '#CC79A7', pop: '#999999' };

/**
 * A colour per model: the built-in models keep their own colour in every report (NMRN blue,
 * BPR-MF vermillion, CMN green, NeuMF purple, ItemPop grey); any other model takes, in the order
 * given, the next palette colour no built-in model owns (sky blue, orange, black), then those of
 * built-in models absent from the run, cycling once all are used.
 *
 * @example
 * ```ts
 * modelColours(['pop', 'nmrn-uniform', 'nmrn']); // Map { pop → #999999, nmrn-uniform → #56B4E9, nmrn → #0072B2 }
 * ```
 */
export function modelColours(models: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of models) if (FIXED[m] !== undefined) out.set(m, FIXED[m]);
  // other models first take colours no built-in model owns, so adding a built-in model to a run
  // never changes theirs
  const owned = new Set(Object.values(FIXED));
  const used = new Set(out.values());
  const free = [...PALETTE.filter((c) => !owned.has(c)), ...PALETTE.filter((c) => owned.has(c) && !used.has(c)), ...PALETTE.filter((c) => used.has(c))];
  let next = 0;
  for (const m of models) if (!out.has(m)) out.set(m, free[next++ % free.length]);
  return new Map(models.map((m) => [m, out.get(m) as string]));
}

/** One Plot panel of a chart: Plot's options (without `document`, `width`, `height`) and its height. */
export interface Panel {
  height: number;
  options: Omit<Plot.PlotOptions, 'document' | 'width' | 'height' | 'title' | 'subtitle' | 'caption' | 'figure'>;
}

/** What {@link renderChart} draws. */
export interface ChartSpec {
  /** Unique within a page; prefixes every id in the chart, e.g. `stream`. */
  id: string;
  title: string;
  /** What the chart shows, in a sentence or two: the chart's accessible description. */
  description: string;
  /** Pixel width of the whole chart. */
  width: number;
  /** The series' names and colours, listed under the title. */
  legend: { label: string; colour: string }[];
  /** Drawn one below the other; none: `emptyMessage` in their place. */
  panels: Panel[];
  emptyMessage?: string;
}

/** The part of a DOM node that {@link serializeXml} reads (linkedom's nodes have it). */
export interface XmlNode {
  nodeType: number;
  nodeName: string;
  localName?: string;
  nodeValue: string | null;
  attributes?: ArrayLike<{ name: string; value: string }>;
  childNodes: ArrayLike<XmlNode>;
}

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => escText(s).replace(/"/g, '&quot;');

/**
 * Writes a DOM subtree as XML: attributes in document order with `& < > "` escaped, text with
 * `& < >` escaped, empty elements self-closed, comments dropped. Valid both as a standalone SVG
 * file and inline in HTML.
 *
 * @example
 * ```ts
 * const { document } = parseHTML('<html></html>');
 * const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
 * t.textContent = 'a < b';
 * serializeXml(t); // '<text>a &lt; b</text>'
 * ```
 */
export function serializeXml(node: XmlNode): string {
  if (node.nodeType === 3) return escText(node.nodeValue ?? '');
  if (node.nodeType !== 1) return '';
  // linkedom lists attributes last-set first: reversed, they come in the order they were set
  const attrs = Array.from(node.attributes ?? [], (a) => ` ${a.name}="${escAttr(a.value)}"`).reverse().join('');
  const tag = node.localName ?? node.nodeName;
  const inner = Array.from(node.childNodes, serializeXml).join('');
  return inner === '' ? `<${tag}${attrs}/>` : `<${tag}${attrs}>${inner}</${tag}>`;
}

const GEOMETRY = new Set(['d', 'transform', 'points', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'width', 'height', 'dx', 'dy']);
const round2 = (s: string) => s.replace(/-?\d*\.\d{3,}(?:e[-+]?\d+)?/gi, (v) => String(Number(Number(v).toFixed(2)) || 0));

interface DomElement extends XmlNode {
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  appendChild(child: unknown): unknown;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  remove(): void;
  textContent: string | null;
  firstChild: unknown;
}

/**
 * Rounds geometry to 0.01 px, renames ids (with their `url(#…)` references) to `<prefix>-<n>` and
 * resolves Plot's background colour variable.
 */
function normalise(root: DomElement, prefix: string): void {
  const all = Array.from(root.querySelectorAll('*'));
  const ids = new Map<string, string>();
  for (const el of all) {
    const id = el.getAttribute('id');
    if (id !== null) {
      ids.set(id, `${prefix}-${ids.size}`);
      el.setAttribute('id', ids.get(id) as string);
    }
  }
  for (const el of all) {
    for (const { name, value } of Array.from(el.attributes ?? [])) {
      let v = GEOMETRY.has(name) ? round2(value) : value;
      v = v.replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : m));
      // Plot's stylesheet (dropped) defines the background variable that marker outlines use
      v = v.replace(/var\(--plot-background\)/g, '#ffffff');
      if (v !== value) el.setAttribute(name, v);
    }
  }
}

/**
 * Draws a chart as an SVG document string: `<svg class="memrec-chart" role="img">` with a
 * `<title>` and a `<desc>` (its accessible name and description), the title and legend on top,
 * then each panel as a `<g class="panel">` holding what `Plot.plot` drew. Same spec, same bytes.
 *
 * @example
 * ```ts
 * const svg = renderChart({
 *   id: 'demo', title: 'HR@10 per block', description: 'One line per model.', width: 640,
 *   legend: [{ label: 'nmrn', colour: '#0072B2' }],
 *   panels: [{ height: 300, options: { marks: [Plot.lineY([0.1, 0.2, 0.3], { stroke: '#0072B2' })] } }],
 * });
 * svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'); // true
 * ```
 */
export function renderChart(spec: ChartSpec): string {
  const { id, width, panels } = spec;
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new Error(`renderChart: id must be lower-case letters, digits and '-', starting with a letter, got ${JSON.stringify(id)}`);
  if (!(Number.isInteger(width) && width >= 200)) throw new Error(`renderChart: width must be an integer >= 200, got ${width}`);
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const el = (tag: string, attrs: Record<string, string | number> = {}, text?: string): DomElement => {
    const e = document.createElementNS(SVG_NS, tag) as unknown as DomElement;
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // legend entries flow left to right and wrap; text width estimated at 0.6 em per character
  const legend = el('g', { class: 'legend', transform: 'translate(12 44)' });
  let lx = 0;
  let ly = 0;
  for (const { label, colour } of spec.legend) {
    const w = 30 + Math.ceil(label.length * 12 * 0.6) + 18;
    if (lx > 0 && lx + w > width - 24) [lx, ly] = [0, ly + 20];
    const item = el('g', { class: 'legend-item', transform: `translate(${lx} ${ly})` });
    item.appendChild(el('line', { x1: 0, x2: 22, y1: 0, y2: 0, stroke: colour, 'stroke-width': 3 }));
    item.appendChild(el('text', { x: 28, y: 4, fill: '#222' }, label));
    legend.appendChild(item);
    lx += w;
  }
  const header = 44 + (spec.legend.length > 0 ? ly + 20 : 0);
  const height = header + (panels.length > 0 ? panels.reduce((s, p) => s + p.height, 0) : 80);

  const root = el('svg', {
    xmlns: SVG_NS, class: 'memrec-chart', id, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-labelledby': `${id}-title ${id}-desc`, 'font-family': FONT, 'font-size': 12,
  });
  root.appendChild(el('title', { id: `${id}-title` }, spec.title));
  root.appendChild(el('desc', { id: `${id}-desc` }, spec.description));
  root.appendChild(el('rect', { width, height, fill: '#ffffff' }));
  root.appendChild(el('text', { class: 'chart-title', x: 12, y: 26, 'font-size': 16, 'font-weight': 600, fill: '#222' }, spec.title));
  if (spec.legend.length > 0) root.appendChild(legend);
  if (panels.length === 0) {
    root.appendChild(el('text', { class: 'empty', x: width / 2, y: header + 40, 'text-anchor': 'middle', fill: '#777' }, spec.emptyMessage ?? 'no data'));
  }
  let y = header;
  panels.forEach((p, i) => {
    const svg = Plot.plot({ ...p.options, document: document as unknown as Plot.PlotOptions['document'], width, height: p.height, className: 'memrec-plot' }) as unknown as DomElement;
    if (svg.localName !== 'svg') throw new Error(`renderChart: panel ${i} of ${id} drew a ${svg.localName}, not an svg (no title, caption or legend in panels)`);
    // Plot's root <svg> becomes a <g>: its presentation attributes move over, its <style> (which
    // sizes a root svg for the page) goes.
    const g = el('g', { class: 'panel', transform: `translate(0 ${y})` });
    for (const name of ['fill', 'font-family', 'font-size', 'text-anchor']) {
      const v = svg.getAttribute(name);
      if (v !== null && name !== 'font-family') g.setAttribute(name, v);
    }
    for (const s of Array.from(svg.querySelectorAll('style'))) s.remove();
    while (svg.firstChild) g.appendChild(svg.firstChild);
    normalise(g, `${id}-${i}`);
    root.appendChild(g);
    y += p.height;
  });
  return serializeXml(root) + '\n';
}
