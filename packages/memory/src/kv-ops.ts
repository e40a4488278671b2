import * as tf from '@tensorflow/tfjs-core';
import { matMul2d } from '@memrec/core';

/**
 * Added under every square root so that the gradient of a distance stays finite at zero
 * distance. It shifts a distance `d` by about `DIST_EPS / (2 d)`, far below float32 rounding.
 */
export const DIST_EPS = 1e-12;

/** How a user embedding is compared with the memory keys. */
export type AddressMetric = 'euclidean' | 'dot';

/**
 * Soft address over memory slots (NMRN, Wang et al., KDD 2018, eq. "memory addressing"):
 * `w = softmax(-||u - M^k_j|| / temperature)` for `euclidean`, `softmax(u . M^k_j / temperature)`
 * for `dot`. `u` is `[b, D]`, `keys` `[H, D]`; returns `[b, H]`. The Euclidean distances use
 * `||u||^2 - 2 u.k + ||k||^2` (one matMul), clamped at 0 before the square root.
 *
 * @example
 * ```ts
 * const w = kvAddress(tf.randomNormal([4, 8]), tf.randomNormal([3, 8]), 'euclidean', 1); // [4, 3]
 * ```
 */
export function kvAddress(u: tf.Tensor2D, keys: tf.Tensor2D, metric: AddressMetric, temperature: number): tf.Tensor2D {
  return tf.tidy(() => {
    const dot = matMul2d(u, keys, false, true); // [b, H]
    let logits: tf.Tensor2D;
    if (metric === 'dot') {
      logits = dot as tf.Tensor2D;
    } else {
      const uu = tf.sum(tf.square(u), 1, true); // [b, 1]
      const kk = tf.reshape(tf.sum(tf.square(keys), 1), [1, -1]); // [1, H]
      const sq = tf.relu(tf.add(tf.sub(uu, tf.mul(dot, 2)), kk));
      logits = tf.neg(tf.sqrt(tf.add(sq, DIST_EPS))) as tf.Tensor2D;
    }
    return tf.softmax(temperature === 1 ? logits : tf.div(logits, temperature)) as tf.Tensor2D;
  });
}

/**
 * Reads the value memory with address `w`: `s = sum_j w_j M^v_j`. `w` is `[b, H]`; `memory` is
 * `[H, D]` (one memory shared by every row of the batch) or `[b, H, D]` (one memory per row).
 * Returns `[b, D]`.
 *
 * @example
 * ```ts
 * const s = kvRead(tf.tensor2d([[0.5, 0.5]]), tf.tensor2d([[1, 0], [0, 1]])); // [[0.5, 0.5]]
 * ```
 */
export function kvRead(w: tf.Tensor2D, memory: tf.Tensor2D | tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    if (memory.rank === 2) return tf.matMul(w, memory as tf.Tensor2D);
    const [b, h] = w.shape;
    const out = tf.matMul(tf.reshape(w, [b, 1, h]), memory as tf.Tensor3D); // [b, 1, D]
    return tf.reshape(out, [b, memory.shape[2] as number]) as tf.Tensor2D;
  });
}

/**
 * Euclidean distance `||s - v||` between read vectors `s` (`[b, D]`) and candidates `v`:
 * `[b, D]` gives `[b]`, `[b, n, D]` gives `[b, n]` (n candidates per row). NMRN's score:
 * smaller means more relevant.
 *
 * @example
 * ```ts
 * kvDistance(tf.tensor2d([[0, 0]]), tf.tensor2d([[3, 4]])); // [5]
 * ```
 */
export function kvDistance(s: tf.Tensor2D, v: tf.Tensor2D | tf.Tensor3D): tf.Tensor {
  return tf.tidy(() => {
    const diff = v.rank === 2 ? tf.sub(s, v) : tf.sub(tf.expandDims(s, 1), v);
    return tf.sqrt(tf.add(tf.sum(tf.square(diff), -1), DIST_EPS));
  });
}

/**
 * Erase and add vectors of an NMRN write: `e = sigmoid(v W_e + b_e)`, `a = tanh(v W_a + b_a)`
 * for item embeddings `v` (`[b, D]`; `W` is `[D, D]`, `b` is `[D]`). Returns `[e, a]`.
 *
 * @example
 * ```ts
 * const [e, a] = kvEraseAdd(v, We, be, Wa, ba); // both [b, D]
 * ```
 */
export function kvEraseAdd(
  v: tf.Tensor2D,
  We: tf.Tensor2D,
  be: tf.Tensor1D,
  Wa: tf.Tensor2D,
  ba: tf.Tensor1D,
): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => [tf.sigmoid(tf.add(tf.matMul(v, We), be)), tf.tanh(tf.add(tf.matMul(v, Wa), ba))] as [tf.Tensor2D, tf.Tensor2D]);
}

/**
 * The change a batch of writes makes to one memory when every write is computed against the
 * same starting memory `M` (the batched write): `dM = -M * (W^T E) + W^T A`, with `W` the
 * addresses `[b, H]`, `E`, `A` erase / add vectors `[b, D]`. At batch size 1 this is exactly the
 * sequential write `M <- M * (1 - w e) + w a`.
 *
 * @example
 * ```ts
 * const next = tf.add(M, kvBatchedDelta(M, w, e, a));
 * ```
 */
export function kvBatchedDelta(M: tf.Tensor2D, w: tf.Tensor2D, e: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.sub(matMul2d(w, a, true, false), tf.mul(M, matMul2d(w, e, true, false))) as tf.Tensor2D);
}

/**
 * Distances of read vectors `s` (`[b, D]`) to every row of an item table (`items`, `[N * D]`
 * on the host), row-major `[b * N]`, through `||s||^2 - 2 s.v + ||v||^2` (one matMul per
 * chunk of items, clamped at 0 before the square root); each chunk has about `chunkElements`
 * distances.
 *
 * @example
 * ```ts
 * const d = kvDistanceAll(tf.tensor2d([[0, 0]]), Float32Array.of(3, 4, 6, 8), 2, 1 << 20); // [5, 10]
 * ```
 */
export function kvDistanceAll(s: tf.Tensor2D, items: Float32Array, N: number, chunkElements: number): Float32Array {
  const [b, D] = s.shape;
  const out = new Float32Array(b * N);
  const chunk = Math.max(1, Math.floor(chunkElements / b));
  const ss = tf.tidy(() => tf.sum(tf.square(s), 1, true));
  try {
    for (let start = 0; start < N; start += chunk) {
      const end = Math.min(N, start + chunk);
      const d = tf.tidy(() => {
        const v = tf.tensor2d(items.subarray(start * D, end * D), [end - start, D], 'float32');
        const vv = tf.reshape(tf.sum(tf.square(v), 1), [1, -1]);
        const sq = tf.relu(tf.add(tf.sub(ss, tf.mul(matMul2d(s, v, false, true), 2)), vv));
        return tf.sqrt(tf.add(sq, DIST_EPS));
      });
      const vals = d.dataSync() as Float32Array;
      d.dispose();
      const c = end - start;
      for (let r = 0; r < b; r++) out.set(vals.subarray(r * c, (r + 1) * c), r * N + start);
    }
  } finally {
    ss.dispose();
  }
  return out;
}
