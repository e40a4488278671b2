import { BPRMF_OPTIONS, CMN_OPTIONS, CMN_PAPER, describeRule, GRU4REC_OPTIONS, IRGAN_OPTIONS, RUM_OPTIONS, STAMP_OPTIONS, ITEMPOP_OPTIONS, NEUMF_OPTIONS, NMRN_OPTIONS, resolveOptions, type OptionRule, type OptionSpec } from '@memrec/models';
import { DMN_OPTIONS, MARS_OPTIONS } from '@memrec/models';
import { CFNADE_OPTIONS, RATING_BIAS_OPTIONS } from '@memrec/models';
import { KSR_OPTIONS } from '@memrec/models';

/** Every model's option rules, by the benchmark's model name. */
export const MODEL_SPECS: Record<string, { model: string; spec: OptionSpec<Record<string, unknown>> }> = {
  nmrn: { model: 'Nmrn', spec: NMRN_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  cmn: { model: 'Cmn', spec: CMN_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  neumf: { model: 'NeuMf', spec: NEUMF_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  bprmf: { model: 'BprMf', spec: BPRMF_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  pop: { model: 'ItemPop', spec: ITEMPOP_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  irgan: { model: 'Irgan', spec: IRGAN_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  gru4rec: { model: 'Gru4Rec', spec: GRU4REC_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  'rum-item': { model: 'Rum', spec: RUM_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  'rum-feature': { model: 'Rum', spec: RUM_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  stamp: { model: 'Stamp', spec: STAMP_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  ksr: { model: 'Ksr', spec: KSR_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  mars: { model: 'Mars', spec: MARS_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  dmn: { model: 'Dmn', spec: DMN_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  cfnade: { model: 'CfNade', spec: CFNADE_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
  bias: { model: 'RatingBias', spec: RATING_BIAS_OPTIONS as unknown as OptionSpec<Record<string, unknown>> },
};

/** Per-model (or per-variant, e.g. `nmrn-uniform`) hyperparameters of a run. */
export type ModelOptions = Record<string, Record<string, unknown>>;

/**
 * Named sets of model options (`--preset NAME`, config `"preset"`): the models' defaults are
 * replaced by these first; `--epochs`, `--dim`, `--batch-size`, the config's `"models"` and
 * `--set` still override them. `paper`: CMN as published (see `CMN_PAPER`).
 *
 * @example
 * ```ts
 * PRESETS.paper.cmn; // { dim: 50, optimizer: 'rmsprop', l2: 0.1, ... }
 * ```
 */
export const PRESETS: Record<string, ModelOptions> = {
  paper: { cmn: { ...CMN_PAPER } },
};

const fail = (what: string, rule: string, value: unknown): never => {
  throw new Error(`memrec-bench: ${what} ${rule}, got ${JSON.stringify(value)}`);
};

/** The base model of a name or NMRN variant (`nmrn-uniform` -> `nmrn`), or undefined. */
export function baseModel(name: string): string | undefined {
  if (MODEL_SPECS[name]) return name;
  if (name === 'bprmf-dns') return 'bprmf';
  return /^nmrn-(uniform|popularity|gan|dns|per-user|shared)$/.test(name) ? 'nmrn' : undefined;
}

/** A command-line value as the type the option's rule wants. */
function coerceValue(rule: OptionRule, raw: string, what: string): unknown {
  switch (rule.type) {
    case 'int':
    case 'number': {
      const n = Number(raw);
      return raw.trim() === '' || !Number.isFinite(n) ? fail(what, `must be ${describeRule(rule)}`, raw) : n;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : fail(what, 'must be true or false', raw);
    case 'intList':
      return raw.split(',').map((s) => {
        const n = Number(s.trim());
        return s.trim() === '' || !Number.isInteger(n) ? fail(what, `must be ${describeRule(rule)} (comma-separated)`, raw) : n;
      });
    default:
      return raw;
  }
}

/**
 * Parses repeated `--set model.key=value` flags (`model` a model or NMRN variant name), checking
 * the model, the key and the value's type against the model's option rules.
 *
 * @example
 * ```ts
 * parseSets(['cmn.dim=50', 'cmn.hops=3', 'neumf.layers=64,32']); // { cmn: { dim: 50, hops: 3 }, neumf: { layers: [64, 32] } }
 * ```
 */
export function parseSets(entries: string[]): ModelOptions {
  const out: ModelOptions = {};
  for (const entry of entries) {
    const m = /^([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(entry);
    if (!m) fail('--set', 'must look like model.option=value (e.g. cmn.dim=50)', entry);
    const [, name, key, raw] = m as RegExpExecArray;
    const base = baseModel(name);
    if (!base) fail('--set', `must name a model (${Object.keys(MODEL_SPECS).join(', ')} or an nmrn-<variant>) before the dot`, entry);
    const { model, spec } = MODEL_SPECS[base as string];
    const rule = spec[key]?.rule;
    if (!rule) fail(`--set ${entry}:`, `${model} has no option ${JSON.stringify(key)}; its options are ${Object.keys(spec).join(', ')}`, key);
    (out[name] ??= {})[key] = coerceValue(rule as OptionRule, raw, `--set ${entry}:`);
  }
  return out;
}

/**
 * Checks per-model options (from `--set` or the config file's `"models": { "cmn": { "dim": 50 } }`)
 * with each model's own validation, so a bad value fails before any training.
 *
 * @example
 * ```ts
 * checkModelOptions({ cmn: { dim: 0 } }); // throws "memrec-bench: models.cmn: Cmn: option dim must be an integer >= 1, got 0"
 * ```
 */
export function checkModelOptions(options: ModelOptions): void {
  for (const [name, opts] of Object.entries(options)) {
    const base = baseModel(name);
    if (!base) fail('models', `must only configure models (${Object.keys(MODEL_SPECS).join(', ')} or an nmrn-<variant>)`, name);
    if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) fail(`models.${name}`, 'must be an object of options', opts);
    const { model, spec } = MODEL_SPECS[base as string];
    try {
      resolveOptions(model, spec, opts);
    } catch (e) {
      throw new Error(`memrec-bench: models.${name}: ${(e as Error).message}`);
    }
  }
}
