import { IdMap, type Interactions, type RawId } from '@memrec/core';

const TABLE_LIMIT = 1 << 24;

/**
 * Assigns dense ids to raw ids in order of first appearance, backed by an {@link IdMap}.
 * Small non-negative integer raw ids (< 2^24) are looked up in a typed table first, so the
 * common numeric case costs one array read per field.
 *
 * @example
 * ```ts
 * const a = new IdAssigner();
 * a.int(196); // 0
 * a.str('u9'); // 1
 * a.int(196); // 0
 * ```
 */
export class IdAssigner {
  readonly map = new IdMap();
  private table = new Int32Array(1024).fill(-1);

  /** Dense id of a numeric raw id (a non-negative integer). */
  int(raw: number): number {
    const t = this.table;
    if (raw < t.length) {
      const d = t[raw];
      if (d >= 0) return d;
      return (t[raw] = this.map.add(raw));
    }
    if (raw < TABLE_LIMIT) {
      const grown = new Int32Array(Math.min(TABLE_LIMIT, Math.max(raw + 1, t.length * 2))).fill(-1);
      grown.set(t);
      this.table = grown;
      return (grown[raw] = this.map.add(raw));
    }
    return this.map.add(raw);
  }

  /** Dense id of any raw id. */
  any(raw: RawId): number {
    return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 ? this.int(raw) : this.map.add(raw);
  }

  /** Dense id of a string raw id. */
  str(raw: string): number {
    return this.map.add(raw);
  }
}

/**
 * Growable columnar storage for interactions (capacity doubles; typed arrays only).
 *
 * @example
 * ```ts
 * const b = new InteractionBuilder(true, false);
 * b.push(0, 3, 0, 881250949);
 * const x = b.finish(1, 4); // Interactions with one row
 * ```
 */
export class InteractionBuilder {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array | null;
  timestamps: Float64Array | null;
  length = 0;

  constructor(
    readonly hasTime: boolean,
    readonly hasRating: boolean,
    capacity = 4096,
  ) {
    this.users = new Int32Array(capacity);
    this.items = new Int32Array(capacity);
    this.ratings = hasRating ? new Float32Array(capacity) : null;
    this.timestamps = hasTime ? new Float64Array(capacity) : null;
  }

  /** Appends one interaction (rating / time ignored when the column is absent). */
  push(user: number, item: number, rating: number, time: number): void {
    if (this.length === this.users.length) this.grow();
    const k = this.length++;
    this.users[k] = user;
    this.items[k] = item;
    if (this.ratings) this.ratings[k] = rating;
    if (this.timestamps) this.timestamps[k] = time;
  }

  /** Makes room for at least `capacity` rows in total (one allocation instead of doublings). */
  reserve(capacity: number): void {
    if (capacity > this.users.length) this.grow(capacity);
  }

  private grow(capacity = this.users.length * 2): void {
    const cap = capacity;
    const g = <T extends Int32Array | Float32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.users = g(this.users, (n) => new Int32Array(n));
    this.items = g(this.items, (n) => new Int32Array(n));
    if (this.ratings) this.ratings = g(this.ratings, (n) => new Float32Array(n));
    if (this.timestamps) this.timestamps = g(this.timestamps, (n) => new Float64Array(n));
  }

  /**
   * The rows so far as {@link Interactions}: views of the buffers when at most 1/8 of the
   * capacity is unused (no copy at peak memory), trimmed copies otherwise.
   */
  finish(numUsers: number, numItems: number): Interactions {
    const n = this.length;
    const view = this.users.length - n <= this.users.length / 8;
    const cut = <T extends Int32Array | Float32Array | Float64Array>(a: T): T => (view ? (a.subarray(0, n) as T) : (a.slice(0, n) as T));
    const out: Interactions = { users: cut(this.users), items: cut(this.items), numUsers, numItems };
    if (this.ratings) out.ratings = cut(this.ratings);
    if (this.timestamps) out.timestamps = cut(this.timestamps);
    return out;
  }
}
