import { show } from './assert';

/**
 * JSON text of `value` with object keys sorted at every depth, so equal content gives equal
 * bytes. Only JSON values are accepted (plain objects, arrays, strings, finite numbers,
 * booleans, null); an object property that is `undefined` is left out, as `JSON.stringify`
 * does. Anything else (NaN, Infinity, a typed array, a function, a class instance) is an
 * error naming `fn` and the path to the value: it would not survive a round trip.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }, 'encodeState', 'content.header'); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown, fn: string, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return JSON.stringify(value);
    throw new Error(`${fn}: ${path} must be a finite number (JSON has no NaN or Infinity), got ${value}`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v, k) => canonicalJson(v, fn, `${path}[${k}]`)).join(',')}]`;
  }
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      if (obj[key] === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${canonicalJson(obj[key], fn, `${path}.${key}`)}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw new Error(`${fn}: ${path} must be a JSON value (plain object, array, string, finite number, boolean or null), got ${show(value)}`);
}
