/**
 * The event ids of the last `capacity` logged events, by log offset, for duplicate detection:
 * an event whose id is in the window is a duplicate. A checkpoint saves the ids before its
 * offset, so the window survives restarts.
 *
 * @example
 * ```ts
 * const w = new IdWindow(1_000_000);
 * w.add(['e1', 'e2'], 0); // offsets 0 and 1
 * w.has('e2'); // true
 * ```
 */
export class IdWindow {
  private readonly where = new Map<string, number>();
  private ids: string[] = [];
  /** The log offset of `ids[0]`. */
  private base = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`IdWindow: capacity must be a positive integer, got ${capacity}`);
  }

  /** Rebuilds a window whose last id has offset `end - 1`. */
  static from(capacity: number, ids: string[], end: number): IdWindow {
    const w = new IdWindow(capacity);
    w.base = end - ids.length;
    w.add(ids, end - ids.length);
    return w;
  }

  /** The offset after the last id added. */
  get end(): number {
    return this.base + this.ids.length;
  }

  has(id: string): boolean {
    return this.where.has(id);
  }

  /** Adds the ids of the events at offsets `first, first + 1, ...` (which must follow the last ones). */
  add(ids: string[], first: number): void {
    if (this.ids.length === 0) this.base = first;
    else if (first !== this.end) throw new Error(`IdWindow.add: first must be the window's end offset ${this.end}, got ${first}`);
    for (let k = 0; k < ids.length; k++) {
      this.ids.push(ids[k]);
      this.where.set(ids[k], first + k);
    }
    const excess = this.ids.length - this.capacity;
    if (excess > Math.max(1024, this.capacity >> 3)) this.evict(excess);
  }

  /** The ids of offsets `[offset - capacity, offset)` that the window holds, oldest first. */
  idsBefore(offset: number): string[] {
    const from = Math.max(this.base, offset - this.capacity);
    return this.ids.slice(from - this.base, Math.max(from, Math.min(offset, this.end)) - this.base);
  }

  private evict(count: number): void {
    for (let k = 0; k < count; k++) {
      const id = this.ids[k];
      if (this.where.get(id) === this.base + k) this.where.delete(id);
    }
    this.ids = this.ids.slice(count);
    this.base += count;
  }
}
