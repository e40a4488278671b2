import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCpuBackend } from '@memrec/test-helpers';
import { resolveConfig } from '../cli/options';
import { createProgress } from '../cli/progress';
import { SEARCH_SPACES, trialConfigs, tune, type Trial } from './tune';

useCpuBackend();

describe('tune', () => {
  it('draws distinct seeded random trials from the grid, or walks the grid in order', () => {
    const space = { a: [1, 2, 3], b: ['x', 'y'] };
    const r1 = trialConfigs(space, 4, 'random', 7);
    expect(trialConfigs(space, 4, 'random', 7)).toEqual(r1);
    expect(new Set(r1.map((c) => JSON.stringify(c))).size).toBe(4);
    expect(trialConfigs(space, 10, 'random', 7)).toHaveLength(6);
    expect(trialConfigs(space, 3, 'grid', 7)).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }]);
    for (const [model, s] of Object.entries(SEARCH_SPACES)) expect({ model, options: Object.keys(s).length > 0 }).toEqual({ model, options: true });
  });

  it('scores trials on validation only, logs them, resumes an interrupted search, and writes a config bench --config takes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-tune-'));
    const base = join(dir, 'run.json');
    writeFileSync(base, JSON.stringify({ synthetic: { numUsers: 80, numItems: 50, numEvents: 3000 }, protocol: 'leave-last-out', seeds: [3] }));
    const cfg = resolveConfig({ config: base, models: 'bprmf', set: ['bprmf.epochs=5'] });
    const space = { dim: [4, 8], learningRate: [0.02, 0.05] };
    const out = join(dir, 'tune');
    const first = await tune(cfg, { model: 'bprmf', trials: 2, search: 'random', metric: 'ndcg@10', space, out }, createProgress({ quiet: true }));
    expect(first.trials).toHaveLength(2);
    const again = await tune(cfg, { model: 'bprmf', trials: 3, search: 'random', metric: 'ndcg@10', space, out }, createProgress({ quiet: true }));
    const log = readFileSync(join(out, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Trial);
    expect(log).toHaveLength(3);
    expect(log.slice(0, 2)).toEqual(first.trials); // the first two were read back, not retrained
    expect(again.best.value).toBe(Math.max(...log.map((t) => t.value)));
    for (const t of log) expect(t.value).toBeGreaterThan(0);
    const best = resolveConfig({ config: again.configFile });
    expect(best.models).toEqual(['bprmf']);
    expect(best.modelOptions.bprmf).toEqual({ epochs: 5, ...again.best.options });
    expect(best.protocols).toEqual(['leave-last-out']);
    // a log from another search is refused, not mixed in
    await expect(tune(cfg, { model: 'bprmf', trials: 3, search: 'grid', metric: 'ndcg@10', space, out }, createProgress({ quiet: true }))).rejects.toThrow(/must come from the same search/);
    await expect(tune(cfg, { model: 'pop', trials: 1, search: 'grid', metric: 'ndcg@10', out }, createProgress({ quiet: true }))).rejects.toThrow('memrec-bench tune: --model must be one of nmrn, cmn, neumf, bprmf or an nmrn-<variant>, got "pop"');
    await expect(tune(cfg, { model: 'bprmf', trials: 1, search: 'grid', metric: 'ndcg@10', space: { dim: [0] }, out }, createProgress({ quiet: true }))).rejects.toThrow('BprMf: option dim must be an integer >= 1, got 0');
  }, 120000);
});
