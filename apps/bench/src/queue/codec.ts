import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * JSON that carries what a job outcome holds besides plain JSON: typed arrays (per-user values,
 * bit for bit, as base64 of their bytes) and non-finite numbers. What Redis stores for a cell.
 */

type Tagged = { $t: 'f64' | 'f32' | 'i32' | 'u8'; b: string } | { $n: 'NaN' | 'Infinity' | '-Infinity' };

const KINDS = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;

function tag(v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return { $n: String(v) };
  for (const [t, C] of Object.entries(KINDS)) {
    if (v instanceof C) return { $t: t, b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (Array.isArray(v)) return v.map(tag);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tag(x)]));
  return v;
}

/**
 * Encodes a value (objects, arrays, typed arrays, NaN / Infinity) as a JSON string that
 * {@link decodeValue} turns back into an equal value.
 *
 * @example
 * ```ts
 * decodeValue(encodeValue({ v: Float64Array.of(0.1, NaN) })); // { v: Float64Array [0.1, NaN] }
 * ```
 */
export function encodeValue(value: unknown): string {
  return JSON.stringify(tag(value));
}

/**
 * Decodes what {@link encodeValue} wrote.
 *
 * @example
 * ```ts
 * decodeValue<{ n: number }>(encodeValue({ n: Infinity })).n; // Infinity
 * ```
 */
export function decodeValue<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object') return v;
    const t = v as Partial<Tagged & { $t: string; b: string; $n: string }>;
    if (typeof t.$n === 'string' && Object.keys(v).length === 1) return Number(t.$n);
    if (typeof t.$t === 'string' && typeof t.b === 'string' && Object.keys(v).length === 2) {
      const bytes = Buffer.from(t.b, 'base64');
      const C = KINDS[t.$t as keyof typeof KINDS];
      if (!C) throw new Error(`decodeValue: $t must be one of ${Object.keys(KINDS).join(', ')}, got ${JSON.stringify(t.$t)}`);
      const copy = new Uint8Array(bytes.length);
      copy.set(bytes);
      return new C(copy.buffer);
    }
    return v;
  }) as T;
}

/**
 * {@link encodeValue}, gzipped, as base64 (`gz:` first): what a worker stores in Redis for a
 * cell. Per-user values (many 0s and 1s) shrink several times over.
 *
 * @example
 * ```ts
 * unpackValue(packValue({ hr: new Float64Array(1000) })); // { hr: Float64Array(1000) }
 * ```
 */
export function packValue(value: unknown): string {
  return `gz:${gzipSync(encodeValue(value)).toString('base64')}`;
}

/**
 * Decodes what {@link packValue} wrote.
 *
 * @example
 * ```ts
 * unpackValue<{ n: number }>(packValue({ n: NaN })).n; // NaN
 * ```
 */
export function unpackValue<T>(text: string): T {
  if (!text.startsWith('gz:')) throw new Error(`unpackValue: text must start with gz: (written by packValue), got ${JSON.stringify(text.slice(0, 20))}`);
  return decodeValue<T>(gunzipSync(Buffer.from(text.slice(3), 'base64')).toString('utf8'));
}
