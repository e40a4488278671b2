import * as tf from '@tensorflow/tfjs-core';
import { matMul2d } from '@memrec/core';
import { maskedSoftmax } from './cmn-ops';

/** The gate weights of {@link episodicRead}: `g = sigmoid(q_0 W_q + o_h W_o + b_g)`. */
export interface EpisodicWeights {
  /** `[D, D]`, applied to the first query. */
  Wq: tf.Tensor2D;
  /** `[D, D]`, applied to each episode's read. */
  Wo: tf.Tensor2D;
  /** `[D]`. */
  bg: tf.Tensor1D;
}

/**
 * Multi-hop episodic attention over a memory of item rows with a gated query update per hop
 * (the episodic memory of dynamic / deep memory networks: Kumar et al., ICML 2016; applied to a
 * user's recent items as in Gligorijevic et al., "Modeling Mobile User Actions for Purchase
 * Recommendation using Deep Memory Networks", SIGIR 2018). Starting from `q_0 = query` (`[b, D]`),
 * each of the `hops` episodes attends over the row's slots (`[b, L, D]`, `mask` `[b, L]`),
 * `a_j = softmax_j(q_{h-1} . m_j / temperature)` over the real slots, reads `o_h = sum_j a_j m_j`,
 * and updates the query through a vector gate,
 * `g_h = sigmoid(q_0 W_q + o_h W_o + b_g)`, `q_h = (1 - g_h) * q_{h-1} + g_h * o_h`.
 * `query` may also hold C candidates per row (`[b, C, D]`, e.g. a positive and its negatives
 * against one user's memory); each runs its own episodes. Returns `q_hops` in the query's shape. The gate sees the first query and the episode's read (not
 * `q_{h-1}`), so the scores of one memory against a whole catalogue stay linear in the catalogue
 * ({@link episodicReadHost}). A row without real slots reads zeros in every episode. Differentiable
 * in every input.
 *
 * @example
 * ```ts
 * const w = { Wq: tf.zeros([2, 2]) as tf.Tensor2D, Wo: tf.zeros([2, 2]) as tf.Tensor2D, bg: tf.zeros([2]) as tf.Tensor1D };
 * // g = 0.5 everywhere: q_1 = (q_0 + o_1) / 2 with o_1 = [0.731, 0.269]
 * const q = episodicRead(tf.tensor2d([[1, 0]]), tf.tensor3d([[[1, 0], [0, 1]]]), tf.tensor2d([[1, 1]]), w, 1);
 * ```
 */
export function episodicRead<T extends tf.Tensor2D | tf.Tensor3D>(query: T, slots: tf.Tensor3D, mask: tf.Tensor2D, w: EpisodicWeights, hops: number, temperature = 1): T {
  return tf.tidy(() => {
    const [b, L, D] = slots.shape;
    const C = query.rank === 3 ? query.shape[1] : 1;
    const q0 = tf.reshape(query, [b * C, D]) as tf.Tensor2D;
    const base = tf.add(matMul2d(q0, w.Wq), w.bg);
    const slotsT = tf.transpose(slots, [0, 2, 1]); // [b, D, L]
    const m3 = tf.reshape(mask, [b, 1, L]);
    let q: tf.Tensor2D = q0;
    for (let h = 0; h < hops; h++) {
      let logits = tf.matMul(tf.reshape(q, [b, C, D]), slotsT); // [b, C, L]
      if (temperature !== 1) logits = tf.div(logits, temperature);
      const a = maskedSoftmax(logits, m3);
      const o = tf.reshape(tf.matMul(a, slots), [b * C, D]) as tf.Tensor2D;
      const g = tf.sigmoid(tf.add(base, matMul2d(o, w.Wo)));
      q = tf.add(q, tf.mul(g, tf.sub(o, q))) as tf.Tensor2D;
    }
    return tf.reshape(q, query.shape) as T;
  });
}

