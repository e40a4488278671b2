import { CHARTS } from './charts';
import { renderHtml, type HtmlChart } from './html';
import { makeResults, withCurves } from './test-fixture';

const chartsOf = (r: ReturnType<typeof makeResults>): HtmlChart[] =>
  Object.entries(CHARTS).map(([file, chart]) => ({ file, svg: chart(r), caption: `caption of ${file}` }));

describe('renderHtml', () => {
  const results = withCurves(makeResults());
  const html = renderHtml(results, chartsOf(results));

  it('is self-contained: no external script, style, font or image', () => {
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/@import|url\((?!#)/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
  });

  it('inlines every chart as an accessible figure with a caption', () => {
    const figures = html.match(/<figure id="fig-[^"]+">[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(4);
    for (const f of figures) {
      expect(f).toMatch(/<svg [^>]*role="img" aria-labelledby="([a-z-]+)-title \1-desc"/);
      expect(f).toMatch(/<figcaption>caption of charts\/[a-z-]+\.svg \(also in <code>charts\/[a-z-]+\.svg<\/code>\)<\/figcaption>/);
    }
    // lines drawn: stream 2 models × 2 metrics, learning 2 × 2 + 2, loss 2 × 2 protocols
    expect(html).toContain('<body data-chart-lines="14">');
  });

  it('renders the protocol card from the card data, not from its markdown', () => {
    const r = withCurves(makeResults());
    r.cardMarkdown = '# something else entirely';
    const out = renderHtml(r, []);
    expect(out).toContain('<section id="protocol" class="card"><h2>Protocol card</h2>\n<h3>Dataset</h3>');
    expect(out).not.toContain('something else entirely');
  });

  it('gives every table header cells with scopes', () => {
    const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
    expect(tables.length).toBeGreaterThan(8);
    for (const t of tables) {
      expect(t).toMatch(/<thead><tr>(<th scope="col"[^>]*>[^<]*<\/th>)+<\/tr><\/thead>/);
      expect(t).not.toMatch(/<th(?=[\s>])(?! scope=)/);
    }
  });

  it('lists each run’s learning curve with the kept epoch and its validation value', () => {
    // nmrn seed 1, leave-last-out: 4 epochs, kept epoch 3 (0-based 2), validation 0.25 + 0.01
    expect(html).toContain('<tr><th scope="row">nmrn</th><td>leave-last-out</td><td class="num">1</td><td class="num">4</td><td class="num">3</td><td class="num">0.2600</td>');
    expect(renderHtml(makeResults(), [])).not.toContain('id="learning"');
  });
});
