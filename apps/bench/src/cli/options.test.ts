import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { variantOptions } from '../experiment/variants';
import { checkOutDir, DEFAULTS, NMRN_VARIANTS, parseDelimiter, resolveConfig } from './options';

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
    expect(() => resolveConfig({ models: 'svd' })).toThrow(
      'memrec-bench: --models must list models from nmrn, cmn, neumf, bprmf, pop, irgan, gru4rec, rum-item, rum-feature, stamp, ksr, mars, dmn, cfnade, bias, NMRN variants nmrn-uniform, nmrn-popularity, nmrn-gan, nmrn-dns, nmrn-shared, nmrn-per-user or bprmf-dns, got "svd"',
    );
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

  it('takes every NMRN variant name a run prints, once each', () => {
    for (const v of NMRN_VARIANTS) expect(resolveConfig({ models: `${v},pop` }).models).toEqual([v, 'pop']);
    expect(resolveConfig({ models: 'pop,bprmf,pop' }).models).toEqual(['pop', 'bprmf']);
    // nmrn is uniform + per-user by default: nmrn-uniform / nmrn-per-user beside it would train the same model twice
    expect(() => resolveConfig({ models: 'nmrn,nmrn-uniform' })).toThrow(
      'memrec-bench: --models must not list both nmrn and nmrn-uniform: with uniform first in --nmrn-sampler / --nmrn-memory they are the same model, got "nmrn,nmrn-uniform"',
    );
    expect(() => resolveConfig({ models: 'nmrn,nmrn-per-user' })).toThrow(/must not list both nmrn and nmrn-per-user/);
    expect(resolveConfig({ models: 'nmrn,nmrn-gan', nmrnSampler: 'uniform,gan' }).models).toEqual(['nmrn', 'nmrn-gan']);
  });

  it('reads --delimiter as one character, a backslash-t as typed in a shell, or a name', () => {
    expect(parseDelimiter('\\t')).toBe('\t'); // the two characters \ and t
    expect(parseDelimiter('tab')).toBe('\t');
    expect(parseDelimiter('TAB')).toBe('\t');
    expect(parseDelimiter('comma')).toBe(',');
    expect(parseDelimiter('semicolon')).toBe(';');
    expect(parseDelimiter('pipe')).toBe('|');
    expect(parseDelimiter('space')).toBe(' ');
    expect(parseDelimiter('::')).toBe('::');
    expect(parseDelimiter(';')).toBe(';');
    expect(parseDelimiter('\t')).toBe('\t'); // a real tab passes through
    expect(resolveConfig({ delimiter: '\\t' }).delimiter).toBe('\t');
    expect(() => resolveConfig({ delimiter: ';;' })).toThrow(
      'memrec-bench: --delimiter must be one character (not a quote or line break), \\t, ::, or one of tab, comma, semicolon, pipe, space, got ";;"',
    );
    expect(() => parseDelimiter('tabs')).toThrow(/--delimiter must be one character .*, got "tabs"/);
    expect(() => parseDelimiter('"')).toThrow(/--delimiter must be one character \(not a quote or line break\)/);
    expect(() => parseDelimiter('')).toThrow(/--delimiter must be one character .*, got ""/);
  });

  it('reads --columns as 0-based numbers without a header line and as names with one', () => {
    const csv = { dataset: 'csv', file: 'x.tsv', protocol: 'stratified' };
    expect(resolveConfig({ ...csv, header: false, columns: 'user=0,item=1,rating=2,timestamp=3' }).columns).toEqual({ user: 0, item: 1, rating: 2, timestamp: 3 });
    expect(resolveConfig({ ...csv, columns: 'user=uid,item=iid' }).columns).toEqual({ user: 'uid', item: 'iid' });
    expect(resolveConfig({ ...csv, header: false, columns: { user: 2, item: 0 } }).columns).toEqual({ user: 2, item: 0 });
    expect(() => resolveConfig({ ...csv, header: false, columns: 'user=uid,item=1' })).toThrow(
      'memrec-bench: --columns user must be a 0-based column number without a header line (e.g. user=0,item=1; or pass --header to use names), got "uid"',
    );
    expect(() => resolveConfig({ ...csv, header: false, columns: 'user=-1,item=1' })).toThrow(/--columns user must be a 0-based column number .*, got "-1"/);
    expect(() => resolveConfig({ ...csv, header: false, columns: 'user=0,item=0' })).toThrow('memrec-bench: --columns user and item must be different columns, got 0');
  });

  it('refuses an --out that is a file, or that holds an earlier run unless --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-out-'));
    const file = join(dir, 'events.csv');
    writeFileSync(file, 'u,i\n');
    expect(() => checkOutDir(file, false)).toThrow(`memrec-bench: --out must be a folder, got a file ${JSON.stringify(file)}`);
    expect(() => checkOutDir(file, true)).toThrow(/--out must be a folder/);
    expect(() => checkOutDir(join(dir, 'new'), false)).not.toThrow();
    const run = join(dir, 'run');
    mkdirSync(run);
    expect(() => checkOutDir(run, false)).not.toThrow();
    writeFileSync(join(run, 'results.json'), '{}');
    expect(() => checkOutDir(run, false)).toThrow(`memrec-bench: --out must not hold an earlier run (results.json) unless --force is given, got ${JSON.stringify(run)}`);
    expect(() => checkOutDir(run, true)).not.toThrow();
    expect(resolveConfig({ force: true }).force).toBe(true);
    expect(DEFAULTS.force).toBe(false);
  });
});

