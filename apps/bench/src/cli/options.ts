import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { checkModelOptions, parseSets, PRESETS, type ModelOptions } from './model-options';

/** Every model the benchmark knows. */
export const MODELS = ['nmrn', 'cmn', 'neumf', 'bprmf', 'pop', 'irgan', 'gru4rec', 'rum-item', 'rum-feature', 'stamp', 'ksr', 'mars', 'dmn', 'cfnade', 'bias'] as const;
/** Models that predict explicit ratings (`--task rating`): CF-NADE and the user/item bias baseline. */
export const RATING_MODELS = ['cfnade', 'bias'] as const;
/** The models of a run without `--models`. */
export const DEFAULT_MODELS = ['nmrn', 'cmn', 'neumf', 'bprmf', 'pop'] as const;
/** Other named variants: `bprmf-dns` is BPR-MF trained on dynamic negatives (DNS, the hardest of 5 uniform candidates). */
export const MODEL_VARIANTS = ['bprmf-dns'] as const;
/** NMRN variants that `--models` also takes by name: `nmrn-<sampler>` and `nmrn-<memory>` (see `modelVariants`). */
export const NMRN_VARIANTS = ['nmrn-uniform', 'nmrn-popularity', 'nmrn-gan', 'nmrn-dns', 'nmrn-shared', 'nmrn-per-user'] as const;
/** Names `--delimiter` takes besides a single character (`\t` is what a shell passes for `'\t'`: backslash, t). */
export const DELIMITER_NAMES: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|', space: ' ', '::': '::' };
export const DATASETS = ['synthetic', 'movielens-100k', 'movielens-1m', 'movielens-latest-small', 'ncf', 'csv', 'files'] as const;
export const PROTOCOLS = ['stream', 'leave-last-out', 'stratified', 'temporal', 'predefined', 'random'] as const;
/** `ranking`: top-k metrics (the default); `rating`: RMSE and MAE of predicted ratings (`RATING_MODELS`). */
export const TASKS = ['ranking', 'rating'] as const;
export const BACKENDS = ['auto', 'node', 'wasm', 'cpu'] as const;

/**
 * An early-stopping setting: the validation metric (as in `--early-stopping`) and how many
 * epochs without improvement end training.
 *
 * @example
 * ```ts
 * const es: EarlyStopping = { metric: 'ndcg@10', patience: 3 }; // --early-stopping ndcg@10:3
 * ```
 */
export interface EarlyStopping {
  metric: string;
  patience: number;
}

/**
 * Parses an `--early-stopping` value: `METRIC[:patience]` (patience 3 when left out), or
 * `none` (also `off`, or `false` in a config file) for no early stopping in any model.
 *
 * @example
 * ```ts
 * parseEarlyStopping('ndcg@10:5'); // { metric: 'ndcg@10', patience: 5 }
 * parseEarlyStopping('mrr'); // { metric: 'mrr', patience: 3 }
 * parseEarlyStopping('none'); // 'none'
 * ```
 */
export function parseEarlyStopping(v: unknown): EarlyStopping | 'none' {
  if (v === false || v === 'none' || v === 'off') return 'none';
  const m = /^((?:hr|ndcg|precision|recall|map)@([1-9]\d*)|mrr|auc)(?::([1-9]\d*))?$/.exec(String(v));
  if (!m) fail('--early-stopping', 'must be METRIC[:patience] with METRIC one of hr@K, ndcg@K, precision@K, recall@K, map@K, mrr, auc (e.g. ndcg@10:3), or none', v);
  return { metric: (m as RegExpExecArray)[1], patience: Number((m as RegExpExecArray)[3] ?? 3) };
}

