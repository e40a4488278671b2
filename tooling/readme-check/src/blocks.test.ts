import { extractBlocks } from './blocks';

const md = (...lines: string[]): string => lines.join('\n');

describe('extractBlocks', () => {
  it('returns ts and js blocks with their first code line, skipping other languages', () => {
    const text = md('# t', '```sh', 'pnpm test', '```', '```ts', 'const a = 1;', '```', '', '```js', 'console.log(1);', 'console.log(2);', '```');
    expect(extractBlocks('R.md', text)).toEqual([
      { file: 'R.md', line: 6, lang: 'ts', fragment: false, prelude: '', code: 'const a = 1;' },
      { file: 'R.md', line: 10, lang: 'js', fragment: false, prelude: '', code: 'console.log(1);\nconsole.log(2);' },
    ]);
  });

  it('reads the fragment flag and the prelude comment above it, across blank lines', () => {
    const text = md('<!-- prelude', 'declare const train: number;', 'declare const k: number;', '-->', '', '```ts fragment', 'train + k;', '```');
    expect(extractBlocks('R.md', text)).toEqual([
      { file: 'R.md', line: 7, lang: 'ts', fragment: true, prelude: 'declare const train: number;\ndeclare const k: number;', code: 'train + k;' },
    ]);
  });

  it('takes no prelude from an ordinary comment', () => {
    const text = md('<!-- a note -->', '```ts fragment', 'x;', '```');
    expect(extractBlocks('R.md', text)[0].prelude).toBe('');
  });

  it('does not read a fence inside another block as a block', () => {
    const text = md('````md', '```ts', 'not code', '```', '````', '```typescript', 'const b = 2;', '```');
    expect(extractBlocks('R.md', text).map((b) => b.code)).toEqual(['const b = 2;']);
  });

  it('rejects an unknown flag, naming file and line', () => {
    expect(() => extractBlocks('R.md', md('text', '```ts fragmnet', 'x;', '```'))).toThrow('extractBlocks: R.md:2: unknown flag "fragmnet" after ```ts (known: fragment)');
  });

  it('rejects a prelude above a block that is not a fragment', () => {
    expect(() => extractBlocks('R.md', md('<!-- prelude', 'declare const x: number;', '-->', '```ts', 'x;', '```'))).toThrow(
      'extractBlocks: R.md:4: a prelude comment stands above a block that is not marked fragment',
    );
  });

  it('rejects a fence that is never closed', () => {
    expect(() => extractBlocks('R.md', md('```ts', 'const a = 1;'))).toThrow('extractBlocks: R.md:1: code fence is never closed');
  });
});
