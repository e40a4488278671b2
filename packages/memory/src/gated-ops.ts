import * as tf from '@tensorflow/tfjs-core';
import { matMul2d } from '@memrec/core';

/**
 * Read of a gated key-value memory (KSR, Huang et al., "Improving Sequential Recommendation with
 * Knowledge-Enhanced Memory Networks", SIGIR 2018): the `query` (`[b, D]`) addresses the `A` keys
 * (`[A, D]`, shared by every row) by `w_a = softmax_a(query . k_a / temperature)` and reads its
 * own row's values (`[b, A, D]`): `sum_a w_a v_a` (`[b, D]`). Differentiable in all three inputs.
 *
 * @example
 * ```ts
 * const r = gatedRead(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 0], [0, 1]]), tf.tensor3d([[[2, 0], [0, 2]]])); // [[1.462, 0.538]]
 * ```
 */
export function gatedRead(query: tf.Tensor2D, keys: tf.Tensor2D, values: tf.Tensor3D, temperature = 1): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, A, D] = values.shape;
    let logits = matMul2d(query, keys, false, true); // [b, A]
    if (temperature !== 1) logits = tf.div(logits, temperature);
    const w = tf.softmax(logits);
    return tf.reshape(tf.matMul(tf.reshape(w, [b, 1, A]), values), [b, D]) as tf.Tensor2D;
  });
}

/**
 * The gated write of KSR's memory, one event per row: for each slot a,
 * `z_a = sigmoid(v_a . x_a)`, `v_a <- (1 - z_a) v_a + z_a x_a`. `values` and `x` are
 * `[b, A, D]`; returns the new values `[b, A, D]`. Differentiable (the layer's host `write`
 * computes the same values without tensors).
 *
 * @example
 * ```ts
 * const next = gatedWrite(values, x); // z = sigmoid(0) = 0.5 where v . x = 0: the midpoint
 * ```
 */
export function gatedWrite(values: tf.Tensor3D, x: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const z = tf.sigmoid(tf.sum(tf.mul(values, x), -1, true)); // [b, A, 1]
    return tf.add(values, tf.mul(z, tf.sub(x, values))) as tf.Tensor3D;
  });
}
