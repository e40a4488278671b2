import * as tf from '@tensorflow/tfjs-core';
import { matMul2d, type SparseEmbedding } from '@memrec/core';
import { attendBackward, attendForward, pairStarts, RowGradients, type NeighbourLists } from './cmn-attention';
import type { CmnWeights } from './cmn-ops';
import { CmnWasmAttention } from './cmn-wasm';

interface HopRecord {
  /** Hop index within the pass (the wasm kernel keeps its query and weights by this index). */
  h: number;
  z: Float32Array;
  p: Float64Array;
}

/**
 * CMN's attention hop as a TensorFlow.js op computed on the host (`tf.customGrad`): the query
 * `z` `[P, d]` comes in as a tensor, the neighbourhoods and the memories m, c are read straight
 * from the host tables, and the backward pass returns `dL/dz` while summing the gradients of the
 * neighbours' rows ({@link HostHop.gradients}; no `[P, L, d]` tensors, no padding). The loops run
 * in the WebAssembly SIMD kernel ({@link CmnWasmAttention}) when `wasm` is set, else in plain
 * typed-array loops ({@link attendForward}). Call {@link HostHop.begin} with the batch's items
 * before each forward pass.
 *
 * @example
 * ```ts
 * const hop = new HostHop(neighbourhoods, cmn.userMemory, cmn.outputMemory, 1, cmnWasmAvailable());
 * hop.begin(items);
 * const { value, grads } = tf.valueAndGrads((z: tf.Tensor) => tf.sum(hop.attend(z as tf.Tensor2D)))([z]);
 * const g = hop.gradients();
 * cmn.userMemory.applyGradients(g.mIds, g.gm); // neighbour rows of m
 * ```
 */
export class HostHop {
  readonly dim: number;
  /** Gradients of the neighbours' user-memory rows (m) and output-memory rows (c), plain loops. */
  private readonly gm: RowGradients;
  private readonly gc: RowGradients;
  private readonly wasm: CmnWasmAttention | null;
  /** `(z [P, d]) => o [P, d]` for the items of the last {@link HostHop.begin}. */
  readonly attend: (z: tf.Tensor2D) => tf.Tensor2D;
  private items: Int32Array = new Int32Array(0);
  /** The neighbour lists of the current pass (the layer's, or per-pair ones without excluded users). */
  private cur: NeighbourLists;
  private start: Int32Array = new Int32Array(1);
  private readonly records: HopRecord[] = [];
  private used = 0;

