import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDelimited } from './delimited-file';
import type { DelimitedOptions } from './delimited';
import { loadFile } from './formats';

const dir = mkdtempSync(join(tmpdir(), 'memrec-delim-'));
let n = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `f${n++}.txt`);
  writeFileSync(p, content);
  return p;
}
const UDATA: DelimitedOptions = { delimiter: '\t', columns: { user: 0, item: 1, rating: 2, timestamp: 3 } };

describe('loadDelimited', () => {
  it('reads u.data: dense ids in order of first appearance, ratings, timestamps, stats', async () => {
    const d = await loadDelimited(file('196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t4.5\t878887116\n'), UDATA);
    expect(Array.from(d.interactions.users)).toEqual([0, 1, 0]);
    expect(Array.from(d.interactions.items)).toEqual([0, 1, 1]);
    expect(Array.from(d.interactions.ratings!)).toEqual([3, 3, 4.5]);
    expect(Array.from(d.interactions.timestamps!)).toEqual([881250949, 891717742, 878887116]);
    expect(d.users.toRaw(1)).toBe(186);
    expect(d.stats).toMatchObject({ numUsers: 2, numItems: 2, numInteractions: 3, density: 3 / 4, numPairs: 3, timeRange: [878887116, 891717742], ratingRange: [3, 4.5] });
  });

  it('reads ratings.dat (::) and ratings.csv with header, BOM, CRLF and no final newline', async () => {
    const dat = await loadFile(file('1::1193::5::978300760\n1::661::3::978302109'), 'movielens-dat');
    expect(Array.from(dat.interactions.items)).toEqual([0, 1]);
    expect(dat.items.toRaw(0)).toBe(1193);
    const csv = await loadFile(file('\ufeffuserId,movieId,rating,timestamp\r\n1,31,2.5,1260759144\r\n1,1029,3.0,1260759179\r\n'), 'movielens-csv');
    expect(Array.from(csv.interactions.ratings!)).toEqual([2.5, 3]);
    expect(csv.items.toRaw(1)).toBe(1029);
  });

  it('takes columns by name in any order, string ids, quoted fields with delimiters and doubled quotes', async () => {
    const d = await loadDelimited(file('ts;item;"user"\n5;"a;b";alice\n6;"say ""hi""";bob\n7;x;alice\n'), {
      delimiter: ';',
      header: true,
      columns: { user: 'user', item: 'item', timestamp: 'ts' },
    });
    expect(d.users.rawIds()).toEqual(['alice', 'bob']);
    expect(d.items.rawIds()).toEqual(['a;b', 'say "hi"', 'x']);
    expect(Array.from(d.interactions.timestamps!)).toEqual([5, 6, 7]);
    expect(d.interactions.ratings).toBeUndefined();
  });

  it('keeps ids beyond 2^31 as numbers and beyond 15 digits or with leading zeros as strings', async () => {
    const d = await loadDelimited(file('3000000000,1\n99999999999999999999,1\n007,1\n7,1\n'), { columns: { user: 0, item: 1 } });
    expect(d.users.rawIds()).toEqual([3000000000, '99999999999999999999', '007', 7]);
    const s = await loadDelimited(file('7,1\n'), { columns: { user: 0, item: 1 }, ids: 'string' });
    expect(s.users.rawIds()).toEqual(['7']);
  });

  it('parses numbers exactly as Number() does (decimals, signs, exponents)', async () => {
    const vals = ['4', '-2.25', '0.1', '1e3', '3.', '+7', '123456789.123456789'];
    const d = await loadDelimited(file(vals.map((v, k) => `${k},1,${v}`).join('\n')), { columns: { user: 0, item: 1, rating: 2 } });
    expect(Array.from(d.interactions.ratings!)).toEqual(vals.map((v) => Math.fround(Number(v))));
  });

  it('fails on a malformed line with file, line number and text', async () => {
    const f = file('1\t2\t3\t4\n\n1\t2\tNaN\t5\n');
    await expect(loadDelimited(f, UDATA)).rejects.toThrow(`loadDelimited: ${f}:3: rating must be a finite number, got "NaN": "1\\t2\\tNaN\\t5"`);
    await expect(loadDelimited(file('1\t2\t3\tInfinity\n'), UDATA)).rejects.toThrow(/:1: timestamp must be a finite number, got "Infinity"/);
    await expect(loadDelimited(file('1\t2\tgood\t4\n'), UDATA)).rejects.toThrow(/rating must be a finite number, got "good"/);
    await expect(loadDelimited(file('1\t2\n'), UDATA)).rejects.toThrow(/:1: expected at least 4 fields separated by "\\t", got 2/);
    await expect(loadDelimited(file('"1,2\n'), { columns: { user: 0, item: 1 } })).rejects.toThrow(/:1: unterminated quoted field/);
  });

  it('skips bad lines when asked and reports how many', async () => {
    const d = await loadDelimited(file('1\t2\t3\t4\nbroken\n1\t3\tx\t5\n2\t2\t1\t6\n'), { ...UDATA, skipBadLines: true });
    expect(d.stats.numInteractions).toBe(2);
    expect(d.stats.skippedLines).toBe(2);
    expect(d.stats.skippedExamples[0]).toMatch(/:2: expected at least 4 fields/);
  });

  it('rejects empty and header-only files unless allowEmpty, a missing column, binary files', async () => {
    await expect(loadDelimited(file(''), UDATA)).rejects.toThrow(/must contain at least one interaction, got none/);
    const empty = await loadDelimited(file(''), { ...UDATA, allowEmpty: true });
    expect(empty.stats).toMatchObject({ numInteractions: 0, numUsers: 0, density: 0 });
    const csv = { delimiter: ',', header: true, columns: { user: 'userId', item: 'movieId' } };
    await expect(loadDelimited(file(''), csv)).rejects.toThrow(/must start with a header line/);
    await expect(loadDelimited(file('userId,movieId\n'), csv)).rejects.toThrow(/must contain at least one interaction/);
    expect((await loadDelimited(file('userId,movieId\r\n'), { ...csv, allowEmpty: true })).stats.numInteractions).toBe(0);
    await expect(loadDelimited(file('user,movieId\n1,2\n'), csv)).rejects.toThrow('column "userId" (user) must be in the header');
    await expect(loadDelimited(file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01])), UDATA)).rejects.toThrow(/is not a text file \(NUL byte at offset 4\)/);
    await expect(loadDelimited(join(dir, 'missing.csv'), UDATA)).rejects.toThrow(/file must be a readable file/);
  });

  it('validates options and format names', async () => {
    await expect(loadDelimited(file('1,2\n'), { columns: { user: 'u', item: 1 } })).rejects.toThrow('columns.user is a name ("u"), which needs header: true');
    await expect(loadDelimited(file('1,2\n'), { columns: { user: -1, item: 1 } })).rejects.toThrow('columns.user must be a column name or a 0-based index, got -1');
    await expect(loadDelimited(file('1,2\n'), { delimiter: '', columns: { user: 0, item: 1 } })).rejects.toThrow(/delimiter must be a non-empty string/);
    await expect(loadFile(file('1,2\n'), 'parquet' as never)).rejects.toThrow('loadFile: format must be one of movielens-100k, movielens-dat, movielens-csv, ncf-rating, recbole-inter, got "parquet"');
  });

  it('reads lines that span chunk boundaries', async () => {
    const lines = Array.from({ length: 3000 }, (_, k) => `${k % 97}\t${k % 13}\t${k % 5}\t${1000 + k}`);
    const { readLines } = await import('./line-reader');
    const f = file(lines.join('\n'));
    const seen: string[] = [];
    await readLines(f, 't', (b, s, e) => seen.push(b.toString('utf8', s, e)), { chunkSize: 64 });
    expect(seen).toEqual(lines);
    const d = await loadDelimited(f, UDATA);
    expect(Array.from(d.interactions.timestamps!)).toEqual(lines.map((_, k) => 1000 + k));
  });
});
