import { cardValueText, renderCardHtml } from './card-html';
import { CARD } from './test-fixture';

describe('cardValueText', () => {
  it('writes strings, lists and flat objects plainly, anything deeper as JSON', () => {
    expect(cardValueText('a')).toBe('a');
    expect(cardValueText([5, 10, 20])).toBe('5, 10, 20');
    expect(cardValueText({ trainRatio: 0.6, blocks: 5 })).toBe('trainRatio=0.6, blocks=5');
    expect(cardValueText({ train: 6, blocks: [2, 2] })).toBe('train=6, blocks=[2, 2]');
    expect(cardValueText({})).toBe('none');
    expect(cardValueText({ a: { b: 1 } })).toBe('{"a":{"b":1}}');
  });
});

describe('renderCardHtml', () => {
  const html = renderCardHtml(structuredClone(CARD));

  it('renders the dataset, every model option, the splits and one table per evaluation from the data', () => {
    expect(html).toContain('<h3>Dataset</h3>');
    expect(html).toContain('<tr><th scope="row">interactions</th><td>5,000</td></tr>');
    expect(html).toContain('<tr><th scope="row">density</th><td>5.000 %</td></tr>');
    expect(html).toContain('<tr><th scope="row">nmrn</th><td class="options"><code>dim=32</code> <code>slots=20</code> <code>sampler=gan</code> <code>epochs=2</code></td></tr>');
    expect(html).toContain('<tr><th scope="row">stream</th><td>trainRatio=0.6, blocks=5</td><td>train=3000, test=2000, blocks=[400, 400, 400, 400, 400]</td><td>coldUsers=3</td><td>yes</td></tr>');
    expect(html.match(/<h3>Evaluation [^<]+<\/h3>/g)).toEqual(['<h3>Evaluation stream</h3>', '<h3>Evaluation full</h3>', '<h3>Evaluation sampled-100</h3>']);
    expect(html).toContain('<tr><th scope="row">split</th><td>leave-last-out (validation=false)</td></tr>');
    expect(html).toContain('<tr><th scope="row">dataset</th><td>synthetic: 200 users, 500 items, 5000 interactions, density 5.000 %</td></tr>');
    expect(html).toContain('<tr><th scope="row">versions</th><td>@memrec/core 0.1.0, @tensorflow/tfjs-core 4.22.0</td></tr>');
    expect(html).toContain('<li>split leave-last-out: 1 held-out interaction dropped</li>');
    expect(html).toContain('<tr><th scope="row">coldStart</th><td>skip</td></tr>');
  });

  it('gives every table column headers', () => {
    const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
    expect(tables.length).toBe(7); // dataset, models, splits, 3 evaluations, run settings
    for (const t of tables) expect(t).toMatch(/<thead><tr>(<th scope="col">[^<]+<\/th>)+<\/tr><\/thead>/);
  });

  it('escapes every text and still renders a card of another shape', () => {
    const out = renderCardHtml({ dataset: '<b>x</b>', seeds: [1, 2], 'a&b': { c: '"q"' } });
    expect(out).toContain('<tr><th scope="row">dataset</th><td>&lt;b&gt;x&lt;/b&gt;</td></tr>');
    expect(out).toContain('<tr><th scope="row">a&amp;b</th><td>c=&quot;q&quot;</td></tr>');
    expect(out).not.toContain('<b>');
    expect(() => renderCardHtml([] as unknown as Record<string, unknown>)).toThrow('renderCardHtml: card must be an object, got an array');
  });
});
