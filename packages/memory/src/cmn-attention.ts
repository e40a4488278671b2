import { addScaled, dotRow, weightedRows } from './row-kernels';

/**
 * CMN's neighbourhood attention computed on the host, forward and backward, straight from the
 * embedding tables: no `[pairs, L, d]` copies of neighbour rows, no padding, and the gradients of
 * neighbour rows are summed per row as they are produced.
 */

/**
 * Gradient rows summed per id: `add(id)` returns the offset of id's row in `grads` (a new row
 * starts at zero). `ids` and `grads` then hold each touched id once, in first-touch order, ready
 * for `SparseEmbedding.applyGradients`.
 *
 * @example
 * ```ts
 * const acc = new RowGradients(100, 8);
 * acc.grads[acc.add(7) + 0] += 1;  // row 7, dimension 0
 * table.applyGradients(acc.ids, acc.grads); // acc.ids is Int32Array [7]
 * acc.reset();
 * ```
 */
export class RowGradients {
  readonly dim: number;
  private slot: Int32Array;
  private idBuf = new Int32Array(64);
  private gradBuf: Float32Array;
  private n = 0;

  constructor(rows: number, dim: number) {
    this.dim = dim;
    this.slot = new Int32Array(rows).fill(-1);
    this.gradBuf = new Float32Array(64 * dim);
  }

  /** Number of distinct rows touched since the last reset. */
  get size(): number {
    return this.n;
  }

  /** The touched ids (a view, valid until the next `add` or `reset`). */
  get ids(): Int32Array {
    return this.idBuf.subarray(0, this.n);
  }

  /** Their summed gradients, `[size, dim]` row-major (a view, like `ids`). */
  get grads(): Float32Array {
    return this.gradBuf.subarray(0, this.n * this.dim);
  }

  /** Offset of `id`'s gradient row in the backing buffer; the row is created (zero) on first use. */
  add(id: number): number {
    const s = this.slot[id];
    if (s >= 0) return s * this.dim;
    if (this.n === this.idBuf.length) {
      const ids = new Int32Array(this.n * 2);
      ids.set(this.idBuf);
      this.idBuf = ids;
      const g = new Float32Array(this.n * 2 * this.dim);
      g.set(this.gradBuf);
      this.gradBuf = g;
    }
    const k = this.n++;
    this.slot[id] = k;
    this.idBuf[k] = id;
    this.gradBuf.fill(0, k * this.dim, (k + 1) * this.dim);
    return k * this.dim;
  }

  /** The backing gradient buffer (rows at the offsets `add` returned). */
  get buffer(): Float32Array {
    return this.gradBuf;
  }

  /** Forgets every touched row. */
  reset(): void {
    for (let k = 0; k < this.n; k++) this.slot[this.idBuf[k]] = -1;
    this.n = 0;
  }
}

/** Neighbourhoods in CSR form: the users of item i are `members[offsets[i] .. offsets[i + 1])`. */
export interface NeighbourLists {
  offsets: Int32Array;
  members: Int32Array;
}

/**
 * One attention hop for `P` queries: query t attends over the neighbourhood of `items[t]` with
 * `p = softmax_v(z_t . m_v)` and reads `o_t = sum_v p_v c_v` (all zeros for an empty
 * neighbourhood). `z` and `o` are `[P, d]`; the weights go to `p` at `start[t] ..` (`start` is
 * the prefix sum of the neighbourhood sizes, see {@link pairStarts}) for the backward pass.
 *
 * @example
 * ```ts
 * const start = pairStarts(items, nb);
 * const p = new Float64Array(start[items.length]);
 * attendForward(z, items, nb, m.data, c.data, d, p, start, o);
 * ```
 */
