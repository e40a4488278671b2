/**
 * Typed, validated model options: each model describes its options once (rule + default), and
 * {@link resolveOptions} checks what a caller passes, naming the model, the option, the rule
 * and the value in every error.
 */

/** The rule one option must satisfy. */
export type OptionRule =
  | { type: 'int'; min?: number; max?: number }
  | {
      type: 'number';
      min?: number;
      max?: number;
      /** values must be > min rather than >= min */
      exclusiveMin?: boolean;
      /** values must be < max rather than <= max */
      exclusiveMax?: boolean;
    }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'boolean' }
  | { type: 'intList'; min?: number; minLength?: number };

/** Rules and defaults of every option of a model, keyed by option name. */
export type OptionSpec<T> = { [K in keyof T]-?: { rule: OptionRule; default: T[K]; doc: string } };

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return typeof v;
  }
};

/** The rule in words, as used in errors ("an integer >= 1"). */
export function describeRule(rule: OptionRule): string {
  switch (rule.type) {
    case 'int':
      return `an integer${rule.min !== undefined ? ` >= ${rule.min}` : ''}${rule.max !== undefined ? ` and <= ${rule.max}` : ''}`;
    case 'number':
      return `a finite number${rule.min !== undefined ? ` ${rule.exclusiveMin ? '>' : '>='} ${rule.min}` : ''}${rule.max !== undefined ? ` and ${rule.exclusiveMax ? '<' : '<='} ${rule.max}` : ''}`;
    case 'enum':
      return `one of ${rule.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'intList':
      return `a list of${rule.minLength ? ` at least ${rule.minLength}` : ''} integers${rule.min !== undefined ? ` >= ${rule.min}` : ''}`;
  }
}

function satisfies(rule: OptionRule, v: unknown): boolean {
  switch (rule.type) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && (rule.min === undefined || v >= rule.min) && (rule.max === undefined || v <= rule.max);
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (rule.min === undefined || (rule.exclusiveMin ? v > rule.min : v >= rule.min)) &&
        (rule.max === undefined || (rule.exclusiveMax ? v < rule.max : v <= rule.max))
      );
    case 'enum':
      return typeof v === 'string' && rule.values.includes(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'intList':
      return (
        Array.isArray(v) &&
        v.length >= (rule.minLength ?? 0) &&
        v.every((x) => typeof x === 'number' && Number.isInteger(x) && (rule.min === undefined || x >= rule.min))
      );
  }
}

/**
 * Checks `given` against `spec` and fills in the defaults. Unknown keys, wrong types and values
 * out of range are errors like `Nmrn: option dim must be an integer >= 1, got 0`.
 *
 * @example
 * ```ts
 * const spec = { dim: { rule: { type: 'int', min: 1 }, default: 32, doc: 'embedding size' } } as const;
 * resolveOptions('MyModel', spec, { dim: 8 }); // { dim: 8 }
 * resolveOptions('MyModel', spec, { dim: 0 }); // throws "MyModel: option dim must be an integer >= 1, got 0"
 * ```
 */
export function resolveOptions<T>(model: string, spec: OptionSpec<T>, given: unknown): T {
  if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
    throw new Error(`${model}: options must be an object, got ${show(given)}`);
  }
  const input = (given ?? {}) as Record<string, unknown>;
  const known = Object.keys(spec);
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) throw new Error(`${model}: unknown option ${JSON.stringify(key)}; known options are ${known.join(', ')}`);
  }
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const { rule, default: def } = (spec as Record<string, { rule: OptionRule; default: unknown }>)[key];
    const v = input[key];
    if (v === undefined) {
      out[key] = Array.isArray(def) ? [...def] : def;
      continue;
    }
    if (!satisfies(rule, v)) throw new Error(`${model}: option ${key} must be ${describeRule(rule)}, got ${show(v)}`);
    out[key] = Array.isArray(v) ? [...v] : v;
  }
  return out as T;
}

/**
 * The defaults of a spec as a plain object (for docs, reports and the benchmark's card).
 *
 * @example
 * ```ts
 * defaultsOf(NMRN_OPTIONS).dim; // 32
 * ```
 */
export function defaultsOf<T>(spec: OptionSpec<T>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec) as [string, { default: unknown }][]) out[k] = Array.isArray(v.default) ? [...v.default] : v.default;
  return out as T;
}

/** The option rules shared by every trained model: epochs, batch size, seed. */
export const TRAINING_RULES = {
  epochs: { type: 'int', min: 0 } as OptionRule,
  batchSize: { type: 'int', min: 1 } as OptionRule,
  seed: { type: 'int', min: 0 } as OptionRule,
};
