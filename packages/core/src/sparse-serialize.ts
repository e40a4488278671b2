import { show } from './assert';
import { fnv1a32 } from './checksum';
import type { EmbeddingInit, SparseEmbedding } from './sparse-embedding';
import type { SparseOptimizerConfig } from './sparse-optimizer';
import { slotCount } from './sparse-optimizer';

/*
 * Byte layout (little-endian), version 1:
 *   0  "MRSE"                    magic
 *   4  u32 version (1)
 *   8  u32 header byte length H
 *  12  u32 FNV-1a 32 checksum of everything after byte 16
 *  16  H bytes of UTF-8 JSON { rows, dim, step, init, optimizer }
 *  ..  padding to a multiple of 4
 *  ..  rows*dim float32 table, then one rows*dim float32 block per optimizer slot
 */
const MAGIC = 0x4553524d; // "MRSE"
const VERSION = 1;
const FN = 'SparseEmbedding.fromBytes';


/** @internal */
export function serializeState(t: SparseEmbedding): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ rows: t.rows, dim: t.dim, step: t.step, init: t.init, optimizer: t.optimizer }),
  );
  const headerPadded = Math.ceil(header.length / 4) * 4;
  const n = t.rows * t.dim;
  const blocks = 1 + t.slots.length;
  const out = new Uint8Array(16 + headerPadded + blocks * n * 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 16);
  let off = 16 + headerPadded;
  for (const block of [t.data, ...t.slots]) {
    out.set(new Uint8Array(block.buffer, block.byteOffset, n * 4), off);
    off += n * 4;
  }
  view.setUint32(12, fnv1a32(out, 16), true);
  return out;
}

/** @internal */
export function deserializeState(bytes: Uint8Array, Table: typeof SparseEmbedding): SparseEmbedding {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${FN}: bytes must be a Uint8Array, got ${show(bytes)}`);
  if (bytes.length < 16) throw new Error(`${FN}: bytes must hold at least a 16-byte header, got ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error(`${FN}: bytes must start with "MRSE", got another format`);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new Error(`${FN}: version must be ${VERSION}, got ${version}`);
  const stored = view.getUint32(12, true);
  const actual = fnv1a32(bytes, 16);
  if (stored !== actual) throw new Error(`${FN}: checksum must match, got ${actual.toString(16)} instead of ${stored.toString(16)} (corrupt data)`);
  const hlen = view.getUint32(8, true);
  if (16 + hlen > bytes.length) throw new Error(`${FN}: header length must fit the data, got ${hlen}`);
  let meta: { rows: number; dim: number; step: number; init: EmbeddingInit; optimizer: SparseOptimizerConfig };
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + hlen)));
  } catch (e) {
    throw new Error(`${FN}: header must be JSON, got a parse error: ${(e as Error).message}`);
  }
  const n = meta.rows * meta.dim;
  const blocks = 1 + slotCount(meta.optimizer.kind);
  const off = 16 + Math.ceil(hlen / 4) * 4;
  if (bytes.length !== off + blocks * n * 4) {
    throw new Error(`${FN}: length must be ${off + blocks * n * 4} bytes for ${meta.rows} x ${meta.dim}, got ${bytes.length}`);
  }
  const table = new Table({ rows: 0, dim: meta.dim, optimizer: meta.optimizer, init: meta.init });
  const copy = (k: number) => {
    const a = new Float32Array(n);
    new Uint8Array(a.buffer).set(bytes.subarray(off + k * n * 4, off + (k + 1) * n * 4));
    return a;
  };
  const data = copy(0);
  const slots = Array.from({ length: blocks - 1 }, (_, s) => copy(s + 1));
  table._restore(meta.rows, meta.step, data, slots);
  return table;
}