/** Inputs of {@link episodicReadHost} (all host arrays, row-major). */
export interface EpisodicHostInputs {
  /** `[nq * D]`: the first queries (e.g. every item of the catalogue). */
  queries: Float32Array;
  /** `[length * D]` or longer: the memory's real slots first. */
  slots: Float32Array;
  /** Real slots. */
  length: number;
  dim: number;
  /** `[D * D]`, `[D * D]`, `[D]`: the gate weights of {@link EpisodicWeights}. */
  Wq: Float32Array;
  Wo: Float32Array;
  bg: Float32Array;
  hops: number;
  temperature?: number;
  /** `[nq * D]`: `queries W_q + b_g` when the caller has it (it does not depend on the memory). */
  queryGate?: Float32Array;
}

/**
 * `queries W_q + b_g` (`[nq * D]`) for {@link EpisodicHostInputs.queryGate}: compute it once and
 * share it between memories (users) scored against the same queries.
 *
 * @example
 * ```ts
 * const gate = episodicQueryGate(itemRows, Wq, bg, 64);
 * ```
 */
export function episodicQueryGate(queries: Float32Array, Wq: Float32Array, bg: Float32Array, D: number): Float32Array {
  const nq = queries.length / D;
  const out = new Float32Array(nq * D);
  for (let q = 0; q < nq; q++) {
    const o = out.subarray(q * D, (q + 1) * D);
    o.set(bg.subarray(0, D));
    for (let k = 0; k < D; k++) {
      const x = queries[q * D + k];
      if (x === 0) continue;
      const row = k * D;
      for (let d = 0; d < D; d++) o[d] += x * Wq[row + d];
    }
  }
  return out;
}

/**
 * {@link episodicRead} on the host for `nq` queries against one memory (one user's recent items
 * against every candidate): writes `q_hops` for each query into `out` (`[nq * D]`) and returns it.
 * Uses `o_h W_o = sum_j a_j (m_j W_o)`, so each query costs `O(hops * length * D)` after one
 * `O(length * D^2)` pass over the memory. Equals `episodicRead` to float32 rounding (tested).
 *
 * @example
 * ```ts
 * const q = episodicReadHost({ queries: itemRows, slots, length: 3, dim: 16, Wq, Wo, bg, hops: 2 }, new Float32Array(numItems * 16));
 * ```
 */
export function episodicReadHost(x: EpisodicHostInputs, out: Float32Array): Float32Array {
  const { queries, slots, dim: D, Wo, hops } = x;
  const temperature = x.temperature ?? 1;
  const nq = queries.length / D;
  const n = x.length;
  const gate = x.queryGate ?? episodicQueryGate(queries, x.Wq, x.bg, D);
  const slotWo = new Float32Array(n * D);
  for (let j = 0; j < n; j++) for (let k = 0; k < D; k++) {
    const s = slots[j * D + k];
    for (let d = 0; d < D; d++) slotWo[j * D + d] += s * Wo[k * D + d];
  }
  const a = new Float64Array(n);
  const q = new Float64Array(D);
  for (let r = 0; r < nq; r++) {
    for (let d = 0; d < D; d++) q[d] = queries[r * D + d];
    for (let h = 0; h < hops; h++) {
      let mx = -Infinity;
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let d = 0; d < D; d++) acc += q[d] * slots[j * D + d];
        a[j] = acc / temperature;
        if (a[j] > mx) mx = a[j];
      }
      let z = 0;
      for (let j = 0; j < n; j++) z += a[j] = Math.exp(a[j] - mx);
      for (let d = 0; d < D; d++) {
        let o = 0;
        let ow = 0;
        for (let j = 0; j < n; j++) {
          o += a[j] * slots[j * D + d];
          ow += a[j] * slotWo[j * D + d];
        }
        if (n > 0) {
          o /= z;
          ow /= z;
        }
        const g = 1 / (1 + Math.exp(-(gate[r * D + d] + ow)));
        q[d] += g * (o - q[d]);
      }
    }
    for (let d = 0; d < D; d++) out[r * D + d] = q[d];
  }
  return out;
}