describe('per-model hyperparameters', () => {
  it('--set takes model.option=value, typed by the model\'s rules, variant options over model options', () => {
    const cfg = resolveConfig({ set: ['cmn.dim=50', 'cmn.hops=3', 'neumf.layers=64,32', 'nmrn.writeGradient=true', 'nmrn-uniform.margin=1', 'bprmf.l2=0.002'] });
    expect(cfg.modelOptions).toEqual({ cmn: { dim: 50, hops: 3 }, neumf: { layers: [64, 32] }, nmrn: { writeGradient: true }, 'nmrn-uniform': { margin: 1 }, bprmf: { l2: 0.002 } });
    expect(variantOptions('cmn', cfg)).toEqual({ dim: 50, hops: 3 });
    expect(variantOptions('nmrn-uniform', cfg)).toMatchObject({ writeGradient: true, margin: 1, sampler: 'uniform', memory: 'per-user' });
    expect(variantOptions('nmrn', cfg)).toMatchObject({ writeGradient: true, sampler: 'uniform' });
    expect(variantOptions('nmrn', cfg).margin).toBeUndefined();
  });

  it('--epochs, --batch-size and --dim apply to every model; --set wins over them', () => {
    const cfg = resolveConfig({ epochs: '4', dim: '8', set: ['bprmf.epochs=20'] });
    expect(variantOptions('bprmf', cfg)).toEqual({ dim: 8, epochs: 20 });
    expect(variantOptions('neumf', cfg)).toEqual({ factors: 8, epochs: 4 });
    expect(variantOptions('pop', cfg)).toEqual({ epochs: 4 });
  });

  it('names the model, the option, the rule and the value when something is wrong', () => {
    expect(() => resolveConfig({ set: ['foo.dim=3'] })).toThrow('memrec-bench: --set must name a model (nmrn, cmn, neumf, bprmf, pop, irgan, gru4rec, rum-item, rum-feature, stamp, ksr, mars, dmn, cfnade, bias or an nmrn-<variant>) before the dot, got "foo.dim=3"');
    expect(resolveConfig({ set: ['gru4rec.hidden=32'] }).modelOptions.gru4rec).toEqual({ hidden: 32 }); // a digit in the model name
    expect(() => resolveConfig({ set: ['cmn.dims=3'] })).toThrow('memrec-bench: --set cmn.dims=3: Cmn has no option "dims"; its options are dim, hops');
    expect(() => resolveConfig({ set: ['cmn.dim=abc'] })).toThrow('memrec-bench: --set cmn.dim=abc: must be an integer >= 1, got "abc"');
    expect(() => resolveConfig({ set: ['cmn.dim=0'] })).toThrow('memrec-bench: models.cmn: Cmn: option dim must be an integer >= 1, got 0');
    expect(() => resolveConfig({ set: ['nmrn.sampler=irgan'] })).toThrow('memrec-bench: models.nmrn: Nmrn: option sampler must be one of "gan", "uniform", "popularity", "dns", got "irgan"');
    expect(() => resolveConfig({ set: ['cmn-dim=3'] })).toThrow('memrec-bench: --set must look like model.option=value (e.g. cmn.dim=50), got "cmn-dim=3"');
  });

  it('--preset paper gives CMN the paper\'s setup under --epochs and --set; other models keep their defaults', () => {
    const cfg = resolveConfig({ preset: 'paper', epochs: '2', set: ['cmn.hops=3'] });
    expect(variantOptions('cmn', cfg)).toEqual({ dim: 50, hops: 3, maxNeighbours: 0, negatives: 4, optimizer: 'rmsprop', learningRate: 0.001, l2: 0.1, batchSize: 32, pretrainEpochs: 15, pretrainScale: 0.5, pretrainSolver: 'adam', outputInit: 'glorot', epochs: 2 });
    expect(variantOptions('bprmf', cfg)).toEqual({ epochs: 2 });
    expect(variantOptions('cmn', resolveConfig({}))).toEqual({});
    const dir = mkdtempSync(join(tmpdir(), 'memrec-cfg-'));
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ preset: 'paper' }));
    expect(resolveConfig({ config: join(dir, 'run.json') }).preset).toBe('paper');
    expect(() => resolveConfig({ preset: 'papers' })).toThrow('memrec-bench: --preset must be one of paper, got "papers"');
  });

  it('a config file\'s "models" object configures and selects models', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-cfg-'));
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify({ models: { cmn: { dim: 50 }, pop: {} } }));
    const cfg = resolveConfig({ config: file, set: ['cmn.hops=3'] });
    expect(cfg.models).toEqual(['cmn', 'pop']);
    expect(cfg.modelOptions).toEqual({ cmn: { dim: 50, hops: 3 }, pop: {} });
    writeFileSync(file, JSON.stringify({ models: { cmn: { dim: -1 } } }));
    expect(() => resolveConfig({ config: file })).toThrow('memrec-bench: models.cmn: Cmn: option dim must be an integer >= 1, got -1');
  });
});
