/**
 * Byte-level parsing helpers for the streaming loaders: numbers and ids are read straight
 * from a byte range (`Uint8Array`), without building a string per field on the fast path.
 */

type BufferLike = { from(buffer: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'latin1' | 'utf8'): string } };
/** Node's Buffer where it exists (faster for short strings); TextDecoder elsewhere (browsers, workers). */
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;
const UTF8 = new TextDecoder('utf-8');

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Parses a decimal number (`-12`, `3.5`, `1e9`, ...) from `buf[s, e)`. Returns `NaN` when the
 * bytes are not a finite number (empty, `NaN`, `Infinity`, `abc`, `1.2.3`).
 *
 * @example
 * ```ts
 * parseNumber(new TextEncoder().encode('4.5'), 0, 3); // 4.5
 * ```
 */
export function parseNumber(buf: Uint8Array, s: number, e: number): number {
  let k = s;
  let neg = false;
  if (k < e && (buf[k] === 45 || buf[k] === 43)) {
    neg = buf[k] === 45;
    k++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  while (k < e) {
    const d = buf[k] - 48;
    if (d < 0 || d > 9) break;
    mant = mant * 10 + d;
    digits++;
    k++;
  }
  if (k < e && buf[k] === 46) {
    k++;
    while (k < e) {
      const d = buf[k] - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      digits++;
      frac++;
      k++;
    }
  }
  if (k === e && digits > 0 && digits <= 15) {
    // mant and 10^frac are exact doubles, so the quotient is correctly rounded.
    const v = frac === 0 ? mant : mant / POW10[frac];
    return neg ? -v : v;
  }
  if (e <= s) return NaN;
  // Exponents, long mantissas: let the engine parse, but only plain decimal syntax.
  const text = latin1(buf, s, e);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : NaN;
}

/**
 * Reads `buf[s, e)` as a numeric id when it is a plain non-negative integer of at most 15 digits
 * without a leading zero (so `"007"` stays a distinct string id); returns -1 otherwise.
 *
 * @example
 * ```ts
 * parseIntId(new TextEncoder().encode('196'), 0, 3); // 196
 * parseIntId(new TextEncoder().encode('u1'), 0, 2);  // -1
 * ```
 */
export function parseIntId(buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len <= 0 || len > 15 || (len > 1 && buf[s] === 48)) return -1;
  let v = 0;
  for (let k = s; k < e; k++) {
    const d = buf[k] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Latin-1 text of `buf[s, e)` (for messages and the slow number path). */
export function latin1(buf: Uint8Array, s: number, e: number): string {
  if (NodeBuffer != null) return NodeBuffer.from(buf.buffer, buf.byteOffset + s, Math.max(0, e - s)).toString('latin1');
  let t = '';
  for (let k = s; k < e; k++) t += String.fromCharCode(buf[k]);
  return t;
}

/** UTF-8 text of `buf[s, e)`. */
export function utf8(buf: Uint8Array, s: number, e: number): string {
  if (NodeBuffer != null) return NodeBuffer.from(buf.buffer, buf.byteOffset + s, Math.max(0, e - s)).toString('utf8');
  return UTF8.decode(buf.subarray(s, Math.max(s, e)));
}

/**
 * Field boundaries of one line. `starts[f]`/`ends[f]` delimit field f (surrounding spaces and
 * quotes removed); `quoted[f]` is 2 when the field held a doubled quote and needs unescaping.
 */
export interface Fields {
  starts: Int32Array;
  ends: Int32Array;
  quoted: Uint8Array;
  count: number;
  /** Set when a quoted field is not closed on its line. */
  error: string;
}

/** Allocates a reusable {@link Fields} for at most `max` fields. */
export function makeFields(max: number): Fields {
  return { starts: new Int32Array(max), ends: new Int32Array(max), quoted: new Uint8Array(max), count: 0, error: '' };
}

const QUOTE = 34;
const SPACE = 32;

/**
 * Splits `buf[s, e)` by `delim` (one or more bytes) into at most `out.starts.length` fields
 * (the rest of the line is ignored). Handles RFC 4180 quoting within a line.
 */
export function splitFields(buf: Uint8Array, s: number, e: number, delim: Uint8Array, out: Fields): void {
  const max = out.starts.length;
  const d0 = delim[0];
  const dl = delim.length;
  let count = 0;
  let k = s;
  out.error = '';
  for (;;) {
    while (k < e && buf[k] === SPACE && d0 !== SPACE) k++;
    let fs = k;
    let fe: number;
    let q = 0;
    if (k < e && buf[k] === QUOTE) {
      q = 1;
      fs = ++k;
      for (;;) {
        if (k >= e) {
          out.error = 'unterminated quoted field';
          out.count = count;
          return;
        }
        if (buf[k] === QUOTE) {
          if (k + 1 < e && buf[k + 1] === QUOTE) {
            q = 2;
            k += 2;
            continue;
          }
          break;
        }
        k++;
      }
      fe = k++;
      while (k < e && buf[k] !== d0) k++;
    } else {
      while (k < e && !(buf[k] === d0 && (dl === 1 || matchAt(buf, k, e, delim)))) k++;
      fe = k;
      while (fe > fs && buf[fe - 1] === SPACE && d0 !== SPACE) fe--;
    }
    out.starts[count] = fs;
    out.ends[count] = fe;
    out.quoted[count] = q;
    count++;
    if (k >= e || count >= max) break;
    k += dl;
    if (k > e) break;
  }
  out.count = count;
}

function matchAt(buf: Uint8Array, k: number, e: number, delim: Uint8Array): boolean {
  if (k + delim.length > e) return false;
  for (let j = 1; j < delim.length; j++) if (buf[k + j] !== delim[j]) return false;
  return true;
}

/** Text of field f of `fields`, with doubled quotes unescaped. */
export function fieldText(buf: Uint8Array, fields: Fields, f: number): string {
  const t = utf8(buf, fields.starts[f], fields.ends[f]);
  return fields.quoted[f] === 2 ? t.replace(/""/g, '"') : t;
}
