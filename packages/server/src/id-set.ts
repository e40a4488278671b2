/**
 * Every event id ever logged, for exact duplicate detection with bounded memory per id: an
 * open-addressing hash set (linear probing) of 128-bit id hashes in one `Uint32Array`, four
 * words a slot, a power-of-two number of slots that doubles when more than 3/4 are full. Memory:
 * 16 bytes a slot, so 21 to 43 bytes an id in memory (load 3/4 just before a doubling, 3/8 just
 * after) and 16 bytes an id in a checkpoint ({@link IdSet.toHashes} stores only the occupied
 * slots), however long the id. No id string is kept.
 *
 * The hash is MurmurHash3 x86_128 (seed 0) of the id's UTF-16LE code units: two different ids
 * share a hash with probability 2^-128 a pair, so among n ids a collision has probability below
 * n^2 / 2^129 (1e-20 at 2^30 ids). Its only effect would be a new event counted as a duplicate;
 * an id already held is always found, so a repeated id is never applied twice. The hash is not
 * cryptographic: ids come from clients holding the API key.
 *
 * @example
 * ```ts
 * const s = new IdSet();
 * s.add('e1'); // true: new
 * s.add('e1'); // false: already held
 * s.has('e2'); // false
 * const again = IdSet.fromHashes(s.toHashes()); // again.has('e1') === true
 * ```
 */
export class IdSet {
  private table: Uint32Array;
  private mask: number;
  private count = 0;

  /** A set with room for `capacity` ids before its first doubling (rounded up to a power of two slots). */
  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`IdSet: capacity must be a positive integer, got ${capacity}`);
    let slots = 16;
    while (slots * 0.75 < capacity) slots *= 2;
    this.table = new Uint32Array(slots * 4);
    this.mask = slots - 1;
  }

  /** Ids held. */
  get size(): number {
    return this.count;
  }

  /** Slots in the table (a power of two); the table takes 16 bytes a slot. */
  get slots(): number {
    return this.mask + 1;
  }

  /** Bytes the table takes in memory. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** True when `id` was added (or a different id with the same 128-bit hash, see the class comment). */
  has(id: string): boolean {
    idHash128(id, H);
    return this.find(H[0], H[1], H[2], H[3]) >= 0;
  }

  /** Adds `id`; false when it was already held. */
  add(id: string): boolean {
    idHash128(id, H);
    return this.insert(H[0], H[1], H[2], H[3]);
  }

  /**
   * The held hashes, four words each (`[size * 4]`, in slot order), less those `except` holds:
   * what a checkpoint stores.
   *
   * @example
   * ```ts
   * const packed = set.toHashes(); // packed.length === set.size * 4
   * ```
   */
  toHashes(except?: IdSet): Uint32Array {
    const skip = except !== undefined && except.size > 0 ? except : null;
    const out = new Uint32Array(this.count * 4);
    const t = this.table;
    let o = 0;
    for (let p = 0; p < t.length; p += 4) {
      if ((t[p] | t[p + 1] | t[p + 2] | t[p + 3]) === 0) continue;
      if (skip && skip.find(t[p], t[p + 1], t[p + 2], t[p + 3]) >= 0) continue;
      out[o] = t[p];
      out[o + 1] = t[p + 1];
      out[o + 2] = t[p + 2];
      out[o + 3] = t[p + 3];
      o += 4;
    }
    return o === out.length ? out : out.slice(0, o);
  }

  /**
   * A set holding the hashes of {@link IdSet.toHashes}; a length that is not a multiple of 4, an
   * all-zero hash or a repeated hash is an error.
   *
   * @example
   * ```ts
   * const restored = IdSet.fromHashes(checkpoint.idHashes);
   * ```
   */
  static fromHashes(hashes: Uint32Array): IdSet {
    const fn = 'IdSet.fromHashes';
    if (!(hashes instanceof Uint32Array) || hashes.length % 4 !== 0) throw new Error(`${fn}: hashes must be a Uint32Array whose length is a multiple of 4, got ${hashes instanceof Uint32Array ? `length ${hashes.length}` : String(hashes)}`);
    const s = new IdSet(Math.max(1, hashes.length / 4));
    for (let p = 0; p < hashes.length; p += 4) {
      const [a, b, c, d] = [hashes[p], hashes[p + 1], hashes[p + 2], hashes[p + 3]];
      if ((a | b | c | d) === 0) throw new Error(`${fn}: hashes must not hold the empty (all-zero) hash, got one at index ${p / 4}`);
      if (!s.insert(a, b, c, d)) throw new Error(`${fn}: hashes must be distinct, got a repeat at index ${p / 4}`);
    }
    return s;
  }

  /** Word offset of the hash's slot, or -1. */
  private find(a: number, b: number, c: number, d: number): number {
    const t = this.table;
    const mask = this.mask;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const p = slot * 4;
      const x = t[p];
      if (x === a && t[p + 1] === b && t[p + 2] === c && t[p + 3] === d) return p;
      if ((x | t[p + 1] | t[p + 2] | t[p + 3]) === 0) return -1;
    }
  }

  private insert(a: number, b: number, c: number, d: number): boolean {
    const t = this.table;
    const mask = this.mask;
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const p = slot * 4;
      const x = t[p];
      if (x === a && t[p + 1] === b && t[p + 2] === c && t[p + 3] === d) return false;
      if ((x | t[p + 1] | t[p + 2] | t[p + 3]) === 0) {
        t[p] = a;
        t[p + 1] = b;
        t[p + 2] = c;
        t[p + 3] = d;
        this.count++;
        if (this.count * 4 > this.slots * 3) this.double();
        return true;
      }
    }
  }

  /** Twice the slots; every hash moves to its slot in the new table (all distinct: no comparisons). */
  private double(): void {
    const old = this.table;
    const t = new Uint32Array(old.length * 2);
    const mask = this.mask * 2 + 1;
    for (let p = 0; p < old.length; p += 4) {
      const a = old[p];
      const b = old[p + 1];
      const c = old[p + 2];
      const d = old[p + 3];
      if ((a | b | c | d) === 0) continue;
      let q = (a & mask) * 4;
      while ((t[q] | t[q + 1] | t[q + 2] | t[q + 3]) !== 0) q = (q + 4) & (mask * 4 + 3);
      t[q] = a;
      t[q + 1] = b;
      t[q + 2] = c;
      t[q + 3] = d;
    }
    this.table = t;
    this.mask = mask;
  }
}

