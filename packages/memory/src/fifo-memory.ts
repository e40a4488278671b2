import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, assertInt, type SparseEmbedding } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkIds } from './check';
import { fifoRead, fifoReadHost } from './fifo-ops';
import { packState, unpackState } from './state-bytes';

const FN = 'FifoItemMemory';

/** Options of {@link FifoItemMemory}. */
export interface FifoItemMemoryOptions {
  /** The item table whose rows fill the slots (the memory stores ids, the rows stay trainable). */
  items: SparseEmbedding;
  /** K: items kept per owner (user or session). */
  capacity: number;
  /** Initial number of owners (grows with `grow`). */
  count: number;
  /** Softmax temperature of the read; default 1. */
  temperature?: number;
}

/** A window of the memory for a batch of owners: `ids` `[b * K]` (newest first, padding 0), `mask` `[b * K]` (1 real, 0 padding), `lengths` `[b]`. */
export interface FifoWindow {
  ids: Int32Array;
  mask: Float32Array;
  lengths: Int32Array;
}

/**
 * A FIFO item memory: the last K items of each owner (a user or a session), read by attention
 * with a target item (RUM's item-level memory, Chen et al., "Sequential Recommendation with User
 * Memory Networks", WSDM 2018): `w_k = softmax_k(q . m_k / temperature)`, read `sum_k w_k m_k`,
 * where the slots `m_k` are the current rows of the item table. The memory holds item ids, not
 * copies of their vectors, so the slots follow the table as it trains and a gradient of the read
 * reaches those rows (`window` + `fifoRead` + `compactGradient`). `push` is exact in event order:
 * a full memory drops its oldest item.
 *
 * @example
 * ```ts
 * const items = new SparseEmbedding({ rows: 50, dim: 8, seed: 1 });
 * const fifo = new FifoItemMemory({ items, capacity: 5, count: 10 });
 * fifo.push(Int32Array.of(0, 0, 3), Int32Array.of(7, 9, 2)); // user 0: [9, 7], user 3: [2]
 * const r = fifo.read(Int32Array.of(0), items.lookup(Int32Array.of(4))); // [1, 8], item 4 attends to 9 and 7
 * r.dispose();
 * ```
 */
export class FifoItemMemory {
  readonly items: SparseEmbedding;
  readonly capacity: number;
  readonly temperature: number;
  /** Ring buffers, `[count, K]`: owner r's slot j at `r * K + j`. */
  private buf: Int32Array;
  /** Items held per owner (<= K). */
  private len: Int32Array;
  /** Next ring position per owner. */
  private head: Int32Array;
  private _count = 0;

  constructor(o: FifoItemMemoryOptions) {
    if (o == null || typeof o !== 'object') throw new Error(`${FN}: options must be an object like { items, capacity, count }, got ${show(o)}`);
    assertInt(FN, 'capacity', o.capacity, 1);
    assertInt(FN, 'count', o.count, 0);
    const temperature = o.temperature ?? 1;
    assertFinite(FN, 'temperature', temperature, 0);
    if (temperature <= 0) throw new Error(`${FN}: temperature must be > 0, got ${temperature}`);
    this.items = o.items;
    this.capacity = o.capacity;
    this.temperature = temperature;
    this.buf = new Int32Array(0);
    this.len = new Int32Array(0);
    this.head = new Int32Array(0);
    this.grow(o.count);
  }

  /** Number of owners. */
  get count(): number {
    return this._count;
  }

  /** Adds empty memories up to `count` owners; never shrinks. */
  grow(count: number): void {
    assertInt(`${FN}.grow`, 'count', count, 0);
    if (count <= this._count) return;
    if (count > this.len.length) {
      const cap = Math.max(count, Math.ceil(this._count * 1.5));
      const buf = new Int32Array(cap * this.capacity);
      buf.set(this.buf);
      const len = new Int32Array(cap);
      len.set(this.len);
      const head = new Int32Array(cap);
      head.set(this.head);
      this.buf = buf;
      this.len = len;
      this.head = head;
    }
    this._count = count;
  }

  /** Appends `items[t]` to owner `owners[t]`'s memory, in event order (a full memory drops its oldest). */
  push(owners: Int32Array, items: Int32Array): void {
    const fn = `${FN}.push`;
    checkIds(fn, 'owners', owners, this._count, true);
    checkIds(fn, 'items', items, this.items.rows, true);
    if (items.length !== owners.length) throw new Error(`${fn}: items must have length owners.length (${owners.length}), got ${items.length}`);
    const K = this.capacity;
    for (let t = 0; t < owners.length; t++) {
      const r = owners[t];
      this.buf[r * K + this.head[r]] = items[t];
      this.head[r] = (this.head[r] + 1) % K;
      if (this.len[r] < K) this.len[r]++;
    }
  }

  /** Number of items held by `owner` (at most K). */
  length(owner: number): number {
    checkIds(`${FN}.length`, 'owner', Int32Array.of(owner), this._count);
    return this.len[owner];
  }

