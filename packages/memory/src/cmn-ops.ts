import * as tf from '@tensorflow/tfjs-core';

/** CMN's dense weights: hop maps (`W_h` `[d, d]`, `b_h` `[d]`, h = 2..hops) and the output layer. */
export interface CmnWeights {
  hopW: tf.Tensor2D[];
  hopB: tf.Tensor1D[];
  /** The two halves of U: `U [m_u * e_i ; o] = (m_u * e_i) U1 + o U2`, each `[d, d]`. */
  U1: tf.Tensor2D;
  U2: tf.Tensor2D;
  /** Output bias b `[d]`. */
  bU: tf.Tensor1D;
  /** Output vector v `[d, 1]`. */
  v: tf.Tensor2D;
}

/** Inputs of {@link cmnForward}: G groups of B queries each share one neighbourhood. */
export interface CmnInputs {
  /** User memory of the target users, broadcastable to `[G, B, d]`. */
  mu: tf.Tensor3D;
  /** Item memory of the target items, broadcastable to `[G, B, d]`. */
  ei: tf.Tensor3D;
  /** Neighbours' user memory `[G, L, d]` and output memory `[G, L, d]`. */
  mN: tf.Tensor3D;
  cN: tf.Tensor3D;
  /** `[G, 1, L]`: 1 for a real neighbour, 0 for padding. */
  mask: tf.Tensor3D;
}

/**
 * Softmax over the last axis restricted to `mask == 1`; padded positions get exactly 0 (and no
 * gradient), a row with no real entry gives all zeros.
 *
 * @example
 * ```ts
 * maskedSoftmax(tf.tensor3d([[[1, 2, 9]]]), tf.tensor3d([[[1, 1, 0]]])); // [[[0.269, 0.731, 0]]]
 * ```
 */
export function maskedSoftmax(q: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const qm = tf.add(tf.mul(q, mask), tf.mul(tf.sub(mask, 1), 1e9));
    const ex = tf.mul(tf.exp(tf.sub(qm, tf.max(qm, -1, true))), mask);
    // rows without a real entry divide 0 by 1 (the sum is >= 1 wherever a real entry exists)
    return tf.div(ex, tf.add(tf.sum(ex, -1, true), tf.sub(1, tf.max(mask, -1, true))));
  });
}

/**
 * One CMN hop: attention `p = maskedSoftmax(z . m_v)` over the neighbours v, output
 * `o = sum_v p_v c_v`. `z` is `[G, B, d]`; returns `o` `[G, B, d]`.
 *
 * @example
 * ```ts
 * const o = cmnHop(z, mN, cN, mask);
 * ```
 */
export function cmnHop(z: tf.Tensor3D, mN: tf.Tensor3D, cN: tf.Tensor3D, mask: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => tf.matMul(maskedSoftmax(tf.matMul(z, mN, false, true), mask) as tf.Tensor3D, cN));
}

/**
 * CMN forward pass (Ebesu et al., "Collaborative Memory Network for Recommendation Systems",
 * SIGIR 2018, as in the authors' code): `z_1 = m_u + e_i`; hop h attends with `z_h` and gives
 * `o_h`; `z_{h+1} = relu(z_h W_{h+1} + o_h + b_{h+1})`; the score is
 * `r = v^T relu(U [m_u * e_i ; o_H] + b)`. Returns scores `[G, B]`.
 *
 * @example
 * ```ts
 * const r = cmnForward({ mu, ei, mN, cN, mask }, weights); // [G, B]
 * ```
 */
export function cmnForward(x: CmnInputs, w: CmnWeights): tf.Tensor2D {
  return tf.tidy(() => {
    let z = tf.add(x.mu, x.ei) as tf.Tensor3D;
    const [G, B, d] = z.shape;
    let o = cmnHop(z, x.mN, x.cN, x.mask);
    for (let h = 0; h < w.hopW.length; h++) {
      const zw = tf.reshape(tf.matMul(tf.reshape(z, [G * B, d]), w.hopW[h]), [G, B, d]);
      z = tf.relu(tf.add(tf.add(zw, o), w.hopB[h])) as tf.Tensor3D;
      o = cmnHop(z, x.mN, x.cN, x.mask);
    }
    const gmf = tf.reshape(tf.mul(x.mu, x.ei), [G * B, d]) as tf.Tensor2D;
    const hidden = tf.relu(tf.add(tf.add(tf.matMul(gmf, w.U1), tf.matMul(tf.reshape(o, [G * B, d]) as tf.Tensor2D, w.U2)), w.bU)) as tf.Tensor2D;
    return tf.reshape(tf.matMul(hidden, w.v), [G, B]) as tf.Tensor2D;
  });
}
