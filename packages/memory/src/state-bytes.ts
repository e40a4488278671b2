import { fnv1a32, show } from '@memrec/core';

/*
 * Byte layout (little-endian) of a memory layer's state:
 *   0  4-byte ASCII magic (e.g. "MRKV")
 *   4  u32 version (1)
 *   8  u32 header byte length L
 *  12  u32 FNV-1a 32 checksum of everything after byte 16
 *  16  L bytes of UTF-8 JSON (must hold `blocks`: the float count of each block)
 *  ..  padding to a multiple of 4, then the float32 blocks one after another
 */
const VERSION = 1;


/**
 * Packs a JSON header and float blocks into one checksummed byte array.
 *
 * @example
 * ```ts
 * const bytes = packState('MRKV', { slots: 4 }, [keys, memory]);
 * const { header, blocks } = unpackState('MRKV', bytes, 'KeyValueMemory.stateFromBytes');
 * ```
 */
export function packState(magic: string, header: Record<string, unknown>, blocks: Float32Array[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ ...header, blocks: blocks.map((b) => b.length) }));
  const padded = Math.ceil(json.length / 4) * 4;
  const floats = blocks.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(16 + padded + floats * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = magic.charCodeAt(i);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 16);
  let off = 16 + padded;
  for (const b of blocks) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.length * 4), off);
    off += b.length * 4;
  }
  view.setUint32(12, fnv1a32(out, 16), true);
  return out;
}

/** Reverses {@link packState}; wrong magic, version, checksum or length is an error naming `fn`. */
export function unpackState(magic: string, bytes: Uint8Array, fn: string): { header: Record<string, unknown>; blocks: Float32Array[] } {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${fn}: bytes must be a Uint8Array, got ${show(bytes)}`);
  if (bytes.length < 16) throw new Error(`${fn}: bytes must hold at least a 16-byte header, got ${bytes.length} bytes`);
  const got = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (got !== magic) throw new Error(`${fn}: bytes must start with ${JSON.stringify(magic)}, got ${JSON.stringify(got)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new Error(`${fn}: version must be ${VERSION}, got ${version}`);
  if (view.getUint32(12, true) !== fnv1a32(bytes, 16)) throw new Error(`${fn}: checksum must match, got a mismatch (corrupt bytes)`);
  const len = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + len))) as Record<string, unknown>;
  const sizes = header.blocks as number[];
  let off = 16 + Math.ceil(len / 4) * 4;
  const total = off + sizes.reduce((n, s) => n + s * 4, 0);
  if (total !== bytes.length) throw new Error(`${fn}: bytes must have length ${total}, got ${bytes.length}`);
  const blocks = sizes.map((s) => {
    const b = new Float32Array(s);
    new Uint8Array(b.buffer).set(bytes.subarray(off, off + s * 4));
    off += s * 4;
    return b;
  });
  return { header, blocks };
}