/** A complete, validated benchmark configuration. */
export interface RunConfig {
  models: string[];
  dataset: (typeof DATASETS)[number];
  dataDir?: string;
  name?: string;
  file?: string;
  /** `--dataset files`: the training file and the test file of a published split (same format, same columns). */
  trainFile?: string;
  testFile?: string;
  /** What is evaluated: ranking (top-k) or rating (RMSE / MAE). */
  task: (typeof TASKS)[number];
  /** Header names (with `header`) or 0-based column numbers (without) of user, item, timestamp, rating. */
  columns?: Record<string, string | number>;
  /** The field separator itself (names such as `tab` are resolved). */
  delimiter: string;
  header: boolean;
  minRating?: number;
  protocols: string[];
  evals: string[];
  k: number[];
  seeds: number[];
  epochs?: number;
  dim?: number;
  batchSize?: number;
  backend: (typeof BACKENDS)[number];
  out?: string;
  /** Overwrite the run already in `out` (a folder holding results.json). */
  force: boolean;
  quiet: boolean;
  /** NMRN samplers (uniform, popularity, gan, dns): the first is `nmrn`, each other adds `nmrn-<sampler>`; default uniform only. */
  nmrnSamplers: string[];
  /** NMRN value memories: per-user and/or shared (the paper's figure); the first is "nmrn", others add "nmrn-<memory>". */
  nmrnMemory: string[];
  /** Worker processes running jobs in parallel (each uses one core); default min(2, cores). */
  workers: number;
  /**
   * `--early-stopping METRIC[:patience]`: every model trains on a validation split of the
   * training data, stops when METRIC stops improving and keeps the best epoch; `none`: no model
   * does; unset: each model's own default (`EARLY_STOPPING_DEFAULTS` in `experiment/variants`).
   */
  earlyStopping?: EarlyStopping | 'none';
  /** Hyperparameters per model or NMRN variant (`--set model.key=value`, config `"models": { "cmn": { "dim": 50 } }`). */
  modelOptions: ModelOptions;
  /** `--preset NAME`: a named set of model options under everything else (see `PRESETS`, e.g. `paper`). */
  preset?: string;
  /** Stream protocol: `skip` (default) scores only events whose user and item were seen before their block; `include` scores every event. */
  coldStart: 'skip' | 'include';
  /** Size of the synthetic stream (config file only); default 2,000 users x 1,000 items x 100,000 events. */
  synthetic?: { numUsers: number; numItems: number; numEvents: number };
}

export const DEFAULTS: RunConfig = {
  models: [...DEFAULT_MODELS],
  dataset: 'synthetic',
  task: 'ranking',
  delimiter: ',',
  header: true,
  protocols: ['stream', 'leave-last-out'],
  evals: ['full', 'sampled-100'],
  k: [5, 10, 20],
  seeds: [1, 2, 3],
  backend: 'auto',
  force: false,
  quiet: false,
  nmrnSamplers: ['uniform'],
  nmrnMemory: ['per-user'],
  workers: Math.max(1, Math.min(2, availableParallelism())),
  coldStart: 'skip',
  modelOptions: {},
};

/** Keys accepted in a `--config` file (the long flag names in camelCase). */
const KEYS: Record<string, 'list' | 'numlist' | 'string' | 'number' | 'boolean' | 'columns' | 'size' | 'stopping'> = {
  models: 'list', dataset: 'string', dataDir: 'string', name: 'string', file: 'string', columns: 'columns',
  delimiter: 'string', header: 'boolean', minRating: 'number', protocol: 'list', eval: 'list', k: 'numlist',
  seeds: 'numlist', epochs: 'number', dim: 'number', batchSize: 'number', backend: 'string', out: 'string',
  force: 'boolean', quiet: 'boolean', nmrnSampler: 'list', nmrnMemory: 'list', workers: 'number', synthetic: 'size', coldStart: 'string', earlyStopping: 'stopping',
  preset: 'string', trainFile: 'string', testFile: 'string', task: 'string',
};

function fail(arg: string, rule: string, value: unknown): never {
  throw new Error(`memrec-bench: ${arg} ${rule}, got ${JSON.stringify(value)}`);
}

