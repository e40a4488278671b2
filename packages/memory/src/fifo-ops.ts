import * as tf from '@tensorflow/tfjs-core';
import { maskedSoftmax } from './cmn-ops';

/**
 * Attention read of a FIFO item memory (RUM's item-level memory, Chen et al., "Sequential
 * Recommendation with User Memory Networks", WSDM 2018): for each row, the target `query`
 * (`[b, D]`) attends over its `K` slots (`[b, K, D]`),
 * `w_k = softmax_k(query . slot_k / temperature)` over the slots with `mask == 1`, and the read
 * is `sum_k w_k slot_k` (`[b, D]`). Padded slots (mask 0) get exactly zero weight and no
 * gradient; a row with no real slot reads zeros. Differentiable in `query` and `slots`.
 *
 * @example
 * ```ts
 * const r = fifoRead(tf.tensor2d([[1, 0]]), tf.tensor3d([[[1, 0], [0, 1]]]), tf.tensor2d([[1, 1]])); // [[0.731, 0.269]]
 * ```
 */
export function fifoRead(query: tf.Tensor2D, slots: tf.Tensor3D, mask: tf.Tensor2D, temperature = 1): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, K, D] = slots.shape;
    let logits = tf.reshape(tf.matMul(slots, tf.reshape(query, [b, D, 1])), [b, K]);
    if (temperature !== 1) logits = tf.div(logits, temperature);
    const w = maskedSoftmax(logits, mask); // [b, K]
    return tf.reshape(tf.matMul(tf.reshape(w, [b, 1, K]), slots), [b, D]) as tf.Tensor2D;
  });
}

/**
 * {@link fifoRead} on the host for `nq` queries that share one memory window (one user against
 * many candidate items): `queries` is `[nq * D]`, `slots` `[K * D]` with `length` real slots
 * first (the rest is ignored). Writes `[nq * D]` reads into `out` and returns it. Equals
 * `fifoRead` to float32 rounding (tested); no tensors.
 *
 * @example
 * ```ts
 * const reads = fifoReadHost(itemTable, numItems, windowRows, 3, 5, 16, 1, new Float32Array(numItems * 16));
 * ```
 */
export function fifoReadHost(
  queries: Float32Array,
  nq: number,
  slots: Float32Array,
  length: number,
  K: number,
  D: number,
  temperature: number,
  out: Float32Array,
): Float32Array {
  const n = Math.min(length, K);
  if (n === 0) {
    out.fill(0, 0, nq * D);
    return out;
  }
  const w = new Float64Array(n);
  for (let q = 0; q < nq; q++) {
    const qo = q * D;
    let mx = -Infinity;
    for (let k = 0; k < n; k++) {
      let acc = 0;
      const so = k * D;
      for (let d = 0; d < D; d++) acc += queries[qo + d] * slots[so + d];
      w[k] = acc / temperature;
      if (w[k] > mx) mx = w[k];
    }
    let z = 0;
    for (let k = 0; k < n; k++) {
      w[k] = Math.exp(w[k] - mx);
      z += w[k];
    }
    for (let d = 0; d < D; d++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += w[k] * slots[k * D + d];
      out[qo + d] = acc / z;
    }
  }
  return out;
}
