/**
 * Code blocks of a Markdown file, as the README check reads them.
 *
 * A fence whose language is `ts`/`typescript` or `js`/`javascript` is an example. Words after
 * the language are flags; the only flag is `fragment`: a block that is not a whole program
 * (a signature, a snippet using variables it does not define). A fragment is type-checked but
 * not run; the declarations it needs come from an HTML comment right above its fence (blank
 * lines between are allowed), invisible on the rendered page:
 *
 * ````md
 * <!-- prelude
 * import type { Interactions } from '@memrec/core';
 * declare const train: Interactions;
 * -->
 * ```ts fragment
 * model.fit(train);
 * ```
 * ````
 *
 * Any other flag, a prelude above a block that is not a fragment, or an unclosed fence is an
 * error, so a typo never silently turns an example off.
 */

export type Lang = 'ts' | 'js';

export interface CodeBlock {
  /** The Markdown file, as given. */
  file: string;
  /** 1-based line of the block's first code line (the line after the opening fence). */
  line: number;
  lang: Lang;
  /** Type-checked only (with `prelude`), never run. */
  fragment: boolean;
  /** Declarations a fragment needs ('' when none). */
  prelude: string;
  code: string;
}

const LANGS: Record<string, Lang> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
const FLAGS = new Set(['fragment']);

/** Every ts/js block of `markdown`; other fences (sh, json, ...) are skipped. */
export function extractBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const [word = '', ...flags] = open[3].trim().split(/\s+/).filter(Boolean);
    let end = i + 1;
    while (end < lines.length && !(lines[end].trim().startsWith(fence) && lines[end].trim().replace(/[`~]/g, '') === '')) end++;
    if (end >= lines.length) throw new Error(`extractBlocks: ${file}:${i + 1}: code fence is never closed`);
    const lang = LANGS[word.toLowerCase()];
    if (lang) {
      for (const f of flags) {
        if (!FLAGS.has(f)) throw new Error(`extractBlocks: ${file}:${i + 1}: unknown flag "${f}" after \`\`\`${word} (known: ${[...FLAGS].join(', ')})`);
      }
      const fragment = flags.includes('fragment');
      const prelude = preludeAbove(lines, i);
      if (prelude !== null && !fragment) {
        throw new Error(`extractBlocks: ${file}:${i + 1}: a prelude comment stands above a block that is not marked fragment; a runnable example must be complete`);
      }
      blocks.push({ file, line: i + 2, lang, fragment, prelude: prelude ?? '', code: lines.slice(i + 1, end).join('\n') });
    }
    i = end;
  }
  return blocks;
}

/** The body of a `<!-- prelude ... -->` comment ending right above line `fence`, or null. */
function preludeAbove(lines: string[], fence: number): string | null {
  let j = fence - 1;
  while (j >= 0 && lines[j].trim() === '') j--;
  if (j < 0 || lines[j].trim() !== '-->') return null;
  const close = j;
  while (j >= 0 && !lines[j].trim().startsWith('<!--')) j--;
  if (j < 0) return null;
  const head = lines[j].trim();
  if (head !== '<!-- prelude') return null;
  return lines.slice(j + 1, close).join('\n');
}