function coerce(key: string, kind: string, v: unknown): unknown {
  const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : String(x).split(',').map((s) => s.trim()).filter(Boolean));
  switch (kind) {
    case 'list':
      return list(v);
    case 'numlist':
      return list(v).map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n)) fail(`--${key}`, 'must be a comma-separated list of integers', v);
        return n;
      });
    case 'number': {
      const n = Number(v);
      if (!Number.isFinite(n)) fail(`--${key}`, 'must be a number', v);
      return n;
    }
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      return fail(`--${key}`, 'must be true or false', v);
    case 'size': {
      const o = v as Record<string, unknown>;
      if (typeof o !== 'object' || o === null) fail('synthetic', 'must be an object { numUsers, numItems, numEvents }', v);
      for (const k of ['numUsers', 'numItems', 'numEvents']) if (!Number.isInteger(o[k]) || (o[k] as number) < 2) fail(`synthetic.${k}`, 'must be an integer >= 2', o[k]);
      return { numUsers: o.numUsers, numItems: o.numItems, numEvents: o.numEvents };
    }
    case 'stopping':
      return parseEarlyStopping(v);
    case 'columns': {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v;
      const out: Record<string, string> = {};
      for (const part of String(v).split(',')) {
        const [k, c] = part.split('=');
        if (!k || c === undefined) fail('--columns', 'must look like user=COL,item=COL[,timestamp=COL][,rating=COL]', v);
        out[k.trim()] = c.trim();
      }
      return out;
    }
    default:
      return String(v);
  }
}

/**
 * Merges defaults, a `--config` JSON file and command-line flags (flags win), then validates
 * the result. Unknown keys and impossible combinations are errors before any training.
 *
 * @example
 * ```ts
 * const cfg = resolveConfig({ models: 'bprmf,pop', seeds: '1' });
 * ```
 */
