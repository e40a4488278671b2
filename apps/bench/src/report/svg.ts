/**
 * A small, dependency-free SVG line chart: linear scales with "nice" ticks, axis labels, a title,
 * a legend and a colour-blind-safe palette. The output is a deterministic string (same input, same
 * bytes) that renders standalone or inline in HTML.
 */
import { escapeHtml as esc } from './format';

/** One line of a chart. Points with a non-finite coordinate break the line. */
export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
  /** CSS colour; defaults to the palette colour of the series' index. */
  color?: string;
}

/** What {@link lineChartSvg} draws. */
export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Pixel size of the whole chart (default 720 × 400). */
  width?: number;
  height?: number;
  /** Start the y axis at zero (or below, for negative data); default true. */
  yFromZero?: boolean;
  /** Shown in the plot area when no series has a point. */
  emptyMessage?: string;
}

/** Okabe–Ito colour-blind-safe colours (yellow left out: too light on white). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'] as const;
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/**
 * Ticks at multiples of 1, 2 or 5 × 10^k spanning [min, max], about `count` of them; the first and
 * last tick enclose the data, so they make a good axis domain.
 *
 * @example
 * ```ts
 * niceTicks(0.03, 0.47, 5); // [0, 0.1, 0.2, 0.3, 0.4, 0.5]
 * niceTicks(0, 12000, 4);   // [0, 5000, 10000, 15000]
 * ```
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new Error(`niceTicks: min and max must be finite with min <= max, got min = ${min}, max = ${max}`);
  }
  if (!Number.isInteger(count) || count < 1) throw new Error(`niceTicks: count must be a positive integer, got ${count}`);
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(decimals)));
  return ticks;
}

/**
 * Formats a tick label: `12k`, `1.5M` from ten thousand up, otherwise with as many decimals as the
 * tick step needs.
 *
 * @example
 * ```ts
 * formatTick(25000, 5000); // '25k'
 * formatTick(0.25, 0.05);  // '0.25'
 * ```
 */
export function formatTick(v: number, step: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  const decimals = step > 0 ? Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) : 0;
  return v.toFixed(Math.min(decimals, 10));
}

const r2 = (v: number) => Number(v.toFixed(2)).toString();
const textWidth = (s: string, size: number) => s.length * size * 0.58;

