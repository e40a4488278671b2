import { show } from './assert';
import { fnv1a32 } from './checksum';
import { canonicalJson } from './state-json';

/** A named array of a saved state. */
export type StateBlock = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

/**
 * What a saved state holds: its `kind`, a small JSON `header` (config, counters) and named
 * typed-array `blocks`. A state nested inside another is a `Uint8Array` block holding its own
 * {@link encodeState} output.
 */
export interface StateContent {
  /** What the bytes are, e.g. `'sparse-embedding'`, `'kv-memory'`, `'gan-sampler'`, `'model:nmrn'`. */
  kind: string;
  /** Small JSON: plain objects, arrays, strings, finite numbers, booleans, null. */
  header: Record<string, unknown>;
  /** Named typed arrays. */
  blocks: Record<string, StateBlock>;
}

/** The version of the state format that {@link encodeState} writes and {@link decodeState} reads. */
export const STATE_FORMAT_VERSION = 1;

/*
 * Byte layout (little-endian):
 *   0  "MRST"                      magic
 *   4  u32 format version (1)
 *   8  u32 total byte length T
 *  12  u32 JSON byte length J
 *  16  u32 FNV-1a 32 checksum of bytes [20, T)
 *  20  J bytes of UTF-8 JSON { kind, header, blocks: [{ name, type, length, offset }] }
 *  ..  each block at its `offset` (a multiple of 8, zero padding between), the last one ending at T
 */
const MAGIC = 'MRST';
const PREFIX = 20;
const ALIGN = 8;

const TYPES = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
  u8: Uint8Array,
} as const;
type TypeTag = keyof typeof TYPES;

interface BlockEntry {
  name: string;
  type: TypeTag;
  length: number;
  offset: number;
}

function typeTag(block: unknown): TypeTag | undefined {
  for (const tag of Object.keys(TYPES) as TypeTag[]) if (block instanceof TYPES[tag]) return tag;
  return undefined;
}

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Encodes a state into memrec's one binary container: the magic `"MRST"`, the format version,
 * the total length, a JSON section (kind, header, block table) and the blocks, each aligned to
 * 8 bytes, all under an FNV-1a 32 checksum. The same content always gives the same bytes
 * (object keys and block names are written sorted). Typed arrays are stored in host byte order,
 * which is little-endian on every platform TensorFlow.js runs on.
 *
 * @example
 * ```ts
 * import { encodeState, decodeState } from '@memrec/core';
 * const bytes = encodeState({ kind: 'counter', header: { step: 3 }, blocks: { weights: Float32Array.of(0.5, -1) } });
 * decodeState(bytes, { fn: 'load', kind: 'counter' }).blocks.weights; // Float32Array [0.5, -1]
 * ```
 */
