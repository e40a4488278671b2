import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { modelColours, renderChart, serializeXml, type ChartSpec, type XmlNode } from './plot';
import { xmlProblems } from './test-xml';

const spec = (over: Partial<ChartSpec> = {}): ChartSpec => ({
  id: 'demo',
  title: 'A < B & "C"',
  description: 'Two lines, one per <model>.',
  width: 400,
  legend: [{ label: '<m&n>', colour: '#0072B2' }, { label: 'b', colour: '#D55E00' }],
  panels: [
    {
      height: 200,
      options: {
        marks: [
          Plot.lineY(
            [{ x: 0, y: 0.1, m: 'a' }, { x: 1, y: 0.2, m: 'a' }, { x: 0, y: 0.3, m: 'b' }, { x: 1, y: 1 / 3, m: 'b' }],
            { x: 'x', y: 'y', stroke: 'm', marker: 'circle', className: 'series' },
          ),
        ],
      },
    },
  ],
  ...over,
});

describe('serializeXml', () => {
  it('escapes text and attributes, self-closes empty elements, keeps attribute order', () => {
    const { document } = parseHTML('<html></html>');
    const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    g.setAttribute('data-a', 'x"<&>');
    g.setAttribute('class', 'c');
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    t.textContent = 'a < b & "c"';
    g.appendChild(t);
    g.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'rect'));
    g.appendChild(document.createComment('gone'));
    expect(serializeXml(g as unknown as XmlNode)).toBe('<g data-a="x&quot;&lt;&amp;&gt;" class="c"><text>a &lt; b &amp; "c"</text><rect/></g>');
  });
});

describe('modelColours', () => {
  it('gives the built-in models their own colour, others the colours no built-in model owns', () => {
    const c = modelColours(['pop', 'nmrn-uniform', 'nmrn', 'bprmf', 'x']);
    expect(Object.fromEntries(c)).toEqual({ pop: '#999999', 'nmrn-uniform': '#56B4E9', nmrn: '#0072B2', bprmf: '#D55E00', x: '#E69F00' });
    // adding CMN to the run changes no other model's colour
    expect(modelColours(['pop', 'nmrn-uniform', 'nmrn', 'bprmf', 'x', 'cmn']).get('x')).toBe('#E69F00');
    expect(modelColours(['cmn']).get('cmn')).toBe('#009E73');
  });
});

describe('renderChart', () => {
  it('draws one well-formed, accessible svg with the title, description and legend escaped', () => {
    const svg = renderChart(spec());
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="memrec-chart" id="demo" width="400" height="264" viewBox="0 0 400 264" role="img" aria-labelledby="demo-title demo-desc"')).toBe(true);
    expect(svg).toContain('<title id="demo-title">A &lt; B &amp; "C"</title><desc id="demo-desc">Two lines, one per &lt;model&gt;.</desc>');
    expect(svg).toContain('>&lt;m&amp;n&gt;</text>');
    expect(svg.match(/<g [^>]*class="series"[^>]*>/g)).toHaveLength(1);
    expect(svg).not.toContain('<style');
  });

  it('is deterministic: the same spec gives the same bytes, whatever was drawn before', () => {
    const first = renderChart(spec());
    // Plot numbers markers (and clip paths) with a process-wide counter; drawing moves it on
    renderChart(spec({ id: 'other' }));
    expect(renderChart(spec())).toBe(first);
  });

  it('names every id after the chart and keeps url(#…) references pointing at them', () => {
    const svg = renderChart(spec());
    const ids = Array.from(svg.matchAll(/ id="([^"]+)"/g), (m) => m[1]);
    expect(ids.length).toBeGreaterThan(2);
    expect(ids[0]).toBe('demo');
    for (const id of ids.slice(1)) expect(id.startsWith('demo-')).toBe(true);
    const refs = Array.from(svg.matchAll(/url\(#([^)]+)\)/g), (m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(ids).toContain(r);
    expect(svg).not.toContain('var(--plot-background)');
  });

  it('rounds geometry to hundredths of a pixel', () => {
    const svg = renderChart(spec());
    for (const m of svg.matchAll(/ (d|transform|x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"/g)) expect(m[2]).not.toMatch(/\d\.\d{3}/);
  });

  it('says so when there is nothing to draw, and rejects a bad id or width', () => {
    const svg = renderChart(spec({ panels: [], emptyMessage: 'no stream runs' }));
    expect(svg).toContain('<text class="empty" x="200" y="104" text-anchor="middle" fill="#777">no stream runs</text>');
    expect(() => renderChart(spec({ id: 'Bad id' }))).toThrow(`renderChart: id must be lower-case letters, digits and '-', starting with a letter, got "Bad id"`);
    expect(() => renderChart(spec({ width: 100 }))).toThrow('renderChart: width must be an integer >= 200, got 100');
  });
});
