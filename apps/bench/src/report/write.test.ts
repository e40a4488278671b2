import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeResults, withCurves } from './test-fixture';
import { prettyJsonChunks, REPORT_FILES, writeReports } from './write';

describe('writeReports', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-report-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes every report file, creating the output directory', async () => {
    const out = path.join(dir, 'runs', 'x');
    const { files } = await writeReports(makeResults(), out);
    expect(files).toEqual(REPORT_FILES.map((f) => path.join(out, f)));
    for (const f of files) expect(fs.statSync(f).size).toBeGreaterThan(200);
    expect(fs.readdirSync(out).sort()).toEqual(['charts', 'index.html', 'results.csv', 'results.json', 'results.md']);
    expect(fs.readdirSync(path.join(out, 'charts')).sort()).toEqual(['learning-curves.svg', 'loss.svg', 'stream.svg', 'summary.svg']);
  });

  it('embeds in index.html the very charts it writes as files', async () => {
    const { files } = await writeReports(withCurves(makeResults()), dir);
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    for (const f of files.filter((x) => x.endsWith('.svg'))) expect(html).toContain(fs.readFileSync(f, 'utf8').trim());
  });

  it('is deterministic: the same results give byte-identical files', async () => {
    const a = (await writeReports(makeResults(), path.join(dir, 'a'))).files;
    const b = (await writeReports(makeResults(), path.join(dir, 'b'))).files;
    a.forEach((f, i) => expect(fs.readFileSync(f).equals(fs.readFileSync(b[i]))).toBe(true));
  });

  it('writes results.json as pretty JSON that parses back to the input', async () => {
    const results = makeResults();
    await writeReports(results, dir);
    const text = fs.readFileSync(path.join(dir, 'results.json'), 'utf8');
    expect(text).toBe(JSON.stringify(results, null, 2) + '\n');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(results)));
  });

  it('prettyJsonChunks matches JSON.stringify, including empty objects and undefined fields', () => {
    for (const v of [{}, { a: 1 }, { a: undefined, b: { c: [1, { d: 'x' }] }, e: [] }]) {
      expect(Array.from(prettyJsonChunks(v)).join('')).toBe(JSON.stringify(v, null, 2) + '\n');
    }
  });

  it('never leaves a partial results.json when writing fails midway', async () => {
    const file = path.join(dir, 'results.json');
    fs.writeFileSync(file, '{"previous": "run"}\n');
    const results = makeResults();
    // A BigInt cannot be written as JSON: serialising fails at "runs", after earlier keys were written.
    (results.runs[3] as unknown as Record<string, unknown>).trainSeconds = BigInt(7);
    await expect(writeReports(results, dir)).rejects.toThrow(/BigInt/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"previous": "run"}\n');
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects bad input with the function, field, rule and value', async () => {
    await expect(writeReports(makeResults(), '')).rejects.toThrow('writeReports: outDir must be a non-empty directory path, got ""');
    const r = makeResults();
    (r.runs[1] as unknown as Record<string, unknown>).seed = 'x';
    await expect(writeReports(r, dir)).rejects.toThrow('writeReports: results.runs[1].seed must be a finite number, got "x"');
    const v = { ...makeResults(), version: 2 } as unknown as Parameters<typeof writeReports>[0];
    await expect(writeReports(v, dir)).rejects.toThrow('writeReports: results.version must be 1, got 2');
    const s = makeResults();
    (s.summary.nmrn.full as Record<string, unknown>)['hr@10'] = 0.3;
    await expect(writeReports(s, dir)).rejects.toThrow('writeReports: results.summary.nmrn.full.hr@10 must be { mean, std, ci95, n }, got 0.3');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