export function resolveConfig(flags: Record<string, unknown>): RunConfig {
  const raw: Record<string, unknown> = {};
  if (flags.config !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(String(flags.config), 'utf8'));
    } catch (e) {
      fail('--config', 'must be a readable JSON file', `${flags.config}: ${(e as Error).message}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('--config', 'must hold a JSON object', json);
    Object.assign(raw, json);
  }
  // config "models": { "cmn": { "dim": 50 } } configures (and selects) models; a list selects only
  const fileModels = raw.models;
  let modelOptions: ModelOptions = {};
  if (fileModels !== null && typeof fileModels === 'object' && !Array.isArray(fileModels)) {
    modelOptions = fileModels as ModelOptions;
    raw.models = Object.keys(modelOptions);
  }
  for (const [k, v] of Object.entries(flags)) if (k !== 'config' && k !== 'set' && v !== undefined) raw[k] = v;
  const sets = flags.set === undefined ? [] : Array.isArray(flags.set) ? flags.set.map(String) : [String(flags.set)];
  for (const [name, opts] of Object.entries(parseSets(sets))) modelOptions = { ...modelOptions, [name]: { ...modelOptions[name], ...opts } };
  checkModelOptions(modelOptions);
  const cfg: RunConfig = { ...DEFAULTS, modelOptions };
  const c = cfg as unknown as Record<string, unknown>;
  const rename: Record<string, string> = { protocol: 'protocols', eval: 'evals', nmrnSampler: 'nmrnSamplers' };
  for (const [k, v] of Object.entries(raw)) {
    const kind = KEYS[k];
    if (!kind) fail(`config key "${k}"`, `must be one of ${Object.keys(KEYS).join(', ')}`, v);
    c[rename[k] ?? k] = coerce(k, kind, v);
  }
  return validate(cfg);
}

function validate(cfg: RunConfig): RunConfig {
  for (const m of cfg.models) {
    if (![...MODELS, ...NMRN_VARIANTS, ...MODEL_VARIANTS].includes(m as never)) fail('--models', `must list models from ${MODELS.join(', ')}, NMRN variants ${NMRN_VARIANTS.join(', ')} or ${MODEL_VARIANTS.join(', ')}`, m);
  }
  if (cfg.models.length === 0) fail('--models', 'must name at least one model', cfg.models);
  cfg.models = [...new Set(cfg.models)];
  if (!(DATASETS as readonly string[]).includes(cfg.dataset)) fail('--dataset', `must be one of ${DATASETS.join(', ')}`, cfg.dataset);
  if (!(BACKENDS as readonly string[]).includes(cfg.backend)) fail('--backend', `must be one of ${BACKENDS.join(', ')}`, cfg.backend);
  for (const p of cfg.protocols) if (!(PROTOCOLS as readonly string[]).includes(p)) fail('--protocol', `must be one of ${PROTOCOLS.join(', ')}`, p);
  for (const e of cfg.evals) if (e !== 'full' && !/^sampled-[1-9]\d*$/.test(e)) fail('--eval', 'must list full and/or sampled-N (e.g. sampled-100)', e);
  for (const k of cfg.k) if (k < 1) fail('--k', 'must hold integers >= 1', cfg.k);
  if (cfg.seeds.length === 0) fail('--seeds', 'must hold at least one seed', cfg.seeds);
  for (const [key, v] of [['--epochs', cfg.epochs], ['--dim', cfg.dim], ['--batch-size', cfg.batchSize], ['--workers', cfg.workers]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) fail(key, 'must be an integer >= 1', v);
  }
  for (const s of cfg.nmrnSamplers) if (!['uniform', 'popularity', 'gan', 'dns'].includes(s)) fail('--nmrn-sampler', 'must list uniform, popularity, gan or dns', s);
  if (cfg.preset !== undefined && !Object.hasOwn(PRESETS, cfg.preset)) fail('--preset', `must be one of ${Object.keys(PRESETS).join(', ')}`, cfg.preset);
  if (cfg.coldStart !== 'skip' && cfg.coldStart !== 'include') fail('--cold-start', 'must be skip or include', cfg.coldStart);
  for (const m of cfg.nmrnMemory) if (m !== 'shared' && m !== 'per-user') fail('--nmrn-memory', 'must list per-user and/or shared', m);
  if (cfg.nmrnMemory.length === 0 || cfg.nmrnSamplers.length === 0) fail('--nmrn-sampler / --nmrn-memory', 'must name at least one value', [cfg.nmrnSamplers, cfg.nmrnMemory]);
  if (cfg.models.includes('nmrn')) {
    for (const first of [cfg.nmrnSamplers[0], cfg.nmrnMemory[0]]) {
      if (cfg.models.includes(`nmrn-${first}`)) {
        fail('--models', `must not list both nmrn and nmrn-${first}: with ${first} first in --nmrn-sampler / --nmrn-memory they are the same model`, cfg.models.join(','));
      }
    }
  }
  cfg.delimiter = parseDelimiter(cfg.delimiter);
  if (cfg.dataset === 'csv') {
    if (!cfg.file) fail('--file', 'is required with --dataset csv', cfg.file);
    if (cfg.columns?.user === undefined || cfg.columns?.item === undefined) fail('--columns', 'must name at least user=COL,item=COL with --dataset csv', cfg.columns);
    for (const k of Object.keys(cfg.columns)) if (!['user', 'item', 'timestamp', 'rating'].includes(k)) fail('--columns', 'keys must be user, item, timestamp, rating', k);
    cfg.columns = parseColumns(cfg.columns, cfg.header);
  }
  if (cfg.dataset === 'files') {
    if (!cfg.trainFile || !cfg.testFile) fail('--dataset files', 'needs --train-file FILE and --test-file FILE', { trainFile: cfg.trainFile, testFile: cfg.testFile });
    if (cfg.columns?.user === undefined || cfg.columns?.item === undefined) fail('--columns', 'must name at least user=COL,item=COL with --dataset files', cfg.columns);
    for (const k of Object.keys(cfg.columns)) if (!['user', 'item', 'timestamp', 'rating'].includes(k)) fail('--columns', 'keys must be user, item, timestamp, rating', k);
    cfg.columns = parseColumns(cfg.columns, cfg.header);
    for (const p of cfg.protocols) if (p !== 'predefined') fail('--protocol', 'with --dataset files must be predefined (the split is the two files)', p);
  }
  if (!(TASKS as readonly string[]).includes(cfg.task)) fail('--task', `must be one of ${TASKS.join(', ')}`, cfg.task);
  if (cfg.task === 'rating') {
    for (const m of cfg.models) if (!(RATING_MODELS as readonly string[]).includes(m)) fail('--models', `with --task rating must list models that predict ratings (${RATING_MODELS.join(', ')})`, m);
    for (const p of cfg.protocols) if (p !== 'random' && p !== 'predefined') fail('--protocol', 'with --task rating must be random (a seeded 90/10 split of the ratings) or predefined', p);
    if (cfg.minRating !== undefined) fail('--min-rating', 'must not be given with --task rating (it drops the ratings the task predicts)', cfg.minRating);
    if ((cfg.dataset === 'csv' || cfg.dataset === 'files') && cfg.columns?.rating === undefined) fail('--columns', 'must name rating=COL with --task rating', cfg.columns);
  }
  if (cfg.dataset === 'ncf' && (!cfg.dataDir || !cfg.name)) fail('--dataset ncf', 'needs --data-dir DIR and --name NCF_PREFIX', { dataDir: cfg.dataDir, name: cfg.name });
  const hasTime = (cfg.dataset !== 'csv' && cfg.dataset !== 'files') || cfg.columns?.timestamp !== undefined;
  for (const p of cfg.protocols) {
    if ((p === 'stream' || p === 'temporal' || p === 'leave-last-out') && !hasTime) {
      fail('--protocol', `${p} needs timestamps (add timestamp=COL to --columns or use --protocol stratified)`, p);
    }
    if (p === 'predefined' && cfg.dataset !== 'ncf' && cfg.dataset !== 'files') fail('--protocol', 'predefined needs --dataset ncf (its test and candidate files) or --dataset files (--train-file, --test-file)', p);
    if (p !== 'predefined' && cfg.dataset === 'ncf') fail('--protocol', 'with --dataset ncf must be predefined (the split ships with the files)', p);
  }
  return cfg;
}

/**
 * The field separator `--delimiter` names: one character (not a quote or line break), `\t` as
 * typed in a shell, or a name: tab, comma, semicolon, pipe, space, `::` (MovieLens 1M).
 *
 * @example
 * ```ts
 * parseDelimiter('\\t'); // '\t'
 * parseDelimiter('semicolon'); // ';'
 * ```
 */
export function parseDelimiter(value: unknown): string {
  const v = String(value);
  const named = DELIMITER_NAMES[v.toLowerCase()];
  if (named !== undefined) return named;
  if (v.length !== 1 || /["\r\n]/.test(v)) {
    fail('--delimiter', 'must be one character (not a quote or line break), \\t, ::, or one of tab, comma, semicolon, pipe, space', v);
  }
  return v;
}

/**
 * Columns of `--columns` as the loader takes them: header names with a header line, 0-based
 * column numbers without one. Two roles may not share a column.
 *
 * @example
 * ```ts
 * parseColumns({ user: '0', item: '1' }, false); // { user: 0, item: 1 }
 * ```
 */
export function parseColumns(columns: Record<string, string | number>, header: boolean): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [role, c] of Object.entries(columns)) {
    if (header) {
      if (typeof c === 'number' ? !Number.isInteger(c) || c < 0 : String(c).length === 0) fail('--columns', `${role} must be a header name (or a 0-based number in a config file)`, c);
      out[role] = c;
    } else {
      const n = typeof c === 'number' ? c : /^\d+$/.test(String(c).trim()) ? Number(c) : NaN;
      if (!Number.isInteger(n) || n < 0) fail('--columns', `${role} must be a 0-based column number without a header line (e.g. user=0,item=1; or pass --header to use names)`, c);
      out[role] = n;
    }
  }
  const roles = Object.keys(out);
  for (let a = 0; a < roles.length; a++) {
    for (let b = a + 1; b < roles.length; b++) {
      if (out[roles[a]] === out[roles[b]]) fail('--columns', `${roles[a]} and ${roles[b]} must be different columns`, out[roles[a]]);
    }
  }
  return out;
}

/**
 * Checks the output folder before a run starts: it must not be a file, and a folder already
 * holding a run (results.json) is only overwritten with `force`.
 *
 * @example
 * ```ts
 * checkOutDir('runs/mine', false); // throws if runs/mine/results.json exists
 * ```
 */
export function checkOutDir(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new Error(`memrec-bench: --out must be a folder, got a file ${JSON.stringify(out)}`);
  if (!force && existsSync(join(out, 'results.json'))) {
    fail('--out', 'must not hold an earlier run (results.json) unless --force is given', out);
  }
}