function pathData(points: { x: number; y: number }[], sx: (v: number) => number, sy: (v: number) => number): string {
  const parts: string[] = [];
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${r2(sx(p.x))},${r2(sy(p.y))}`);
    pen = true;
  }
  return parts.join('');
}

/**
 * Draws a line chart as an SVG document string. Each series is one
 * `<path class="series" data-series="NAME">` (plus circle markers when it has at most 60 points),
 * listed in a legend on the right; the root element has class `chart`.
 *
 * @example
 * ```ts
 * const svg = lineChartSvg({
 *   title: 'Stream HR@10', xLabel: 'block', yLabel: 'HR@10',
 *   series: [{ name: 'nmrn', points: [{ x: 0, y: 0.1 }, { x: 1, y: 0.2 }] }],
 * });
 * svg.startsWith('<svg'); // true
 * ```
 */
export function lineChartSvg(spec: LineChartSpec): string {
  const { title, xLabel, yLabel, series } = spec;
  const width = spec.width ?? 720;
  const height = spec.height ?? 400;
  if (!Array.isArray(series)) throw new Error(`lineChartSvg: series must be an array, got ${typeof series}`);
  if (!(width >= 200 && height >= 150)) throw new Error(`lineChartSvg: width and height must be at least 200 × 150, got ${width} × ${height}`);
  const finite = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)));
  const legendW = series.length === 0 ? 0 : Math.ceil(Math.max(...series.map((s) => textWidth(s.name, 12)))) + 44;
  const m = { top: 44, right: 16 + legendW, bottom: 52, left: 68 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;

  const xs = finite.map((p) => p.x);
  const ys = finite.map((p) => p.y);
  const fromZero = spec.yFromZero ?? true;
  const xt = finite.length ? niceTicks(Math.min(...xs), Math.max(...xs), Math.max(2, Math.round(pw / 90))) : [0, 1];
  const yt = finite.length ? niceTicks(fromZero ? Math.min(0, ...ys) : Math.min(...ys), fromZero ? Math.max(0, ...ys) : Math.max(...ys), 5) : [0, 1];
  const [x0, x1] = [xt[0], xt[xt.length - 1]];
  const [y0, y1] = [yt[0], yt[yt.length - 1]];
  const sx = (v: number) => m.left + ((v - x0) / (x1 - x0)) * pw;
  const sy = (v: number) => m.top + ph - ((v - y0) / (y1 - y0)) * ph;
  const xStep = xt.length > 1 ? xt[1] - xt[0] : 1;
  const yStep = yt.length > 1 ? yt[1] - yt[0] : 1;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" font-family='${FONT}' font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="chart-title" x="${r2(m.left)}" y="26" font-size="16" font-weight="600" fill="#222">${esc(title)}</text>`,
    '<g class="grid" stroke="#e6e6e6" stroke-width="1">',
    ...yt.map((t) => `<line x1="${r2(m.left)}" x2="${r2(m.left + pw)}" y1="${r2(sy(t))}" y2="${r2(sy(t))}"/>`),
    ...xt.map((t) => `<line x1="${r2(sx(t))}" x2="${r2(sx(t))}" y1="${r2(m.top)}" y2="${r2(m.top + ph)}"/>`),
    '</g>',
    `<g class="axis" stroke="#555" stroke-width="1"><line x1="${r2(m.left)}" x2="${r2(m.left + pw)}" y1="${r2(m.top + ph)}" y2="${r2(m.top + ph)}"/><line x1="${r2(m.left)}" x2="${r2(m.left)}" y1="${r2(m.top)}" y2="${r2(m.top + ph)}"/></g>`,
    '<g class="ticks" fill="#444">',
    ...xt.map((t) => `<text x="${r2(sx(t))}" y="${r2(m.top + ph + 18)}" text-anchor="middle">${esc(formatTick(t, xStep))}</text>`),
    ...yt.map((t) => `<text x="${r2(m.left - 8)}" y="${r2(sy(t) + 4)}" text-anchor="end">${esc(formatTick(t, yStep))}</text>`),
    '</g>',
    `<text class="x-label" x="${r2(m.left + pw / 2)}" y="${r2(height - 12)}" text-anchor="middle" font-size="13" fill="#222">${esc(xLabel)}</text>`,
    `<text class="y-label" transform="translate(16 ${r2(m.top + ph / 2)}) rotate(-90)" text-anchor="middle" font-size="13" fill="#222">${esc(yLabel)}</text>`,
  );
  if (finite.length === 0) {
    out.push(`<text class="empty" x="${r2(m.left + pw / 2)}" y="${r2(m.top + ph / 2)}" text-anchor="middle" fill="#777">${esc(spec.emptyMessage ?? 'no data')}</text>`);
  }
  out.push('<g class="lines" fill="none" stroke-width="2" stroke-linejoin="round" stroke-linecap="round">');
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const dash = DASHES[Math.floor(i / PALETTE.length) % DASHES.length];
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : '';
    out.push(`<path class="series" data-series="${esc(s.name)}" stroke="${esc(color)}"${dashAttr} d="${pathData(s.points, sx, sy)}"><title>${esc(s.name)}</title></path>`);
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (pts.length > 0 && pts.length <= 60) {
      out.push(`<g class="markers" fill="${esc(color)}" stroke="none">`, ...pts.map((p) => `<circle cx="${r2(sx(p.x))}" cy="${r2(sy(p.y))}" r="2.5"/>`), '</g>');
    }
  });
  out.push('</g>', `<g class="legend" transform="translate(${r2(m.left + pw + 20)} ${m.top})">`);
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const dash = DASHES[Math.floor(i / PALETTE.length) % DASHES.length];
    const y = i * 20;
    out.push(
      `<line x1="0" x2="22" y1="${y}" y2="${y}" stroke="${esc(color)}" stroke-width="2.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text class="legend-label" x="28" y="${y + 4}" fill="#222">${esc(s.name)}</text>`,
    );
  });
  out.push('</g>', '</svg>');
  return out.join('\n') + '\n';
}
