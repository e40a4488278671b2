import { markdownToHtml } from './md-html';

describe('markdownToHtml', () => {
  it('converts headings, lists, tables, code and emphasis', () => {
    const html = markdownToHtml('# Card\n\nSome *text* with `a|b` and **bold**.\n\n- one\n- two `x`\n\n| k | v |\n|---|---:|\n| seeds | 1, 2 |\n\n```\nraw <b>\n```');
    expect(html).toBe(
      [
        '<h1>Card</h1>',
        '<p>Some <em>text</em> with <code>a|b</code> and <strong>bold</strong>.</p>',
        '<ul><li>one</li><li>two <code>x</code></li></ul>',
        '<table><thead><tr><th>k</th><th style="text-align:right">v</th></tr></thead><tbody><tr><td>seeds</td><td style="text-align:right">1, 2</td></tr></tbody></table>',
        '<pre><code>raw &lt;b&gt;</code></pre>',
      ].join('\n'),
    );
  });

  it('escapes raw HTML and keeps only safe links', () => {
    expect(markdownToHtml('<script>alert(1)</script> [site](https://example.org) [x](javascript:void)')).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; <a href="https://example.org">site</a> x</p>',
    );
    expect(() => markdownToHtml(undefined as unknown as string)).toThrow('markdownToHtml: markdown must be a string, got undefined');
  });
});
