import type { SampledCandidates } from './candidates';

const MAGIC = 'MRCAND01';
const FORMAT = 'memrec-candidates';

interface Header {
  format: string;
  version: number;
  source: 'sampled' | 'predefined';
  n: number;
  seed: number | null;
  numUsers: number;
  numItems: number;
  dedupedCases: number;
  cases: number;
  numNegatives: number;
}

function header(c: SampledCandidates): Header {
  return { format: FORMAT, version: 1, source: c.source, n: c.n, seed: c.seed, numUsers: c.numUsers, numItems: c.numItems, dedupedCases: c.dedupedCases, cases: c.users.length, numNegatives: c.negatives.length };
}

/**
 * Serialises sampled-N candidates: `'json'` (a readable string) or `'binary'` (a compact
 * `Uint8Array`: the magic `MRCAND01`, a length-prefixed JSON header, then little-endian int32
 * arrays users, items, offsets, negatives).
 *
 * @example
 * ```ts
 * fs.writeFileSync('candidates.bin', saveCandidates(cands, 'binary'));
 * ```
 */
export function saveCandidates(c: SampledCandidates, format: 'json'): string;
export function saveCandidates(c: SampledCandidates, format: 'binary'): Uint8Array;
export function saveCandidates(c: SampledCandidates, format: 'json' | 'binary'): string | Uint8Array {
  const h = header(c);
  if (format === 'json') {
    return JSON.stringify({ ...h, users: Array.from(c.users), items: Array.from(c.items), offsets: Array.from(c.offsets), negatives: Array.from(c.negatives) });
  }
  if (format !== 'binary') throw new Error(`saveCandidates: format must be "json" or "binary", got ${JSON.stringify(format)}`);
  const head = new TextEncoder().encode(JSON.stringify(h));
  const headLen = Math.ceil(head.length / 4) * 4;
  const ints = c.users.length * 2 + c.offsets.length + c.negatives.length;
  const buf = new Uint8Array(8 + 4 + headLen + ints * 4);
  buf.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(buf.buffer);
  view.setUint32(8, headLen, true);
  buf.set(head, 12);
  buf.fill(0x20, 12 + head.length, 12 + headLen); // pad with spaces (valid JSON whitespace)
  let o = 12 + headLen;
  for (const arr of [c.users, c.items, c.offsets, c.negatives]) {
    for (let i = 0; i < arr.length; i++, o += 4) view.setInt32(o, arr[i], true);
  }
  return buf;
}

/**
 * Reads candidates written by {@link saveCandidates} (either format) and checks their structure
 * (offsets, id ranges). Whether they match a dataset is checked by `evaluateSampled`.
 *
 * @example
 * ```ts
 * const cands = loadCandidates(fs.readFileSync('candidates.bin'));
 * ```
 */
export function loadCandidates(data: string | Uint8Array): SampledCandidates {
  const fn = 'loadCandidates';
  let c: SampledCandidates;
  if (typeof data === 'string') {
    let obj: Header & { users: number[]; items: number[]; offsets: number[]; negatives: number[] };
    try {
      obj = JSON.parse(data);
    } catch (e) {
      throw new Error(`${fn}: data must be JSON written by saveCandidates, got a parse error: ${(e as Error).message}`);
    }
    checkHeader(obj);
    c = { ...pick(obj), users: Int32Array.from(obj.users ?? []), items: Int32Array.from(obj.items ?? []), offsets: Int32Array.from(obj.offsets ?? []), negatives: Int32Array.from(obj.negatives ?? []) };
  } else if (data instanceof Uint8Array) {
    if (data.length < 12 || new TextDecoder().decode(data.subarray(0, 8)) !== MAGIC) throw new Error(`${fn}: binary data must start with ${MAGIC}, got ${data.length} bytes without it`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const headLen = view.getUint32(8, true);
    const h = JSON.parse(new TextDecoder().decode(data.subarray(12, 12 + headLen))) as Header;
    checkHeader(h);
    const sizes = [h.cases, h.cases, h.cases + 1, h.numNegatives];
    const need = 12 + headLen + sizes.reduce((s, v) => s + v, 0) * 4;
    if (data.length !== need) throw new Error(`${fn}: binary data must be ${need} bytes for its header, got ${data.length}`);
    let o = 12 + headLen;
    const arrays = sizes.map((len) => {
      const a = new Int32Array(len);
      for (let i = 0; i < len; i++, o += 4) a[i] = view.getInt32(o, true);
      return a;
    });
    c = { ...pick(h), users: arrays[0], items: arrays[1], offsets: arrays[2], negatives: arrays[3] };
  } else {
    throw new Error(`${fn}: data must be a string or a Uint8Array, got ${typeof data}`);
  }
  checkStructure(fn, c);
  return c;
}

function pick(h: Header): Omit<SampledCandidates, 'users' | 'items' | 'offsets' | 'negatives'> {
  return { source: h.source, n: h.n, seed: h.seed, numUsers: h.numUsers, numItems: h.numItems, dedupedCases: h.dedupedCases };
}

function checkHeader(h: Header): void {
  if (h?.format !== FORMAT || h.version !== 1) throw new Error(`loadCandidates: data must be ${FORMAT} version 1, got ${JSON.stringify(h?.format)} version ${h?.version}`);
}

/** Checks offsets and id ranges of candidates. */
export function checkStructure(fn: string, c: SampledCandidates): void {
  const cases = c.users.length;
  if (c.items.length !== cases || c.offsets.length !== cases + 1 || c.offsets[0] !== 0 || c.offsets[cases] !== c.negatives.length) {
    throw new Error(`${fn}: candidates must have ${cases} items and ${cases + 1} offsets ending at ${c.negatives.length}, got ${c.items.length} items and ${c.offsets.length} offsets`);
  }
  for (let k = 0; k < cases; k++) {
    if (c.offsets[k + 1] < c.offsets[k]) throw new Error(`${fn}: candidates.offsets must not decrease, got ${c.offsets[k]} then ${c.offsets[k + 1]} at case ${k}`);
    if (!(c.users[k] >= 0 && c.users[k] < c.numUsers)) throw new Error(`${fn}: candidates.users[${k}] must be in [0, ${c.numUsers}), got ${c.users[k]}`);
    if (!(c.items[k] >= 0 && c.items[k] < c.numItems)) throw new Error(`${fn}: candidates.items[${k}] must be in [0, ${c.numItems}), got ${c.items[k]}`);
  }
  for (let k = 0; k < c.negatives.length; k++) {
    if (!(c.negatives[k] >= 0 && c.negatives[k] < c.numItems)) throw new Error(`${fn}: candidates.negatives[${k}] must be in [0, ${c.numItems}), got ${c.negatives[k]}`);
  }
}
