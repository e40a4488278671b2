/**
 * A small markdown-to-HTML converter for the protocol card: headings, paragraphs, lists, pipe
 * tables, fenced code and inline code / bold / italic / links. Raw HTML in the input is escaped,
 * never passed through.
 */
import { escapeHtml as esc } from './format';

function inline(text: string): string {
  const codes: string[] = [];
  let s = text.replace(/`([^`]+)`/g, (_m, c: string) => `\uE000${codes.push(`<code>${esc(c)}</code>`) - 1}\uE000`);
  s = esc(s)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/(^|\W)_([^_\s][^_]*?)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, t: string, href: string) => (/^(https?:|#|mailto:)/i.test(href) ? `<a href="${href}">${t}</a>` : t));
  return s.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => codes[Number(i)]);
}

function splitRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return body.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

const isTableRule = (line: string) => /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/.test(line);
const listItem = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/;

/**
 * Converts the markdown subset used by protocol cards to HTML.
 *
 * @example
 * ```ts
 * markdownToHtml('## Protocol\n\n- k: **10**'); // '<h2>Protocol</h2>\n<ul><li>k: <strong>10</strong></li></ul>'
 * ```
 */
export function markdownToHtml(markdown: string): string {
  if (typeof markdown !== 'string') throw new Error(`markdownToHtml: markdown must be a string, got ${typeof markdown}`);
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) code.push(lines[i++]);
      i++;
      out.push(`<pre><code>${esc(code.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      out.push(`<h${level}>${inline(heading[2])}</h${level}>`);
      i++;
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && isTableRule(lines[i + 1])) {
      const header = splitRow(line);
      const align = splitRow(lines[i + 1]).map((c) => (c.endsWith(':') ? (c.startsWith(':') ? 'center' : 'right') : 'left'));
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i].includes('|') && lines[i].trim() !== '') rows.push(splitRow(lines[i++]));
      const cell = (tag: string, c: string, j: number) => `<${tag}${align[j] && align[j] !== 'left' ? ` style="text-align:${align[j]}"` : ''}>${inline(c)}</${tag}>`;
      out.push(
        `<table><thead><tr>${header.map((c, j) => cell('th', c, j)).join('')}</tr></thead><tbody>` +
          rows.map((r) => `<tr>${r.map((c, j) => cell('td', c, j)).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
      continue;
    }
    if (listItem.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: string[] = [];
      while (i < lines.length && lines[i].trim() !== '') {
        const m = listItem.exec(lines[i]);
        if (m) items.push(m[1]);
        else if (items.length > 0) items[items.length - 1] += ` ${lines[i].trim()}`;
        i++;
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((t) => `<li>${inline(t)}</li>`).join('')}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && !/^(#{1,6}\s|\s*```|\s*~~~)/.test(lines[i]) && !listItem.test(lines[i])) para.push(lines[i++].trim());
    out.push(`<p>${inline(para.join(' '))}</p>`);
  }
  return out.join('\n');
}
