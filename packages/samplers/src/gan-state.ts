import { SparseEmbedding } from '@memrec/core';
import type { GeneratorOptimizer } from './gan-generator';

/** Everything a saved GAN sampler holds (no RNG state: a loaded sampler takes a new seed). */
export interface GanState {
  config: {
    dim: number;
    hidden: number;
    candidates: number;
    learningRate: number;
    optimizer: GeneratorOptimizer;
    importanceMix: number;
    baselineDecay: number;
  };
  baseline: number;
  updates: number;
  users: SparseEmbedding;
  items: SparseEmbedding;
  /** MLP values in `MLP_PARAMS` order. */
  mlp: Float32Array[];
}

const MAGIC = 0x4e414752; // 'RGAN' little-endian
const VERSION = 1;
const FN = 'GanSampler.fromBytes';

/**
 * Byte layout: u32 magic, u32 version, u32 header length, JSON header (config, baseline,
 * updates, MLP sizes), then length-prefixed blobs: E table, F table (both
 * `SparseEmbedding.toBytes`, optimizer state included), MLP float32 values.
 *
 * @example
 * ```ts
 * const bytes = encodeGanState(state);
 * const again = decodeGanState(bytes);
 * ```
 */
export function encodeGanState(s: GanState): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ format: 'memrec.gan-sampler', config: s.config, baseline: s.baseline, updates: s.updates, mlpSizes: s.mlp.map((m) => m.length) }),
  );
  const e = s.users.toBytes();
  const f = s.items.toBytes();
  const mlpLen = s.mlp.reduce((a, m) => a + m.length, 0);
  const total = 12 + header.length + 4 + e.length + 4 + f.length + 4 + mlpLen * 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  view.setUint32(o, MAGIC, true);
  view.setUint32(o + 4, VERSION, true);
  view.setUint32(o + 8, header.length, true);
  o += 12;
  out.set(header, o);
  o += header.length;
  for (const blob of [e, f]) {
    view.setUint32(o, blob.length, true);
    out.set(blob, o + 4);
    o += 4 + blob.length;
  }
  view.setUint32(o, mlpLen, true);
  o += 4;
  for (const m of s.mlp) {
    for (let k = 0; k < m.length; k++) view.setFloat32(o + 4 * k, m[k], true);
    o += 4 * m.length;
  }
  return out;
}

/** Reads {@link encodeGanState}'s bytes; corrupt or truncated input is a clear error. */
export function decodeGanState(bytes: Uint8Array): GanState {
  if (!(bytes instanceof Uint8Array) || bytes.length < 12) throw new Error(`${FN}: bytes must be a Uint8Array from toBytes(), got ${bytes?.length ?? String(bytes)} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error(`${FN}: bytes are not a saved GAN sampler (bad magic number)`);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new Error(`${FN}: unsupported format version ${version} (this build reads ${VERSION})`);
  let o = 12;
  const take = (len: number, what: string): Uint8Array => {
    if (o + len > bytes.length) throw new Error(`${FN}: bytes are truncated (reading ${what})`);
    const part = bytes.subarray(o, o + len);
    o += len;
    return part;
  };
  const headerLen = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(take(headerLen, 'header'))) as Omit<GanState, 'users' | 'items' | 'mlp'> & { mlpSizes: number[] };
  const blobLen = (what: string) => {
    if (o + 4 > bytes.length) throw new Error(`${FN}: bytes are truncated (reading ${what})`);
    const len = view.getUint32(o, true);
    o += 4;
    return len;
  };
  const users = SparseEmbedding.fromBytes(take(blobLen('user table'), 'user table').slice());
  const items = SparseEmbedding.fromBytes(take(blobLen('item table'), 'item table').slice());
  const mlpLen = blobLen('MLP');
  const raw = take(mlpLen * 4, 'MLP');
  const rawView = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const mlp: Float32Array[] = [];
  let k = 0;
  for (const size of header.mlpSizes) {
    const m = new Float32Array(size);
    for (let j = 0; j < size; j++) m[j] = rawView.getFloat32(4 * (k + j), true);
    k += size;
    mlp.push(m);
  }
  return { config: header.config, baseline: header.baseline, updates: header.updates, users, items, mlp };
}