  constructor(
    private readonly nb: NeighbourLists,
    private readonly m: SparseEmbedding,
    private readonly c: SparseEmbedding,
    hops: number,
    wasm: boolean,
  ) {
    this.dim = m.dim;
    this.cur = nb;
    this.gm = new RowGradients(m.rows, m.dim);
    this.gc = new RowGradients(c.rows, c.dim);
    this.wasm = wasm ? new CmnWasmAttention(m.rows, m.dim, hops) : null;
    this.attend = tf.customGrad(((z: tf.Tensor2D) => {
      const rec = this.forward(z.dataSync() as Float32Array);
      const P = this.items.length;
      const value = tf.tensor2d(rec.o, [P, this.dim]);
      const gradFunc = (dy: tf.Tensor) => [tf.tensor2d(this.backward(rec.rec, dy.dataSync() as Float32Array), [P, this.dim])];
      return { value, gradFunc };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (z: tf.Tensor2D) => tf.Tensor2D;
  }

  /**
   * Sets the items of the next pass (query t attends over N(items[t])) and clears the gradients.
   * With `exclude`, query t attends over N(items[t]) without the user `exclude[t]` (a training
   * positive must not find its own user among the item's neighbours: at test time a user is
   * never in the neighbourhood of an item it has not interacted with in training).
   */
  begin(items: Int32Array, exclude?: Int32Array): void {
    let nb = this.nb;
    if (exclude != null) {
      nb = withoutUsers(items, exclude, this.nb);
      items = Int32Array.from({ length: items.length }, (_, t) => t);
    }
    this.cur = nb;
    this.items = items;
    this.start = pairStarts(items, nb, this.start);
    this.used = 0;
    if (this.wasm != null) {
      this.wasm.begin(items, nb, this.m.data, this.c.data);
      return;
    }
    this.gm.reset();
    this.gc.reset();
  }

  /** The neighbours' summed gradients after a backward pass: ids and `[ids, d]` rows, for m and c. */
  gradients(): { mIds: Int32Array; gm: Float32Array; cIds: Int32Array; gc: Float32Array } {
    if (this.wasm != null) {
      const g = this.wasm.gradients();
      return { mIds: g.ids, gm: g.gm, cIds: g.ids, gc: g.gc };
    }
    return { mIds: this.gm.ids, gm: this.gm.grads, cIds: this.gc.ids, gc: this.gc.grads };
  }

  private forward(z: Float32Array): { o: Float32Array; rec: HopRecord } {
    const P = this.items.length;
    const d = this.dim;
    const total = this.start[P];
    let rec = this.records[this.used];
    if (rec == null) {
      rec = { h: this.used, z, p: new Float64Array(0) };
      this.records.push(rec);
    }
    rec.z = z;
    this.used++;
    // the output is a fresh array either way: the cpu backend keeps it as the tensor's data
    if (this.wasm != null) return { o: this.wasm.forward(rec.h, z), rec };
    if (rec.p.length < total) rec.p = new Float64Array(total);
    const o = new Float32Array(P * d);
    attendForward(z, this.items, this.cur, this.m.data, this.c.data, d, rec.p, this.start, o);
    return { o, rec };
  }

  private backward(rec: HopRecord, g: Float32Array): Float32Array {
    if (this.wasm != null) return this.wasm.backward(rec.h, g);
    const dz = new Float32Array(this.items.length * this.dim);
    attendBackward(g, rec.z, this.items, this.cur, this.m.data, this.c.data, this.dim, rec.p, this.start, dz, this.gm, this.gc);
    return dz;
  }
}

/**
 * Per-pair neighbour lists: entry t is N(items[t]) without the user `exclude[t]` (CSR, one
 * list per pair, in the order of `items`).
 *
 * @example
 * ```ts
 * withoutUsers(Int32Array.of(2), Int32Array.of(5), nb); // { offsets: [0, |N(2)| - 1], members: N(2) \ {5} } when 5 is in N(2)
 * ```
 */
export function withoutUsers(items: Int32Array, exclude: Int32Array, nb: NeighbourLists): NeighbourLists {
  const P = items.length;
  if (exclude.length !== P) throw new Error(`withoutUsers: exclude must have length items.length (${P}), got ${exclude.length}`);
  const offsets = new Int32Array(P + 1);
  let total = 0;
  for (let t = 0; t < P; t++) total += nb.offsets[items[t] + 1] - nb.offsets[items[t]];
  const members = new Int32Array(total);
  let q = 0;
  for (let t = 0; t < P; t++) {
    const u = exclude[t];
    for (let s = nb.offsets[items[t]]; s < nb.offsets[items[t] + 1]; s++) if (nb.members[s] !== u) members[q++] = nb.members[s];
    offsets[t + 1] = q;
  }
  return { offsets, members: members.subarray(0, q) };
}

/**
 * The CMN forward pass (as {@link cmnForward}) for `P` (user, item) pairs with the attention
 * given as an op: `z_1 = m_u + e_i`, `o_h = attend(z_h)`,
 * `z_{h+1} = relu(z_h W_{h+1} + o_h + b_{h+1})`, `r = v^T relu(U1^T (m_u * e_i) + U2^T o_H + b)`.
 * Rank-2 products go through `matMul2d`. Returns `[P]` scores.
 *
 * @example
 * ```ts
 * hop.begin(items);
 * const r = tf.tidy(() => cmnForwardPairs(userMemory.lookup(users), itemMemory.lookup(items), weights, hop.attend));
 * ```
 */
export function cmnForwardPairs(mu: tf.Tensor2D, ei: tf.Tensor2D, w: CmnWeights, attend: (z: tf.Tensor2D) => tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const P = mu.shape[0];
    let z = tf.add(mu, ei) as tf.Tensor2D;
    let o = attend(z);
    for (let h = 0; h < w.hopW.length; h++) {
      z = tf.relu(tf.add(tf.add(matMul2d(z, w.hopW[h]), o), w.hopB[h])) as tf.Tensor2D;
      o = attend(z);
    }
    const gmf = tf.mul(mu, ei) as tf.Tensor2D;
    const hidden = tf.relu(tf.add(tf.add(matMul2d(gmf, w.U1), matMul2d(o, w.U2)), w.bU)) as tf.Tensor2D;
    return tf.reshape(matMul2d(hidden, w.v), [P]) as tf.Tensor1D;
  });
}
