import * as tf from '@tensorflow/tfjs-core';
import { matMul2d } from '@memrec/core';
import { dotAt, sqDist } from './kv-host';
import { DIST_EPS, kvEraseAdd, type AddressMetric } from './kv-ops';
import type { KvWeights, LastWrite } from './kv-last-write';

/** What {@link lastWriteGrads} reads from the layer (a `KeyValueMemory` is one). */
export interface KvWriteGradLayer extends KvWeights {
  readonly keys: tf.Variable;
  readonly dim: number;
  readonly metric: AddressMetric;
  readonly temperature: number;
}

/** Gradients of the keys (through the last write's address; float64) and of the projections. */
export interface LastWriteGrads {
  gK: Float64Array;
  gWe: Float32Array;
  gbe: Float32Array;
  gWa: Float32Array;
  gba: Float32Array;
}

/**
 * The gradient through the last write's batched delta (`lastWriteDelta` in `kv-last-write.ts`,
 * the tfjs twin), given `gDelta`, the gradient of the loss with respect to the delta of each
 * touched memory the training batch read (one `[H * D]` block each; `block[r]` is memory r's
 * block, -1 when unread: its events are skipped, their gradient is zero). For memory r and its
 * events t: `delta_r = -S_r * sum_t w_t e_t^T + sum_t w_t a_t^T` (`S_r` the memory before the
 * write, `w_t` the address of the write's user row with the current keys, `e_t`, `a_t` the
 * erase / add vectors of its item row; rows and `S_r` are constants). The two `[D, D]` products
 * (`e`, `a` of the live events, and `dW = V^T dpre`) are small tfjs matMuls (`kvEraseAdd`, the
 * tensor path's op); the rest runs in host loops ({@link hostWriteBackward}).
 *
 * @example
 * ```ts
 * const { gK, gWe, gbe, gWa, gba } = lastWriteGrads(kv, lw, gDelta, block, kv.keys.dataSync() as Float32Array);
 * ```
 */
export function lastWriteGrads(kv: KvWriteGradLayer, lw: LastWrite, gDelta: Float64Array, block: Int32Array, keys: Float32Array): LastWriteGrads {
  const D = kv.dim;
  const live: number[] = [];
  for (let t = 0; t < lw.eventRow.length; t++) if (block[lw.eventRow[t]] >= 0) live.push(t);
  const L = live.length;
  if (L === 0) return { gK: new Float64Array(kv.slots * D), gWe: new Float32Array(D * D), gbe: new Float32Array(D), gWa: new Float32Array(D * D), gba: new Float32Array(D) };
  const vLive = new Float32Array(L * D);
  live.forEach((t, l) => vLive.set(lw.vRows.subarray(t * D, (t + 1) * D), l * D));
  const v = tf.tensor2d(vLive, [L, D], 'float32');
  try {
    const [e, a] = tf.tidy(() => kvEraseAdd(v, kv.We as tf.Tensor2D, kv.be as tf.Tensor1D, kv.Wa as tf.Tensor2D, kv.ba as tf.Tensor1D)).map((x) => {
      const d = x.dataSync() as Float32Array;
      x.dispose();
      return d;
    });
    const b = hostWriteBackward({ lw, live: Int32Array.from(live), e, a, gDelta, block, keys, H: kv.slots, D, metric: kv.metric, temperature: kv.temperature });
    const [gWe, gWa] = tf.tidy(() => [b.dPreE, b.dPreA].map((g) => matMul2d(v, tf.tensor2d(g, [L, D], 'float32'), true, false))).map((x) => {
      const d = x.dataSync() as Float32Array;
      x.dispose();
      return d;
    });
    return { gK: b.gK, gWe, gbe: b.gbe, gWa, gba: b.gba };
  } finally {
    v.dispose();
  }
}

/** Inputs of {@link hostWriteBackward}; arrays are row-major. */
export interface HostWriteBackwardInputs {
  lw: LastWrite;
  /** The L live events (indices into the write), in order. */
  live: Int32Array;
  /** Their erase and add vectors, `[L * D]` each. */
  e: Float32Array;
  a: Float32Array;
  gDelta: Float64Array;
  block: Int32Array;
  /** Keys `[H * D]`. */
  keys: Float32Array;
  H: number;
  D: number;
  metric: AddressMetric;
  temperature: number;
}