  /** The items of `owners`, newest first, padded with id 0 and mask 0 (see {@link FifoWindow}). */
  window(owners: Int32Array): FifoWindow {
    checkIds(`${FN}.window`, 'owners', owners, this._count, true);
    const K = this.capacity;
    const b = owners.length;
    const ids = new Int32Array(b * K);
    const mask = new Float32Array(b * K);
    const lengths = new Int32Array(b);
    for (let t = 0; t < b; t++) {
      const r = owners[t];
      const n = this.len[r];
      lengths[t] = n;
      for (let k = 0; k < n; k++) {
        ids[t * K + k] = this.buf[r * K + ((this.head[r] - 1 - k + 2 * K) % K)];
        mask[t * K + k] = 1;
      }
    }
    return { ids, mask, lengths };
  }

  /**
   * Read vectors `[b, D]` of `owners` for targets `query` (`[b, D]`) through {@link fifoRead};
   * the slots are constants here (train them with `window`, `fifoRead` and `compactGradient`).
   */
  read(owners: Int32Array, query: tf.Tensor2D): tf.Tensor2D {
    const fn = `${FN}.read`;
    const win = this.window(owners);
    const D = this.items.dim;
    if (query.rank !== 2 || query.shape[0] !== owners.length || query.shape[1] !== D) {
      throw new Error(`${fn}: query must have shape [${owners.length}, ${D}], got [${query.shape.join(', ')}]`);
    }
    const K = this.capacity;
    return tf.tidy(() =>
      fifoRead(query, tf.tensor3d(this.items.gather(win.ids), [owners.length, K, D], 'float32'), tf.tensor2d(win.mask, [owners.length, K], 'float32'), this.temperature),
    );
  }

  /**
   * Reads of one `owner` for many targets at once, on the host: `queries` `[nq * D]` gives
   * `[nq * D]` (e.g. every item of the catalogue as the target, for a full ranking). No tensors.
   */
  readHost(owner: number, queries: Float32Array, out?: Float32Array): Float32Array {
    const fn = `${FN}.readHost`;
    const D = this.items.dim;
    if (!(queries instanceof Float32Array) || queries.length % D !== 0) throw new Error(`${fn}: queries must be a Float32Array whose length is a multiple of ${D}, got ${show(queries)}`);
    const nq = queries.length / D;
    const res = out ?? new Float32Array(nq * D);
    if (res.length < nq * D) throw new Error(`${fn}: out must have length >= ${nq * D}, got ${res.length}`);
    const win = this.window(Int32Array.of(owner));
    const slots = this.items.gather(win.ids.subarray(0, win.lengths[0]));
    return fifoReadHost(queries, nq, slots, win.lengths[0], this.capacity, D, this.temperature, res);
  }

  /**
   * The rows of a gradient with respect to a window's slots (`[b * K, D]`, e.g. from `tf.grads`)
   * that belong to real slots, with their item ids: hand them to the item table's
   * `applyGradients` (padding slots are dropped, so their row 0 never moves).
   */
  static compactGradient(win: FifoWindow, grad: Float32Array, D: number): { ids: Int32Array; grad: Float32Array } {
    let n = 0;
    for (let k = 0; k < win.mask.length; k++) if (win.mask[k] > 0) n++;
    if (grad.length !== win.mask.length * D) throw new Error(`FifoItemMemory.compactGradient: grad must have length ${win.mask.length * D} (window slots x ${D}), got ${grad.length}`);
    const ids = new Int32Array(n);
    const out = new Float32Array(n * D);
    let j = 0;
    for (let k = 0; k < win.mask.length; k++) {
      if (win.mask[k] === 0) continue;
      ids[j] = win.ids[k];
      out.set(grad.subarray(k * D, (k + 1) * D), j * D);
      j++;
    }
    return { ids, grad: out };
  }

  /** Empties every memory. */
  reset(): void {
    this.buf.fill(0);
    this.len.fill(0);
    this.head.fill(0);
  }

  /** The memories as bytes (the item table saves itself). */
  stateToBytes(): Uint8Array {
    const n = this._count;
    const K = this.capacity;
    // float32 holds every id below 2^24 exactly; larger catalogues are refused rather than rounded
    if (this.items.rows > 1 << 24) throw new Error(`${FN}.stateToBytes: items.rows must be <= ${1 << 24} to be saved, got ${this.items.rows}`);
    return packState('fifo-memory', { capacity: K, count: n }, [Float32Array.from(this.buf.subarray(0, n * K)), Float32Array.from(this.len.subarray(0, n)), Float32Array.from(this.head.subarray(0, n))]);
  }

  /** Restores {@link FifoItemMemory.stateToBytes} into this memory (same capacity). */
  stateFromBytes(bytes: Uint8Array): void {
    const fn = `${FN}.stateFromBytes`;
    const { header, blocks } = unpackState('fifo-memory', bytes, fn);
    if (header.capacity !== this.capacity) throw new Error(`${fn}: capacity must be ${this.capacity} (this memory), got ${show(header.capacity)}`);
    const count = header.count as number;
    assertInt(fn, 'count', count, 0);
    if (blocks.length !== 3 || blocks[0].length !== count * this.capacity || blocks[1].length !== count || blocks[2].length !== count) {
      throw new Error(`${fn}: bytes must hold ${count * this.capacity} slots, ${count} lengths and ${count} heads, got blocks of ${blocks.map((b) => b.length).join(', ')}`);
    }
    this._count = 0;
    this.buf = Int32Array.from(blocks[0]);
    this.len = Int32Array.from(blocks[1]);
    this.head = Int32Array.from(blocks[2]);
    this._count = count;
  }
}
