/**
 * A published split as two files (`--dataset files --train-file A --test-file B`, IRGAN's
 * MovieLens format: `user \t item \t rating`, 0-based, no header) under `--protocol predefined`,
 * for ranking with `--min-rating 4` (P@k and NDCG@k at every k) and for `--task rating`
 * (RMSE and MAE of cfnade and bias); and what the options refuse.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRng } from '@memrec/core';
import type { Results } from '../report/types';
import { loadSplitFiles } from '../experiment/dataset';
import { runCli } from './main';
import { resolveConfig } from './options';

const dir = mkdtempSync(join(tmpdir(), 'memrec-files-'));
const rng = seededRng(7);
const lines: [string[], string[]] = [[], []];
for (let u = 0; u < 40; u++) {
  for (let i = 0; i < 30; i++) {
    if (rng() < 0.4) {
      const r = Math.min(5, Math.max(1, Math.round(3 + (u % 2 === i % 2 ? 1 : -1) + (rng() - 0.5) * 2)));
      lines[rng() < 0.2 ? 1 : 0].push(`${u}\t${i}\t${r}`);
    }
  }
}
// an item only the test file knows
lines[1].push('3\t99\t5');
const trainFile = join(dir, 'train.txt');
const testFile = join(dir, 'test.txt');
writeFileSync(trainFile, lines[0].join('\n') + '\n');
writeFileSync(testFile, lines[1].join('\n') + '\n');
const files = ['--dataset', 'files', '--train-file', trainFile, '--test-file', testFile, '--columns', 'user=0,item=1,rating=2', '--no-header', '--delimiter', 'tab', '--protocol', 'predefined'];
const base = ['node', 'memrec-bench', '--seeds', '1', '--quiet', '--workers', '1', '--backend', 'cpu', '--force'];

async function quietly(argv: string[]): Promise<void> {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await runCli(argv);
  } finally {
    log.mockRestore();
  }
}

describe('--dataset files', () => {
  it('maps ids once over both files (the test-only item gets its own id)', async () => {
    const cfg = resolveConfig({ dataset: 'files', trainFile, testFile, columns: 'user=0,item=1,rating=2', header: false, delimiter: 'tab', protocol: 'predefined' });
    const { train, test, data } = await loadSplitFiles(cfg);
    expect(train.users.length).toBe(lines[0].length);
    expect(test.users.length).toBe(lines[1].length);
    expect(train.numItems).toBe(test.numItems);
    const last = test.items.length - 1;
    expect(data.items.toRaw(test.items[last])).toBe(99);
    expect(data.users.toRaw(test.users[last])).toBe(3);
    expect(test.ratings?.[last]).toBe(5);
  });

  it('ranks under the predefined split with --min-rating 4 and prints P@k and NDCG@k at every k', async () => {
    const out = join(dir, 'rank');
    await quietly([...base, ...files, '--models', 'pop,irgan', '--min-rating', '4', '--k', '3,5,10', '--eval', 'full', '--epochs', '1', '--set', 'irgan.pretrainEpochs=2', '--out', out]);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    for (const m of ['precision@3', 'precision@5', 'precision@10', 'ndcg@3', 'ndcg@5', 'ndcg@10']) expect(res.summary.irgan.full[m]).toBeDefined();
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    for (const col of ['precision@3', 'ndcg@5', 'precision@10']) expect(md).toContain(col);
  });

  it('--task rating reports RMSE and MAE of cfnade and bias, compared on the squared error', async () => {
    const out = join(dir, 'rating');
    await quietly([...base, ...files, '--task', 'rating', '--models', 'cfnade,bias', '--epochs', '2', '--dim', '8', '--out', out]);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    for (const m of ['cfnade', 'bias']) {
      expect(res.summary[m].rating.rmse.mean).toBeGreaterThan(0);
      expect(res.summary[m].rating.mae.mean).toBeLessThanOrEqual(res.summary[m].rating.rmse.mean);
    }
    expect(res.comparisons.some((c) => c.a === 'cfnade' && c.b === 'bias' && c.metric === 'mse')).toBe(true);
  });

  it('refuses what cannot work, naming the flag and the value', () => {
    expect(() => resolveConfig({ dataset: 'files', trainFile, columns: 'user=0,item=1', header: false, protocol: 'predefined' })).toThrow('memrec-bench: --dataset files needs --train-file FILE and --test-file FILE');
    expect(() => resolveConfig({ dataset: 'files', trainFile, testFile, columns: 'user=0,item=1', header: false, protocol: 'stratified' })).toThrow('memrec-bench: --protocol with --dataset files must be predefined (the split is the two files), got "stratified"');
    expect(() => resolveConfig({ task: 'rating', models: 'bprmf', protocol: 'random' })).toThrow('memrec-bench: --models with --task rating must list models that predict ratings (cfnade, bias), got "bprmf"');
    expect(() => resolveConfig({ task: 'rating', models: 'bias', protocol: 'stratified' })).toThrow('memrec-bench: --protocol with --task rating must be random');
    expect(() => resolveConfig({ task: 'rank' })).toThrow('memrec-bench: --task must be one of ranking, rating, got "rank"');
    expect(() => resolveConfig({ task: 'rating', models: 'bias', protocol: 'random', dataset: 'movielens-100k', minRating: 4 })).toThrow('memrec-bench: --min-rating must not be given with --task rating');
  });
});
