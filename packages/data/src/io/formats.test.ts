import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJsonLines } from './json-lines';
import { loadNcf } from './ncf';
import { loadRecBoleInter } from './recbole';

const dir = mkdtempSync(join(tmpdir(), 'memrec-fmt-'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('loadNcf', () => {
  write('toy.train.rating', '0\t0\t5\t978300760\n0\t1\t3\t978302109\n1\t1\t4\t978301968\n');
  write('toy.test.rating', '0\t2\t5\t978824291\n1\t3\t4\t978300275\n');
  write('toy.test.negative', '(0,2)\t1\t4\t2\n(1,3)\t0\t2\t5\n');

  it('returns the predefined split, identity id maps and the candidates as written', async () => {
    const d = await loadNcf(dir, 'toy');
    expect(Array.from(d.train.items)).toEqual([0, 1, 1]);
    expect(Array.from(d.test.items)).toEqual([2, 3]);
    expect(d.candidates.map((c) => Array.from(c))).toEqual([[1, 4, 2], [0, 2, 5]]);
    expect(d.testItemInCandidates).toBe(1);
    expect(d.interactions.numItems).toBe(6); // item 5 only occurs as a negative
    expect(d.items.toRaw(5)).toBe(5);
    expect(d.stats.numInteractions).toBe(5);
    expect(d.test.numUsers).toBe(2);
  });

  it('fails when the negatives do not line up with the test rows', async () => {
    write('bad.train.rating', '0\t0\t5\t1\n');
    write('bad.test.rating', '0\t2\t5\t2\n');
    const f = write('bad.test.negative', '(0,3)\t1\n');
    await expect(loadNcf(dir, 'bad')).rejects.toThrow(`loadNcf: ${f}:1: line must match row 1 of the test file (user 0, item 2): "(0,3)\\t1"`);
    await expect(loadNcf(dir, 'absent')).rejects.toThrow(/loadNcf: file must be a readable file/);
  });
});

describe('loadJsonLines', () => {
  it('reads string and numeric ids, numeric-string ratings and date timestamps', async () => {
    const f = write('r.jsonl', ['{"u":"A1","i":7,"r":"4","t":"1970-01-02T00:00:00Z"}', '', '{"u":"A2","i":"x","r":5,"t":100}'].join('\n'));
    const d = await loadJsonLines(f, { columns: { user: 'u', item: 'i', rating: 'r', timestamp: 't' } });
    expect(d.users.rawIds()).toEqual(['A1', 'A2']);
    expect(d.items.rawIds()).toEqual([7, 'x']);
    expect(Array.from(d.interactions.ratings!)).toEqual([4, 5]);
    expect(Array.from(d.interactions.timestamps!)).toEqual([86400, 100]);
  });

  it('names file and line of a bad record, or skips it when asked', async () => {
    const f = write('bad.jsonl', '{"u":1,"i":2}\n{"u":1}\n[1,2]\n{oops\n');
    await expect(loadJsonLines(f, { columns: { user: 'u', item: 'i' } })).rejects.toThrow(`loadJsonLines: ${f}:2: "i" must be a string or finite number: "{\\"u\\":1}"`);
    const d = await loadJsonLines(f, { columns: { user: 'u', item: 'i' }, skipBadLines: true });
    expect(d.stats.skippedLines).toBe(3);
    expect(d.stats.numInteractions).toBe(1);
  });
});

describe('loadRecBoleInter', () => {
  it('reads the typed header, keeps tokens as strings, finds optional columns', async () => {
    const f = write('ml.inter', 'user_id:token\titem_id:token\trating:float\ttimestamp:float\n196\t242\t3\t881250949\n186\t302\t3\t891717742\n');
    const d = await loadRecBoleInter(f);
    expect(d.users.rawIds()).toEqual(['196', '186']);
    expect(Array.from(d.interactions.timestamps!)).toEqual([881250949, 891717742]);
    const g = write('noratings.inter', 'item_id:token\tuser_id:token\nb\ta\n');
    const e = await loadRecBoleInter(g);
    expect(e.users.rawIds()).toEqual(['a']);
    expect(e.interactions.ratings).toBeUndefined();
  });

  it('rejects untyped or mistyped headers', async () => {
    await expect(loadRecBoleInter(write('x.inter', 'user_id\titem_id\n1\t2\n'))).rejects.toThrow(/must have user_id:token and item_id:token/);
    await expect(loadRecBoleInter(write('y.inter', 'user_id:float\titem_id:token\n1\t2\n'))).rejects.toThrow('field "user_id" of');
    await expect(loadRecBoleInter(write('z.inter', 'user_id:token\titem_id:token\trating:int\n1\t2\t3\n'))).rejects.toThrow(/must have a type in \{token, token_seq, float, float_seq\}, got "int"/);
  });
});
