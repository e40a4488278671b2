import * as fs from 'node:fs';
import * as path from 'node:path';
import { delimitedParser, parseDelimited } from './delimited';
import { LineSplitter } from './lines';
import { MOVIELENS } from './movielens-formats';

const enc = (s: string) => new TextEncoder().encode(s);

describe('LineSplitter', () => {
  it('joins lines split across chunks of any size, strips BOM and CR, keeps the last line without a newline', () => {
    const text = '\ufeffa,1\r\nbb,22\n\nccc,333';
    for (const size of [1, 2, 3, 5, 100]) {
      const got: string[] = [];
      const nos: number[] = [];
      const split = new LineSplitter('t', 'src', (b, s, e, n) => {
        got.push(new TextDecoder().decode(b.subarray(s, e)));
        nos.push(n);
      });
      const bytes = enc(text);
      for (let k = 0; k < bytes.length; k += size) split.push(bytes.slice(k, k + size));
      split.end();
      expect(got).toEqual(['a,1', 'bb,22', 'ccc,333']);
      expect(nos).toEqual([1, 2, 4]); // the empty third line is counted, not emitted
    }
  });

  it('copies a partial line, so the caller may reuse its chunk buffer', () => {
    const got: string[] = [];
    const split = new LineSplitter('t', 'src', (b, s, e) => got.push(new TextDecoder().decode(b.subarray(s, e))));
    const chunk = enc('ab\ncd');
    split.push(chunk);
    chunk.fill(120); // 'x'
    split.push(enc('e\n'));
    expect(got).toEqual(['ab', 'cde']);
  });

  it('rejects a NUL byte naming the function, the source and the offset', () => {
    const split = new LineSplitter('parseX', 'f.csv', () => undefined);
    split.push(enc('ab\n'));
    expect(() => split.push(Uint8Array.of(65, 0))).toThrow('parseX: f.csv is not a text file (NUL byte at offset 4)');
  });
});

describe('parseDelimited', () => {
  const csv = 'userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n7,31,4,1260759200\n';
  const opts = { ...MOVIELENS['25m'].format };

  it('gives the same dataset from a string, bytes, chunks and a ReadableStream', async () => {
    const bytes = enc(csv);
    const chunks = [bytes.slice(0, 7), bytes.slice(7, 40), bytes.slice(40)];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(ch);
        c.close();
      },
    });
    async function* gen() {
      yield* chunks;
    }
    const all = await Promise.all([parseDelimited(csv, opts), parseDelimited(bytes, opts), parseDelimited(chunks, opts), parseDelimited(gen(), opts), parseDelimited(stream, opts)]);
    for (const d of all) {
      expect(Array.from(d.interactions.users)).toEqual([0, 0, 1]);
      expect(Array.from(d.interactions.items)).toEqual([0, 1, 0]);
      expect(Array.from(d.interactions.ratings!)).toEqual([2.5, 3, 4]);
      expect(d.users.rawIds()).toEqual([1, 7]);
      expect(d.items.rawIds()).toEqual([31, 1029]);
    }
  });

  it('reports progress in bytes against totalBytes', async () => {
    const bytes = enc(csv);
    const seen: Array<[number, number]> = [];
    await parseDelimited([bytes.slice(0, 10), bytes.slice(10)], { ...opts, totalBytes: bytes.length, onProgress: (b, t) => seen.push([b, t]) });
    expect(seen).toEqual([
      [10, bytes.length],
      [bytes.length, bytes.length],
    ]);
  });

  it('names the function, the source and the line of a malformed line', async () => {
    await expect(parseDelimited('u\ti\n1\tx\n2\n', { delimiter: '\t', columns: { user: 0, item: 1 }, source: 'picked.tsv' })).rejects.toThrow(
      'parseDelimited: picked.tsv:3: expected at least 2 fields separated by "\\t", got 1: "2"',
    );
    await expect(parseDelimited(42 as never, { columns: { user: 0, item: 1 } })).rejects.toThrow('parseDelimited: input must be a string, a Uint8Array');
    await expect(parseDelimited('a,b\n', { columns: { user: 0, item: 1 }, totalBytes: -1 })).rejects.toThrow('parseDelimited: options.totalBytes must be a number >= 0, got -1');
  });

  it('skips comment lines and bad lines on request', async () => {
    const d = await parseDelimited('# note\n1,2\nbad\n3,4\n', { columns: { user: 0, item: 1 }, comment: '#', skipBadLines: true });
    expect(d.stats.numInteractions).toBe(2);
    expect(d.stats.skippedLines).toBe(1);
  });

  it('delimitedParser takes chunks and finishes once', () => {
    const p = delimitedParser({ columns: { user: 0, item: 1 } }, {}, 'inline');
    p.push(enc('u1,a\nu2,'));
    p.push(enc('b\n'));
    expect(p.lines).toBe(2);
    expect(p.finish().items.rawIds()).toEqual(['a', 'b']);
  });
});

describe('@memrec/data main entry', () => {
  it('reaches no Node built-in through its imports (it bundles for a browser)', () => {
    const seen = new Set<string>();
    const builtins: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = fs.readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1];
        if (spec.startsWith('.')) {
          const base = path.resolve(path.dirname(file), spec);
          visit(fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts'));
        } else if (spec.startsWith('node:') || ['fs', 'path', 'os', 'crypto'].includes(spec) || spec === '@memrec/core/node') {
          builtins.push(`${path.basename(file)} imports ${spec}`);
        }
      }
    };
    visit(path.join(__dirname, '..', 'index.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect(builtins).toEqual([]);
    // and the node entry does reach them (the check above can see an import)
    seen.clear();
    visit(path.join(__dirname, '..', 'node.ts'));
    expect(builtins.length).toBeGreaterThan(0);
  });
});
