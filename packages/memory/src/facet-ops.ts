import * as tf from '@tensorflow/tfjs-core';
import { matMul2d } from '@memrec/core';
import { maskedSoftmax } from './cmn-ops';

/**
 * A multi-facet memory built from a user's interacted items (the user memory of MARS, Zheng et
 * al., "MARS: Memory Attention-Aware Recommender System", DSAA 2019): each of the `K` facet keys
 * (`[K, D]`, shared by all users) pools the row's item slots (`[b, L, D]`, `mask` `[b, L]`) by its
 * own attention, `w_kj = softmax_j(key_k . m_j / temperature)` over the real slots, giving facet
 * `f_k = sum_j w_kj m_j`. Returns the facets `[b, K, D]` (zeros for a row without real slots).
 * Read them with a target item by `fifoRead(item, facets, ones)`. Differentiable in keys and slots.
 *
 * @example
 * ```ts
 * // two facets over two items: each key picks mostly its own item
 * const f = facetPool(tf.tensor2d([[4, 0], [0, 4]]), tf.tensor3d([[[1, 0], [0, 1]]]), tf.tensor2d([[1, 1]])); // [[[0.982, 0.018], [0.018, 0.982]]]
 * ```
 */
export function facetPool(keys: tf.Tensor2D, slots: tf.Tensor3D, mask: tf.Tensor2D, temperature = 1): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, L, D] = slots.shape;
    const K = keys.shape[0];
    let logits = tf.transpose(tf.reshape(matMul2d(tf.reshape(slots, [b * L, D]) as tf.Tensor2D, keys, false, true), [b, L, K]), [0, 2, 1]); // [b, K, L]
    if (temperature !== 1) logits = tf.div(logits, temperature);
    const w = maskedSoftmax(logits, tf.reshape(mask, [b, 1, L]));
    return tf.matMul(w, slots) as tf.Tensor3D;
  });
}

/**
 * {@link facetPool} on the host for one memory: `keys` `[K * D]`, `slots` with `length` real rows
 * first; writes the facets `[K * D]` into `out` and returns it (zeros when `length` is 0). Equals
 * `facetPool` to float32 rounding (tested); no tensors.
 *
 * @example
 * ```ts
 * const facets = facetPoolHost(keys, 4, historyRows, 12, 64, 1, new Float32Array(4 * 64));
 * ```
 */
export function facetPoolHost(keys: Float32Array, K: number, slots: Float32Array, length: number, D: number, temperature: number, out: Float32Array): Float32Array {
  out.fill(0, 0, K * D);
  if (length === 0) return out;
  const w = new Float64Array(length);
  for (let k = 0; k < K; k++) {
    let mx = -Infinity;
    for (let j = 0; j < length; j++) {
      let acc = 0;
      for (let d = 0; d < D; d++) acc += keys[k * D + d] * slots[j * D + d];
      w[j] = acc / temperature;
      if (w[j] > mx) mx = w[j];
    }
    let z = 0;
    for (let j = 0; j < length; j++) z += w[j] = Math.exp(w[j] - mx);
    for (let d = 0; d < D; d++) {
      let acc = 0;
      for (let j = 0; j < length; j++) acc += w[j] * slots[j * D + d];
      out[k * D + d] = acc / z;
    }
  }
  return out;
}
