import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, resolveConfig } from './options';

describe('resolveConfig', () => {
  it('gives the default run with no flags', () => {
    const cfg = resolveConfig({});
    expect(cfg.models).toEqual(['nmrn', 'cmn', 'neumf', 'bprmf', 'pop']);
    expect(cfg.dataset).toBe('synthetic');
    expect(cfg.protocols).toEqual(['stream', 'leave-last-out']);
    expect(cfg.evals).toEqual(['full', 'sampled-100']);
    expect(cfg.seeds).toEqual([1, 2, 3]);
    expect(cfg).toEqual(DEFAULTS);
  });

  it('parses lists and numbers from flags', () => {
    const cfg = resolveConfig({ models: 'bprmf,pop', k: '5,10', seeds: '7', epochs: '2', dim: '16', protocol: 'leave-last-out', eval: 'full' });
    expect(cfg).toMatchObject({ models: ['bprmf', 'pop'], k: [5, 10], seeds: [7], epochs: 2, dim: 16, protocols: ['leave-last-out'], evals: ['full'] });
  });

  it('reads a config file and lets flags override it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-cfg-'));
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ models: ['pop'], seeds: [1, 2], k: [10] }));
    const cfg = resolveConfig({ config: file, seeds: '3' });
    expect(cfg.models).toEqual(['pop']);
    expect(cfg.seeds).toEqual([3]);
    expect(cfg.k).toEqual([10]);
  });

  it('rejects unknown config keys and bad values before any training', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-cfg-'));
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ modles: ['pop'] }));
    expect(() => resolveConfig({ config: file })).toThrow(/config key "modles" must be one of models, dataset/);
    expect(() => resolveConfig({ models: 'svd' })).toThrow('memrec-bench: --models must list models from nmrn, cmn, neumf, bprmf, pop, got "svd"');
    expect(() => resolveConfig({ eval: 'sampled-x' })).toThrow(/--eval must list full and\/or sampled-N/);
    expect(() => resolveConfig({ epochs: '0' })).toThrow('memrec-bench: --epochs must be an integer >= 1, got 0');
    expect(() => resolveConfig({ seeds: '1,a' })).toThrow(/--seeds must be a comma-separated list of integers/);
    writeFileSync(file, '{ not json');
    expect(() => resolveConfig({ config: file })).toThrow(/--config must be a readable JSON file/);
  });

  it('rejects protocols the dataset cannot support', () => {
    expect(() => resolveConfig({ dataset: 'csv', file: 'x.csv', columns: 'user=0,item=1', protocol: 'stream' })).toThrow(
      /--protocol stream needs timestamps \(add timestamp=COL to --columns or use --protocol stratified\)/,
    );
    expect(resolveConfig({ dataset: 'csv', file: 'x.csv', columns: 'user=0,item=1', protocol: 'stratified' }).protocols).toEqual(['stratified']);
    expect(() => resolveConfig({ dataset: 'csv', columns: 'user=0,item=1' })).toThrow(/--file is required with --dataset csv/);
    expect(() => resolveConfig({ protocol: 'predefined' })).toThrow(/predefined needs --dataset ncf/);
    expect(() => resolveConfig({ dataset: 'ncf' })).toThrow(/needs --data-dir DIR and --name NCF_PREFIX/);
    expect(() => resolveConfig({ dataset: 'ncf', dataDir: 'd', name: 'ml-1m' })).toThrow(/with --dataset ncf must be predefined/);
    expect(() => resolveConfig({ columns: 'user' , dataset: 'csv', file: 'f'})).toThrow(/--columns must look like user=COL,item=COL/);
  });
});
