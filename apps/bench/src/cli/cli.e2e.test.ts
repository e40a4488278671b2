/**
 * The CLI end to end on small files in the real formats: NCF files with the predefined
 * protocol, a CSV with string ids, then `recommend` from a checkpoint the run saved; a
 * headerless TSV with positional columns; what it refuses (an empty file, a used --out).
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRng, UserItemSet } from '@memrec/core';
import { leaveLastOut, syntheticStream } from '@memrec/data';
import type { Results } from '../report/types';
import { runCli } from './main';

const data = syntheticStream({ seed: 3, numUsers: 80, numItems: 60, numEvents: 3000 });
const base = ['node', 'memrec-bench', '--models', 'bprmf,pop', '--seeds', '1', '--k', '5,10', '--epochs', '2', '--quiet', '--workers', '1', '--backend', 'cpu'];

function capture(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  return { lines, restore: () => log.mockRestore() };
}

/** Runs the CLI in this process with console.log captured; the lines it printed. */
async function quietly(argv: string[]): Promise<string[]> {
  const cap = capture();
  try {
    await runCli(argv);
  } finally {
    cap.restore();
  }
  return cap.lines;
}

describe('memrec-bench CLI', () => {
  it('runs the predefined protocol on NCF files (a test item listed among its own negatives included)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-ncf-'));
    const { train, test } = leaveLastOut(data);
    const t = data.interactions.timestamps as Float64Array;
    const line = (u: number, i: number) => `${u}\t${i}\t1\t${Math.round(t[0])}`;
    writeFileSync(join(dir, 'toy.train.rating'), Array.from(train.users, (u, k) => line(u, train.items[k])).join('\n') + '\n');
    writeFileSync(join(dir, 'toy.test.rating'), Array.from(test.users, (u, k) => line(u, test.items[k])).join('\n') + '\n');
    const all = UserItemSet.fromInteractions(data.interactions);
    const rng = seededRng(9);
    const negatives = Array.from(test.users, (u, k) => {
      const negs: number[] = k === 0 ? [test.items[0]] : []; // the test item among its own negatives, as in the NCF ml-1m file
      while (negs.length < 20) {
        const i = Math.floor(rng() * data.interactions.numItems);
        if (!all.has(u, i)) negs.push(i);
      }
      return `(${u},${test.items[k]})\t${negs.join('\t')}`;
    });
    writeFileSync(join(dir, 'toy.test.negative'), negatives.join('\n') + '\n');
    const out = join(dir, 'run');
    const cap = capture();
    try {
      await runCli([...base, '--dataset', 'ncf', '--data-dir', dir, '--name', 'toy', '--protocol', 'predefined', '--eval', 'sampled-20', '--out', out]);
    } finally {
      cap.restore();
    }
    expect(cap.lines.join('\n')).toContain(`results: ${join(out, 'results.md')}`);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.runs.map((r) => r.model)).toEqual(['bprmf', 'pop']);
    for (const r of results.runs) {
      const m = r.metrics['sampled-20'];
      expect(m['hr@10']).toBeGreaterThan(0);
      expect(m['hr@10']).toBeGreaterThanOrEqual(m['hr@5']);
      expect(m['hr@10']).toBeLessThanOrEqual(1);
    }
    expect(results.card.protocols).toEqual(['predefined']);
  });

  it('runs on a CSV with string ids and recommends from the saved checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-csv-'));
    const x = data.interactions;
    const rows = Array.from(x.users, (u, k) => `user-${u},item-${x.items[k]},${(x.timestamps as Float64Array)[k]}`);
    writeFileSync(join(dir, 'events.csv'), `uid,iid,ts\n${rows.join('\n')}\n`);
    const out = join(dir, 'run');
    await runCli([...base, '--dataset', 'csv', '--file', join(dir, 'events.csv'), '--header', '--columns', 'user=uid,item=iid,timestamp=ts', '--protocol', 'leave-last-out', '--eval', 'full', '--out', out]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(Object.keys(results.summary).sort()).toEqual(['bprmf', 'pop']);
    const cap = capture();
    try {
      await runCli(['node', 'memrec-bench', 'recommend', '--checkpoint', join(out, 'checkpoints', 'bprmf.memrec'), '--user', 'user-3', '--k', '5', '--backend', 'cpu']);
    } finally {
      cap.restore();
    }
    expect(cap.lines[0]).toBe('top 5 for user user-3 (bprmf):');
    expect(cap.lines.slice(1)).toHaveLength(5);
    for (const l of cap.lines.slice(1)) expect(l).toMatch(/^\s+\d\. item item-\d+ {2}score -?\d+\.\d{4}$/);
    const cold = capture();
    try {
      await runCli(['node', 'memrec-bench', 'recommend', '--checkpoint', join(out, 'checkpoints', 'bprmf.memrec'), '--user', 'nobody', '--k', '3']);
    } finally {
      cold.restore();
    }
    expect(cold.lines[0]).toBe('user nobody is not in the checkpoint: the 3 most popular recent items (bprmf):');
    expect(cold.lines.slice(1)).toHaveLength(3);
    await expect(runCli(['node', 'memrec-bench', 'recommend', '--checkpoint', join(out, 'checkpoints', 'missing.memrec'), '--user', 'user-3'])).rejects.toThrow(/loadOnlineCheckpoint: .*missing\.memrec/);
  });

  it('runs on a headerless TSV with 0-based --columns, a typed \\t delimiter and an NMRN variant by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-tsv-'));
    const x = data.interactions;
    const rows = Array.from(x.users, (u, k) => `${u}\t${x.items[k]}\t${1 + (k % 5)}\t${(x.timestamps as Float64Array)[k]}`);
    const file = join(dir, 'u.data');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const out = join(dir, 'run');
    const args = ['--dataset', 'csv', '--file', file, '--no-header', '--delimiter', '\\t', '--columns', 'user=0,item=1,rating=2,timestamp=3'];
    await quietly([...base.map((a) => (a === 'bprmf,pop' ? 'nmrn-uniform,pop' : a)), ...args, '--epochs', '1', '--protocol', 'leave-last-out', '--eval', 'full', '--out', out]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.runs.map((r) => r.model)).toEqual(['nmrn-uniform', 'pop']);
    const card = results.card as { dataset: { source: unknown; stats: { numInteractions: number } } };
    expect(card.dataset.source).toMatchObject({ file, header: false, delimiter: '\t', columns: { user: 0, item: 1, rating: 2, timestamp: 3 } });
    expect(card.dataset.stats.numInteractions).toBe(x.users.length);
    expect(existsSync(join(out, 'checkpoints', 'nmrn-uniform.memrec'))).toBe(true);
  });

  it('refuses a header-only file without suggesting an option the CLI lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-empty-'));
    const file = join(dir, 'events.csv');
    writeFileSync(file, 'uid,iid,ts\n');
    const run = runCli([...base, '--dataset', 'csv', '--file', file, '--columns', 'user=uid,item=iid,timestamp=ts', '--out', join(dir, 'run')]);
    await expect(run).rejects.toThrow(`memrec-bench: --file must hold at least one interaction after its header line, got none in ${JSON.stringify(file)}`);
    await expect(run).rejects.not.toThrow(/allowEmpty|allow-empty/);
  });

  it('refuses an --out that is a file, and overwrites an earlier run only with --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-out-'));
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me\n');
    const quick = [...base.map((a) => (a === 'bprmf,pop' ? 'pop' : a)), '--protocol', 'leave-last-out', '--eval', 'full'];
    await expect(runCli([...quick, '--out', file])).rejects.toThrow(`memrec-bench: --out must be a folder, got a file ${JSON.stringify(file)}`);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    const out = join(dir, 'run');
    expect(await quietly([...quick, '--out', out])).toContain(`results: ${join(out, 'results.md')}`);
    const first = statSync(join(out, 'results.json')).mtimeMs;
    await expect(runCli([...quick, '--out', out])).rejects.toThrow(`memrec-bench: --out must not hold an earlier run (results.json) unless --force is given, got ${JSON.stringify(out)}`);
    expect(statSync(join(out, 'results.json')).mtimeMs).toBe(first);
    await quietly([...quick, '--out', out, '--force']);
    const again = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(again.command).toContain('--force');
  });
});
