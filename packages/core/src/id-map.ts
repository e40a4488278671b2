import { show } from './assert';

/** A raw id as it appears in a data file: a string or a number. */
export type RawId = string | number;

/**
 * A bijection between raw ids (strings or numbers, as in the source file) and dense ids
 * 0..size-1, assigned in order of first appearance.
 *
 * Strings and numbers are distinct keys (`1` and `"1"` are different ids); loaders decide
 * which one a file yields and keep it consistent.
 *
 * @example
 * ```ts
 * const users = new IdMap();
 * users.add('alice'); // 0
 * users.add('bob');   // 1
 * users.toDense('bob'); // 1
 * users.toRaw(0);       // 'alice'
 * ```
 */
export class IdMap {
  private readonly index = new Map<RawId, number>();
  private readonly raws: RawId[] = [];

  /** Builds a map from raw ids in order (duplicates keep their first dense id). */
  static from(raws: Iterable<RawId>): IdMap {
    const m = new IdMap();
    for (const r of raws) m.add(r);
    return m;
  }

  /** Number of distinct ids. */
  get size(): number {
    return this.raws.length;
  }

  /** Returns the dense id of `raw`, assigning the next one if it is new. */
  add(raw: RawId): number {
    const known = this.index.get(raw);
    if (known !== undefined) return known;
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
      throw new Error(`IdMap.add: raw must be a string or a finite number, got ${show(raw)}`);
    }
    const id = this.raws.length;
    this.index.set(raw, id);
    this.raws.push(raw);
    return id;
  }

  /** Whether `raw` is known. */
  has(raw: RawId): boolean {
    return this.index.has(raw);
  }

  /** Dense id of `raw`, or `undefined` when unknown. */
  get(raw: RawId): number | undefined {
    return this.index.get(raw);
  }

  /** Dense id of `raw`; throws when unknown. */
  toDense(raw: RawId): number {
    const id = this.index.get(raw);
    if (id === undefined) throw new Error(`IdMap.toDense: raw must be a known id, got ${show(raw)}`);
    return id;
  }

  /** Raw id of dense id `id`; throws when out of range. */
  toRaw(id: number): RawId {
    if (!Number.isInteger(id) || id < 0 || id >= this.raws.length) {
      throw new Error(`IdMap.toRaw: id must be an integer in [0, ${this.raws.length}), got ${show(id)}`);
    }
    return this.raws[id];
  }

  /** Raw ids in dense order (a copy). */
  rawIds(): RawId[] {
    return this.raws.slice();
  }

  /** JSON form: the raw ids in dense order. */
  toJSON(): RawId[] {
    return this.raws.slice();
  }

  /** Inverse of {@link IdMap.toJSON}; rejects duplicates. */
  static fromJSON(raws: unknown): IdMap {
    if (!Array.isArray(raws)) throw new Error(`IdMap.fromJSON: raws must be an array, got ${show(raws)}`);
    const m = new IdMap();
    for (const r of raws) {
      if (m.has(r as RawId)) throw new Error(`IdMap.fromJSON: raws must be distinct, got duplicate ${show(r)}`);
      m.add(r as RawId);
    }
    return m;
  }
}