export function encodeState(content: StateContent): Uint8Array {
  const fn = 'encodeState';
  if (content == null || typeof content !== 'object') throw new Error(`${fn}: content must be an object { kind, header, blocks }, got ${show(content)}`);
  const { kind, header, blocks } = content;
  if (typeof kind !== 'string' || kind.length === 0) throw new Error(`${fn}: content.kind must be a non-empty string, got ${show(kind)}`);
  if (header == null || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${fn}: content.header must be a plain object, got ${show(header)}`);
  if (blocks == null || typeof blocks !== 'object' || Array.isArray(blocks)) throw new Error(`${fn}: content.blocks must be an object of typed arrays, got ${show(blocks)}`);
  const names = Object.keys(blocks).sort();
  const table: BlockEntry[] = [];
  const arrays: StateBlock[] = [];
  for (const name of names) {
    const block = blocks[name];
    const type = typeTag(block);
    if (type === undefined) {
      throw new Error(`${fn}: content.blocks[${JSON.stringify(name)}] must be a Float32Array, Float64Array, Int32Array, Uint32Array or Uint8Array, got ${show(block)}`);
    }
    table.push({ name, type, length: block.length, offset: 0 });
    arrays.push(block);
  }
  // Offsets depend on the JSON length and the JSON holds the offsets: lay out with a guess,
  // re-lay while the JSON's padded end moves (it settles after a step or two).
  let json = new Uint8Array(0);
  let dataStart = -1;
  for (let guess = align(PREFIX); dataStart !== guess; ) {
    dataStart = guess;
    let off = dataStart;
    for (const entry of table) {
      off = align(off);
      entry.offset = off;
      off += entry.length * TYPES[entry.type].BYTES_PER_ELEMENT;
    }
    json = new TextEncoder().encode(`{"kind":${JSON.stringify(kind)},"header":${canonicalJson(header, fn, 'content.header')},"blocks":${JSON.stringify(table)}}`);
    guess = align(PREFIX + json.length);
  }
  const last = table[table.length - 1];
  const total = last ? last.offset + last.length * TYPES[last.type].BYTES_PER_ELEMENT : PREFIX + json.length;
  if (total > 0xffffffff) throw new Error(`${fn}: content must encode to at most 4 GiB, got ${total} bytes`);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let k = 0; k < 4; k++) out[k] = MAGIC.charCodeAt(k);
  view.setUint32(4, STATE_FORMAT_VERSION, true);
  view.setUint32(8, total, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREFIX);
  table.forEach((entry, k) => {
    const a = arrays[k];
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), entry.offset);
  });
  view.setUint32(16, fnv1a32(out, PREFIX), true);
  return out;
}

/** Options of {@link decodeState}. */
export interface DecodeStateOptions {
  /** The caller, named in every error (e.g. `'Nmrn.fromBytes'`). */
  fn: string;
  /** The accepted kind, or list of kinds; any kind when absent. */
  kind?: string | readonly string[];
}

/**
 * Decodes {@link encodeState}'s bytes. Every check names `fn` and says what is wrong: not a
 * Uint8Array, too short, not a memrec state, an unknown version, truncated, trailing bytes, a
 * checksum mismatch, a malformed JSON section or block table, the wrong kind. The returned
 * blocks are copies that own their buffers.
 *
 * @example
 * ```ts
 * import { encodeState, decodeState } from '@memrec/core';
 * const bytes = encodeState({ kind: 'counter', header: { step: 3 }, blocks: {} });
 * decodeState(bytes, { fn: 'Counter.fromBytes', kind: 'counter' }).header.step; // 3
 * decodeState(bytes, { fn: 'Counter.fromBytes', kind: 'other' }); // throws: ... must hold a "other" state, got "counter"
 * ```
 */
export function decodeState(bytes: Uint8Array, options: DecodeStateOptions): StateContent {
  const { fn, kind: accepted } = options;
  const meta = readState(bytes, fn);
  checkKind(fn, meta.kind, accepted);
  const blocks: Record<string, StateBlock> = {};
  for (const entry of meta.blocks) {
    const Type = TYPES[entry.type];
    const copy = new Type(entry.length);
    new Uint8Array(copy.buffer).set(bytes.subarray(entry.offset, entry.offset + copy.byteLength));
    blocks[entry.name] = copy;
  }
  return { kind: meta.kind, header: meta.header, blocks };
}

/**
 * The kind of a saved state, after the same checks as {@link decodeState} (magic, version,
 * length, checksum, JSON section), without copying its blocks.
 *
 * @example
 * ```ts
 * import { encodeState, stateKind } from '@memrec/core';
 * stateKind(encodeState({ kind: 'kv-memory', header: {}, blocks: {} }), 'load'); // 'kv-memory'
 * ```
 */
export function stateKind(bytes: Uint8Array, fn: string): string {
  return readState(bytes, fn).kind;
}

function checkKind(fn: string, kind: string, accepted: string | readonly string[] | undefined): void {
  if (accepted === undefined) return;
  const list = typeof accepted === 'string' ? [accepted] : accepted;
  if (list.includes(kind)) return;
  const want = list.length === 1 ? `a ${JSON.stringify(list[0])} state` : `a state of kind ${list.map((k) => JSON.stringify(k)).join(', ')}`;
  throw new Error(`${fn}: bytes must hold ${want}, got ${JSON.stringify(kind)}`);
}

function describeMagic(b: Uint8Array): string {
  const head = Array.from(b.subarray(0, 4));
  if (head.every((c) => c >= 0x20 && c < 0x7f)) return JSON.stringify(String.fromCharCode(...head));
  return `bytes ${head.map((c) => c.toString(16).padStart(2, '0')).join(' ')}`;
}

/** Validates everything but the kind; returns the parsed JSON section. */
function readState(bytes: Uint8Array, fn: string): { kind: string; header: Record<string, unknown>; blocks: BlockEntry[] } {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${fn}: bytes must be a Uint8Array, got ${show(bytes)}`);
  if (bytes.length < PREFIX) throw new Error(`${fn}: bytes must be at least ${PREFIX} bytes long (the state prefix), got ${bytes.length}`);
  for (let k = 0; k < 4; k++) {
    if (bytes[k] !== MAGIC.charCodeAt(k)) throw new Error(`${fn}: bytes must start with "${MAGIC}", got ${describeMagic(bytes)} (not a memrec state)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== STATE_FORMAT_VERSION) throw new Error(`${fn}: bytes has unknown version ${version}, this build reads ${STATE_FORMAT_VERSION}`);
  const total = view.getUint32(8, true);
  if (total < PREFIX) throw new Error(`${fn}: bytes must declare a total length of at least ${PREFIX}, got ${total}`);
  if (bytes.length < total) throw new Error(`${fn}: bytes is truncated at byte ${bytes.length} of ${total}`);
  if (bytes.length > total) throw new Error(`${fn}: bytes must end with the state at byte ${total}, got ${bytes.length - total} trailing bytes`);
  const stored = view.getUint32(16, true);
  const actual = fnv1a32(bytes, PREFIX);
  if (stored !== actual) {
    throw new Error(`${fn}: bytes must match their checksum 0x${stored.toString(16).padStart(8, '0')}, got 0x${actual.toString(16).padStart(8, '0')} (corrupt data)`);
  }
  const jsonLength = view.getUint32(12, true);
  if (PREFIX + jsonLength > total) throw new Error(`${fn}: bytes has a JSON section of ${jsonLength} bytes running past the end at byte ${total}`);
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + jsonLength)));
  } catch (e) {
    throw new Error(`${fn}: bytes has a malformed JSON section: ${(e as Error).message}`);
  }
  const m = meta as { kind?: unknown; header?: unknown; blocks?: unknown };
  const malformed = (what: string, value: unknown) => new Error(`${fn}: bytes has a malformed JSON section: ${what}, got ${show(value)}`);
  if (m == null || typeof m !== 'object' || Array.isArray(m)) throw malformed('it must be an object', m);
  if (typeof m.kind !== 'string' || m.kind.length === 0) throw malformed('kind must be a non-empty string', m.kind);
  if (m.header == null || typeof m.header !== 'object' || Array.isArray(m.header)) throw malformed('header must be an object', m.header);
  if (!Array.isArray(m.blocks)) throw malformed('blocks must be an array', m.blocks);
  const seen = new Set<string>();
  let end = align(PREFIX + jsonLength);
  for (const [k, e] of (m.blocks as unknown[]).entries()) {
    const entry = e as Partial<BlockEntry>;
    const where = `blocks[${k}]`;
    if (entry == null || typeof entry !== 'object') throw malformed(`${where} must be an object`, entry);
    if (typeof entry.name !== 'string' || seen.has(entry.name)) throw malformed(`${where}.name must be a unique string`, entry.name);
    seen.add(entry.name);
    if (typeof entry.type !== 'string' || !Object.hasOwn(TYPES, entry.type)) throw malformed(`${where}.type must be one of ${Object.keys(TYPES).join(', ')}`, entry.type);
    if (!Number.isInteger(entry.length) || (entry.length as number) < 0) throw malformed(`${where}.length must be an integer >= 0`, entry.length);
    const offset = entry.offset as number;
    if (!Number.isInteger(offset) || offset % ALIGN !== 0 || offset < end) {
      throw malformed(`${where}.offset must be a multiple of ${ALIGN} at or after byte ${end}`, entry.offset);
    }
    end = offset + (entry.length as number) * TYPES[entry.type as TypeTag].BYTES_PER_ELEMENT;
    if (end > total) {
      throw new Error(`${fn}: bytes has block ${JSON.stringify(entry.name)} (${entry.length} x ${entry.type} at byte ${offset}) running past the end at byte ${total}`);
    }
  }
  return { kind: m.kind, header: m.header as Record<string, unknown>, blocks: m.blocks as BlockEntry[] };
}