export function attendForward(
  z: Float32Array, items: Int32Array, nb: NeighbourLists, m: Float32Array, c: Float32Array, d: number,
  p: Float64Array, start: Int32Array, o: Float32Array,
): void {
  const { offsets, members } = nb;
  const zr = new Float64Array(d);
  for (let t = 0; t < items.length; t++) {
    const i = items[t];
    const s0 = offsets[i];
    const n = offsets[i + 1] - s0;
    const zb = t * d;
    const pb = start[t];
    if (n === 0) {
      o.fill(0, zb, zb + d);
      continue;
    }
    for (let k = 0; k < d; k++) zr[k] = z[zb + k];
    let mx = -Infinity;
    for (let s = 0; s < n; s++) {
      const q = dotRow(zr, 0, m, members[s0 + s] * d, d);
      p[pb + s] = q;
      if (q > mx) mx = q;
    }
    let sum = 0;
    for (let s = 0; s < n; s++) sum += p[pb + s] = Math.exp(p[pb + s] - mx);
    for (let s = 0; s < n; s++) p[pb + s] /= sum;
    weightedRows(p, pb, members, s0, n, c, d, o, zb);
  }
}

/**
 * Backward pass of {@link attendForward}: given `g = dL/do` `[P, d]`, writes `dL/dz` to `dz` and
 * adds `dL/dm_v` and `dL/dc_v` of every real neighbour into `gm` and `gc` (every real neighbour
 * is touched, even with a zero gradient, as the padded tensor path passed them all).
 * Softmax backward: `dq_v = p_v (g . c_v - sum_w p_w g . c_w)`; `dz = sum_v dq_v m_v`,
 * `dm_v += dq_v z`, `dc_v += p_v g`.
 *
 * @example
 * ```ts
 * attendBackward(g, z, items, nb, m.data, c.data, d, p, start, dz, gm, gc);
 * ```
 */
export function attendBackward(
  g: Float32Array, z: Float32Array, items: Int32Array, nb: NeighbourLists, m: Float32Array, c: Float32Array, d: number,
  p: Float64Array, start: Int32Array, dz: Float32Array, gm: RowGradients, gc: RowGradients,
): void {
  const { offsets, members } = nb;
  let dq = new Float64Array(16);
  const zr = new Float64Array(d);
  const gr = new Float64Array(d);
  for (let t = 0; t < items.length; t++) {
    const i = items[t];
    const s0 = offsets[i];
    const n = offsets[i + 1] - s0;
    const zb = t * d;
    const pb = start[t];
    if (n === 0) {
      dz.fill(0, zb, zb + d);
      continue;
    }
    if (dq.length < n) dq = new Float64Array(n);
    for (let k = 0; k < d; k++) {
      zr[k] = z[zb + k];
      gr[k] = g[zb + k];
    }
    let dot = 0;
    for (let s = 0; s < n; s++) {
      const v = members[s0 + s];
      const w = p[pb + s];
      const e = dotRow(gr, 0, c, v * d, d);
      dq[s] = e;
      dot += w * e;
      const gcb = gc.add(v);
      addScaled(gc.buffer, gcb, w, gr, d);
    }
    for (let s = 0; s < n; s++) {
      const q = (dq[s] = p[pb + s] * (dq[s] - dot));
      const gmb = gm.add(members[s0 + s]);
      addScaled(gm.buffer, gmb, q, zr, d);
    }
    weightedRows(dq, 0, members, s0, n, m, d, dz, zb);
  }
}

/**
 * Prefix sums of the neighbourhood sizes of `items`: query t's attention weights live at
 * `start[t] .. start[t + 1]`; `start[items.length]` is the total.
 *
 * @example
 * ```ts
 * pairStarts(Int32Array.of(1, 0), nb); // [0, |N(1)|, |N(1)| + |N(0)|]
 * ```
 */
export function pairStarts(items: Int32Array, nb: NeighbourLists, out?: Int32Array): Int32Array {
  const start = out != null && out.length >= items.length + 1 ? out : new Int32Array(items.length + 1);
  start[0] = 0;
  for (let t = 0; t < items.length; t++) start[t + 1] = start[t] + nb.offsets[items[t] + 1] - nb.offsets[items[t]];
  return start;
}