/**
 * Host loops of {@link lastWriteGrads}: per live event t of memory r (block c), with
 * `G = gDelta[c]` and `gE = -S_r * G`: `de = gE^T w_t`, `da = G^T w_t`, the pre-activation
 * gradients `dpre_e = de e (1 - e)`, `dpre_a = da (1 - a^2)` (returned `[L * D]` each; their sums
 * are `gbe`, `gba`), `dw_j = gE_j . e + G_j . a`, then the softmax backward to the keys (the same
 * chain as `hostHingeGrads`' address). Every product is a contiguous dot product (`G` and `gE`
 * are laid out both ways once per read memory); sums in float64.
 *
 * @example
 * ```ts
 * const { gK, dPreE, dPreA, gbe, gba } = hostWriteBackward({ lw, live, e, a, gDelta, block, keys, H, D, metric: 'euclidean', temperature: 1 });
 * ```
 */
export function hostWriteBackward(x: HostWriteBackwardInputs): { gK: Float64Array; dPreE: Float32Array; dPreA: Float32Array; gbe: Float32Array; gba: Float32Array } {
  const { lw, live, e, a, gDelta, block, keys, H, D, temperature: T } = x;
  const dot = x.metric === 'dot';
  const size = H * D;
  const { eventRow, snapshot: S, uRows: U } = lw;
  // per read memory c (touched memory r): G and gE = -S * G as [H, D] and transposed [D, H]
  const C = gDelta.length / size;
  const G = Float32Array.from(gDelta);
  const gE = new Float32Array(C * size);
  const GT = new Float32Array(C * size);
  const gET = new Float32Array(C * size);
  for (let r = 0; r < block.length; r++) {
    const c = block[r];
    if (c < 0) continue;
    for (let j = 0; j < H; j++) {
      for (let d = 0; d < D; d++) {
        const k = c * size + j * D + d;
        gE[k] = -S[r * size + j * D + d] * G[k];
        GT[c * size + d * H + j] = G[k];
        gET[c * size + d * H + j] = gE[k];
      }
    }
  }
  const L = live.length;
  const dPreE = new Float32Array(L * D);
  const dPreA = new Float32Array(L * D);
  const gK = new Float64Array(size);
  const gbe = new Float64Array(D);
  const gba = new Float64Array(D);
  const dist = new Float64Array(H);
  const w = new Float32Array(H);
  const lg = new Float64Array(H);
  for (let l = 0; l < L; l++) {
    const t = live[l];
    const c = block[eventRow[t]];
    const uo = t * D;
    const eo = l * D;
    // address of the write's user row with the current keys
    let mx = -Infinity;
    for (let j = 0; j < H; j++) {
      if (dot) lg[j] = dotAt(U, uo, keys, j * D, D) / T;
      else {
        dist[j] = Math.sqrt(sqDist(U, uo, keys, j * D, D) + DIST_EPS);
        lg[j] = -dist[j] / T;
      }
      if (lg[j] > mx) mx = lg[j];
    }
    let z = 0;
    for (let j = 0; j < H; j++) {
      lg[j] = Math.exp(lg[j] - mx);
      z += lg[j];
    }
    for (let j = 0; j < H; j++) w[j] = lg[j] / z;
    // de = gE^T w, da = G^T w, through the sigmoid / tanh
    for (let d = 0; d < D; d++) {
      const ed = e[eo + d];
      const ad = a[eo + d];
      const dpe = dotAt(w, 0, gET, c * size + d * H, H) * ed * (1 - ed);
      const dpa = dotAt(w, 0, GT, c * size + d * H, H) * (1 - ad * ad);
      dPreE[eo + d] = dpe;
      dPreA[eo + d] = dpa;
      gbe[d] += dpe;
      gba[d] += dpa;
    }
    // dw_j = gE_j . e + G_j . a, then the softmax to the keys (the write's user row is a constant)
    let wdot = 0;
    for (let j = 0; j < H; j++) {
      lg[j] = dotAt(gE, c * size + j * D, e, eo, D) + dotAt(G, c * size + j * D, a, eo, D);
      wdot += w[j] * lg[j];
    }
    for (let j = 0; j < H; j++) {
      const gl = w[j] * (lg[j] - wdot);
      if (gl === 0) continue;
      const ko = j * D;
      if (dot) {
        const f = gl / T;
        for (let d = 0; d < D; d++) gK[ko + d] += f * U[uo + d];
      } else {
        const f = gl / (T * dist[j]); // l_j = -dist_j / T, d dist_j / d k_j = (k_j - u) / dist_j
        for (let d = 0; d < D; d++) gK[ko + d] += f * (U[uo + d] - keys[ko + d]);
      }
    }
  }
  return { gK, dPreE, dPreA, gbe: Float32Array.from(gbe), gba: Float32Array.from(gba) };
}
