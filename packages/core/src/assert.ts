/**
 * Throws an `Error` with `message` when `condition` is false. Messages follow the house rule:
 * function, argument, rule, actual value.
 *
 * @example
 * ```ts
 * assert(k > 0, () => `topK: k must be positive, got ${k}`);
 * ```
 */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new Error(typeof message === 'function' ? message() : message);
  }
}

/** Formats a value for an error message (short, never throws). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Checks that `value` is an integer >= `min` (default 1).
 *
 * @example
 * ```ts
 * assertInt('uniformSampler', 'count', count); // "uniformSampler: count must be an integer >= 1, got -3"
 * ```
 */
export function assertInt(fn: string, arg: string, value: unknown, min = 1): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${fn}: ${arg} must be an integer >= ${min}, got ${show(value)}`);
  }
}

/**
 * Checks that `value` is a finite number, optionally within [min, max].
 *
 * @example
 * ```ts
 * assertFinite('sgd', 'learningRate', lr, 0); // "sgd: learningRate must be a finite number >= 0, got NaN"
 * ```
 */
export function assertFinite(fn: string, arg: string, value: unknown, min = -Infinity, max = Infinity): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = min === -Infinity && max === Infinity ? '' : max === Infinity ? ` >= ${min}` : min === -Infinity ? ` <= ${max}` : ` in [${min}, ${max}]`;
    throw new Error(`${fn}: ${arg} must be a finite number${range}, got ${show(value)}`);
  }
}

/**
 * Checks that every id is an integer in [0, bound).
 *
 * @example
 * ```ts
 * assertIds('SparseEmbedding.lookup', 'ids', ids, table.rows);
 * ```
 */
export function assertIds(fn: string, arg: string, ids: ArrayLike<number>, bound: number): void {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!(v >= 0 && v < bound) || !Number.isInteger(v)) {
      throw new Error(`${fn}: ${arg}[${i}] must be an integer id in [0, ${bound}), got ${v}`);
    }
  }
}

/**
 * Rejects option keys a function does not know: a misspelt option must never be silently
 * ignored. `options` itself must be an object (or undefined, when `allowUndefined`).
 *
 * @example
 * ```ts
 * checkOptionKeys('loadJsonLines', options, ['columns', 'skipBadLines', 'allowEmpty', 'onProgress']);
 * // "loadJsonLines: unknown option "colums"; known options are columns, skipBadLines, allowEmpty, onProgress"
 * ```
 */
export function checkOptionKeys(fn: string, options: unknown, known: readonly string[], allowUndefined = true): void {
  if (options === undefined && allowUndefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new Error(`${fn}: options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${fn}: unknown option ${JSON.stringify(key)}; known options are ${known.join(', ')}`);
  }
}
