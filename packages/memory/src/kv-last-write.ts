import * as tf from '@tensorflow/tfjs-core';
import { matMul2d } from '@memrec/core';
import { kvEraseAdd } from './kv-ops';
import { distinctIds, type ValueMemory } from './value-memory';

/**
 * What {@link KeyValueMemory.trainStep} needs to differentiate through the last write: the
 * memories it touched (`distinct`), each event's memory (`eventRow`), their values before the
 * write (`snapshot`, `[R, H, D]`) and the user / item rows it used (constants).
 */
export interface LastWrite {
  distinct: Int32Array;
  eventRow: Int32Array;
  snapshot: Float32Array;
  uRows: Float32Array;
  vRows: Float32Array;
  dim: number;
  /** `[b, R]` one-hot: row t selects the touched memory that `users[t]` reads (zeros if none). */
  selection(memIds: Int32Array): tf.Tensor2D;
  /** `[b]`: the index among `distinct` of the memory `memIds[t]` (-1 if the write did not touch it). */
  rowsOf(memIds: Int32Array): Int32Array;
}

/** The dense weights the delta depends on. */
export interface KvWeights {
  slots: number;
  address(u: tf.Tensor2D): tf.Tensor2D;
  We: tf.Variable;
  be: tf.Variable;
  Wa: tf.Variable;
  ba: tf.Variable;
}

/** Records a write of events on memories `ids` (before the memory changes). */
export function recordWrite(memory: ValueMemory, ids: Int32Array, uRows: Float32Array, vRows: Float32Array, dim: number): LastWrite {
  const { distinct, eventRow } = distinctIds(ids);
  const snapshot = memory.gather(distinct);
  const index = new Map<number, number>();
  distinct.forEach((id, r) => index.set(id, r));
  return {
    distinct,
    eventRow,
    snapshot,
    uRows,
    vRows,
    dim,
    selection(memIds: Int32Array): tf.Tensor2D {
      const R = distinct.length;
      const s = new Float32Array(memIds.length * R);
      for (let t = 0; t < memIds.length; t++) {
        const r = index.get(memIds[t]);
        if (r !== undefined) s[t * R + r] = 1;
      }
      return tf.tensor2d(s, [memIds.length, R], 'float32');
    },
    rowsOf(memIds: Int32Array): Int32Array {
      return Int32Array.from(memIds, (id) => index.get(id) ?? -1);
    },
  };
}

/**
 * The batched form of the last write as a differentiable function of keys and projections:
 * for each touched memory r, `delta_r = -M_r * sum_{t in r} w_t e_t + sum_{t in r} w_t a_t`
 * (`[R * H, D]`), with `M_r` the memory before the write.
 *
 * @example
 * ```ts
 * const z = tf.sub(delta, stopGradient(delta)); // zero-valued, carries d delta / d weights
 * ```
 */
export function lastWriteDelta(kv: KvWeights, lw: LastWrite): tf.Tensor2D {
  const D = lw.dim;
  const H = kv.slots;
  const bp = lw.eventRow.length;
  const R = lw.distinct.length;
  const wp = kv.address(tf.tensor2d(lw.uRows, [bp, D], 'float32')); // [bp, H]
  const [ep, ap] = kvEraseAdd(tf.tensor2d(lw.vRows, [bp, D], 'float32'), kv.We as tf.Tensor2D, kv.be as tf.Tensor1D, kv.Wa as tf.Tensor2D, kv.ba as tf.Tensor1D);
  const snap = tf.tensor2d(lw.snapshot, [R * H, D], 'float32');
  let we: tf.Tensor2D;
  let wa: tf.Tensor2D;
  if (R === 1) {
    we = matMul2d(wp, ep, true, false);
    wa = matMul2d(wp, ap, true, false);
  } else {
    const g = new Float32Array(R * bp);
    for (let t = 0; t < bp; t++) g[lw.eventRow[t] * bp + t] = 1;
    const G = tf.tensor3d(g, [R, 1, bp], 'float32');
    const A = tf.reshape(tf.mul(G, tf.reshape(tf.transpose(wp), [1, H, bp])), [R * H, bp]) as tf.Tensor2D;
    we = tf.matMul(A, ep);
    wa = tf.matMul(A, ap);
  }
  return tf.sub(wa, tf.mul(snap, we));
}
