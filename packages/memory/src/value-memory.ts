import { assertInt, randNormal, seededRng } from '@memrec/core';

/**
 * The NMRN value memory M^v as host state: one `[H, D]` memory shared by all users (the paper's
 * figure), or one per user (`[numUsers, H, D]`, grows with new users). It is state, not a
 * trainable variable: writes change it, gradients never flow through it across writes.
 * Every memory starts from the same seeded template, so `reset()` and `grow()` are cheap.
 *
 * @example
 * ```ts
 * const m = new ValueMemory({ slots: 4, dim: 8, perUser: false, count: 1, seed: 1 });
 * m.writeSequential(m.memIds(Int32Array.of(0)), w, e, a); // w: [1*4], e, a: [1*8] Float32Arrays
 * ```
 */
export class ValueMemory {
  readonly slots: number;
  readonly dim: number;
  readonly perUser: boolean;
  /** The memory every slot set starts from, `[H * D]`. */
  readonly template: Float32Array;
  /** All memories, row-major `[count, H, D]` (only the first `count * H * D` entries in use). */
  data: Float32Array;
  private _count = 0;

  constructor(o: { slots: number; dim: number; perUser: boolean; count: number; seed: number; initStd?: number; template?: Float32Array }) {
    this.slots = o.slots;
    this.dim = o.dim;
    this.perUser = o.perUser;
    const size = o.slots * o.dim;
    if (o.template) {
      this.template = Float32Array.from(o.template);
    } else {
      const rng = seededRng(o.seed);
      const std = o.initStd ?? 0.1;
      this.template = Float32Array.from({ length: size }, () => randNormal(rng) * std);
    }
    this.data = new Float32Array(0);
    this.grow(o.perUser ? o.count : 1);
  }

  /** Number of memories (1 when shared). */
  get count(): number {
    return this._count;
  }

  /** Size of one memory, `H * D`. */
  get size(): number {
    return this.slots * this.dim;
  }

  /** Adds memories (from the template) up to `count`; never shrinks. */
  grow(count: number): void {
    assertInt('ValueMemory.grow', 'count', count, 0);
    if (count <= this._count) return;
    const size = this.size;
    if (count * size > this.data.length) {
      const next = new Float32Array(Math.max(count, Math.ceil(this._count * 1.5)) * size);
      next.set(this.data.subarray(0, this._count * size));
      this.data = next;
    }
    for (let r = this._count; r < count; r++) this.data.set(this.template, r * size);
    this._count = count;
  }

  /** Replaces the state with `count` memories from `data` (`[count, H, D]`). */
  restore(count: number, data: Float32Array): void {
    assertInt('ValueMemory.restore', 'count', count, 1);
    if (data.length !== count * this.size) throw new Error(`ValueMemory.restore: data must have length ${count * this.size}, got ${data.length}`);
    this.data = Float32Array.from(data);
    this._count = count;
  }

  /** Every memory back to the template. */
  reset(): void {
    for (let r = 0; r < this._count; r++) this.data.set(this.template, r * this.size);
  }

  /** Memory index of each user: all 0 when shared, the user id otherwise. */
  memIds(users: Int32Array): Int32Array {
    return this.perUser ? users : new Int32Array(users.length);
  }

  /** Copies the memories `ids` into `[ids.length, H, D]`. */
  gather(ids: Int32Array): Float32Array {
    const size = this.size;
    const out = new Float32Array(ids.length * size);
    for (let i = 0; i < ids.length; i++) out.set(this.data.subarray(ids[i] * size, (ids[i] + 1) * size), i * size);
    return out;
  }

  /**
   * Exact NMRN write in event order: for each event t, `M <- M * (1 - w_t e_t) + w_t a_t`
   * on memory `ids[t]`. `w` is `[b * H]`, `e` and `a` are `[b * D]`.
   */
  writeSequential(ids: Int32Array, w: Float32Array, e: Float32Array, a: Float32Array): void {
    const H = this.slots;
    const D = this.dim;
    const data = this.data;
    for (let t = 0; t < ids.length; t++) {
      const base = ids[t] * H * D;
      const eo = t * D;
      for (let j = 0; j < H; j++) {
        const wj = w[t * H + j];
        const row = base + j * D;
        for (let d = 0; d < D; d++) data[row + d] = data[row + d] * (1 - wj * e[eo + d]) + wj * a[eo + d];
      }
    }
  }

  /**
   * Batched write: every event of the batch is computed against the memory as it was before
   * the batch, and the changes are summed per memory:
   * `M <- M * (1 - sum_t w_t e_t) + sum_t w_t a_t`. Equals {@link writeSequential} at batch
   * size 1 and for batches whose events touch different memories.
   */
  writeBatched(ids: Int32Array, w: Float32Array, e: Float32Array, a: Float32Array): void {
    const H = this.slots;
    const D = this.dim;
    const size = H * D;
    const { distinct, eventRow } = distinctIds(ids);
    // float64 accumulators: at batch size 1 the result is bit-identical to writeSequential
    const we = new Float64Array(distinct.length * size);
    const wa = new Float64Array(distinct.length * size);
    for (let t = 0; t < ids.length; t++) {
      const base = eventRow[t] * size;
      const eo = t * D;
      for (let j = 0; j < H; j++) {
        const wj = w[t * H + j];
        const row = base + j * D;
        for (let d = 0; d < D; d++) {
          we[row + d] += wj * e[eo + d];
          wa[row + d] += wj * a[eo + d];
        }
      }
    }
    const data = this.data;
    for (let r = 0; r < distinct.length; r++) {
      const base = distinct[r] * size;
      const src = r * size;
      for (let k = 0; k < size; k++) data[base + k] = data[base + k] * (1 - we[src + k]) + wa[src + k];
    }
  }
}

/** Distinct ids in first-seen order and, per position, the index of its id among them. */
export function distinctIds(ids: Int32Array): { distinct: Int32Array; eventRow: Int32Array } {
  const index = new Map<number, number>();
  const eventRow = new Int32Array(ids.length);
  const distinct: number[] = [];
  for (let t = 0; t < ids.length; t++) {
    let r = index.get(ids[t]);
    if (r === undefined) {
      r = distinct.length;
      index.set(ids[t], r);
      distinct.push(ids[t]);
    }
    eventRow[t] = r;
  }
  return { distinct: Int32Array.from(distinct), eventRow };
}