const H = new Uint32Array(4);

/**
 * MurmurHash3 x86_128 (Austin Appleby's `MurmurHash3_x86_128`, seed 0) of `id`'s UTF-16LE code
 * units, written to `out[0..3]` as the four 32-bit words h1..h4 (an all-zero result becomes
 * `[1, 0, 0, 0]`, the empty slot being all zeros). Equal to `mmh3.hash128(id.encode('utf-16-le'),
 * 0, x64arch=False)` of Python's mmh3 (as h1 | h2 << 32 | h3 << 64 | h4 << 96).
 *
 * @example
 * ```ts
 * const h = new Uint32Array(4);
 * idHash128('event-1', h);
 * ```
 */
export function idHash128(id: string, out: Uint32Array): void {
  const c1 = 0x239b961b;
  const c2 = 0xab0e9789;
  const c3 = 0x38b34ae5;
  const c4 = 0xa1e38b93;
  const n = id.length; // code units; 2 bytes each
  const len = n * 2;
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  const blocks = n >> 3; // 16-byte blocks = 8 code units
  for (let b = 0; b < blocks; b++) {
    const i = b * 8;
    let k1 = id.charCodeAt(i) | (id.charCodeAt(i + 1) << 16);
    let k2 = id.charCodeAt(i + 2) | (id.charCodeAt(i + 3) << 16);
    let k3 = id.charCodeAt(i + 4) | (id.charCodeAt(i + 5) << 16);
    let k4 = id.charCodeAt(i + 6) | (id.charCodeAt(i + 7) << 16);
    k1 = Math.imul(k1, c1);
    k1 = rotl(k1, 15);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
    h1 = rotl(h1, 19);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, c2);
    k2 = rotl(k2, 16);
    k2 = Math.imul(k2, c3);
    h2 ^= k2;
    h2 = rotl(h2, 17);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(k3, c3);
    k3 = rotl(k3, 17);
    k3 = Math.imul(k3, c4);
    h3 ^= k3;
    h3 = rotl(h3, 15);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(k4, c4);
    k4 = rotl(k4, 18);
    k4 = Math.imul(k4, c1);
    h4 ^= k4;
    h4 = rotl(h4, 13);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  // tail: up to 7 code units (14 bytes), as little-endian words k1..k4
  const rest = n - blocks * 8;
  if (rest > 0) {
    const i = blocks * 8;
    const unit = (j: number) => (j < rest ? id.charCodeAt(i + j) : 0);
    let k1 = unit(0) | (unit(1) << 16);
    let k2 = unit(2) | (unit(3) << 16);
    let k3 = unit(4) | (unit(5) << 16);
    let k4 = unit(6) | (unit(7) << 16);
    if (rest > 6) {
      k4 = Math.imul(k4, c4);
      k4 = rotl(k4, 18);
      k4 = Math.imul(k4, c1);
      h4 ^= k4;
    }
    if (rest > 4) {
      k3 = Math.imul(k3, c3);
      k3 = rotl(k3, 17);
      k3 = Math.imul(k3, c4);
      h3 ^= k3;
    }
    if (rest > 2) {
      k2 = Math.imul(k2, c2);
      k2 = rotl(k2, 16);
      k2 = Math.imul(k2, c3);
      h2 ^= k2;
    }
    k1 = Math.imul(k1, c1);
    k1 = rotl(k1, 15);
    k1 = Math.imul(k1, c2);
    h1 ^= k1;
  }
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3;
  out[3] = h4;
  if ((h1 | h2 | h3 | h4) === 0) out[0] = 1;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
