import { dotAt, sqDist } from './kv-host';
import { DIST_EPS, type AddressMetric } from './kv-ops';
import type { LastWrite } from './kv-last-write';

/** Inputs of {@link hostLastWriteGrads}; arrays are row-major. */
export interface HostLastWriteInputs {
  /** The recorded write: touched memories, each event's memory, their values before it, its user / item rows. */
  lw: LastWrite;
  /**
   * Gradient of the loss with respect to the touched memories' deltas, one `[H * D]` block per
   * memory the training batch read (see `hostHingeGrads`' `memGrad`).
   */
  gDelta: Float64Array;
  /** Per touched memory r (`[R]`): its block in `gDelta`, -1 when the batch did not read it (its events are skipped). */
  block: Int32Array;
  /** Keys `[H * D]`. */
  keys: Float32Array;
  /** Erase projection `[D * D]` (input-major: `pre_d = sum_i v_i We[i * D + d]`), bias `[D]`. */
  We: Float32Array;
  be: Float32Array;
  /** Add projection `[D * D]`, bias `[D]`. */
  Wa: Float32Array;
  ba: Float32Array;
  H: number;
  D: number;
  metric: AddressMetric;
  temperature: number;
}

/** What {@link hostLastWriteGrads} returns: gradients of the keys (through the write's address) and projections. */
export interface HostLastWriteGrads {
  gK: Float64Array;
  gWe: Float32Array;
  gbe: Float32Array;
  gWa: Float32Array;
  gba: Float32Array;
}

/**
 * Backward pass of the last write's batched delta (`lastWriteDelta` in `kv-last-write.ts`, the
 * tfjs twin) in plain loops: for touched memory r and its events t,
 * `delta_r = -S_r * sum_t w_t e_t^T + sum_t w_t a_t^T` with `S_r` the memory before the write,
 * `w_t = address(u_t)` (current keys), `e_t = sigmoid(v_t W_e + b_e)`, `a_t = tanh(v_t W_a + b_a)`;
 * `u_t`, `v_t` and `S_r` are constants. Given `G_r = dL / d delta_r`:
 * `de_t = (-S_r * G_r)^T w_t`, `da_t = G_r^T w_t`,
 * `dw_tj = sum_d (-S_r G_r)_jd e_td + (G_r)_jd a_td`, then `e(1 - e)` and `1 - a^2` give the
 * pre-activation gradients (`dW = v^T dpre`, `db = sum dpre`) and the softmax backward gives the
 * keys' gradient (the same chain as `hostHingeGrads`' address). Events whose memory the
 * training batch did not read (`block[r] < 0`, so `G_r = 0`) are skipped. Float64 accumulators.
 *
 * @example
 * ```ts
 * const { gK, gWe, gbe, gWa, gba } = hostLastWriteGrads({ lw, gDelta, block, keys, We, be, Wa, ba, H, D, metric: 'euclidean', temperature: 1 });
 * ```
 */
export function hostLastWriteGrads(x: HostLastWriteInputs): HostLastWriteGrads {
  const { lw, gDelta, block, keys, We, be, Wa, ba, H, D, temperature: T } = x;
  const dot = x.metric === 'dot';
  const size = H * D;
  const { eventRow, snapshot: S, uRows: U, vRows: V } = lw;
  const gK = new Float64Array(size);
  const gWe = new Float64Array(D * D);
  const gWa = new Float64Array(D * D);
  const gbe = new Float64Array(D);
  const gba = new Float64Array(D);
  const dist = new Float64Array(H);
  const w = new Float64Array(H);
  const gw = new Float64Array(H);
  const e = new Float64Array(D);
  const a = new Float64Array(D);
  const de = new Float64Array(D);
  const da = new Float64Array(D);
  for (let t = 0; t < eventRow.length; t++) {
    const r = eventRow[t];
    const c = block[r];
    if (c < 0) continue;
    const uo = t * D;
    const vo = t * D;
    // forward: address of the write's user row with the current keys
    let mx = -Infinity;
    for (let j = 0; j < H; j++) {
      let l: number;
      if (dot) l = dotAt(U, uo, keys, j * D, D) / T;
      else {
        dist[j] = Math.sqrt(sqDist(U, uo, keys, j * D, D) + DIST_EPS);
        l = -dist[j] / T;
      }
      w[j] = l;
      if (l > mx) mx = l;
    }
    let z = 0;
    for (let j = 0; j < H; j++) {
      w[j] = Math.exp(w[j] - mx);
      z += w[j];
    }
    for (let j = 0; j < H; j++) w[j] /= z;
    // forward: erase / add vectors
    for (let d = 0; d < D; d++) {
      e[d] = be[d];
      a[d] = ba[d];
    }
    for (let i = 0; i < D; i++) {
      const vi = V[vo + i];
      if (vi === 0) continue;
      const io = i * D;
      for (let d = 0; d < D; d++) {
        e[d] += vi * We[io + d];
        a[d] += vi * Wa[io + d];
      }
    }
    for (let d = 0; d < D; d++) {
      e[d] = 1 / (1 + Math.exp(-e[d]));
      a[d] = Math.tanh(a[d]);
    }
    // backward through delta_r
    de.fill(0);
    da.fill(0);
    let wdot = 0;
    for (let j = 0; j < H; j++) {
      const wj = w[j];
      const so = r * size + j * D;
      const go = c * size + j * D;
      let acc = 0;
      for (let d = 0; d < D; d++) {
        const ga = gDelta[go + d]; // G_r
        const ge = -S[so + d] * ga; // -S_r * G_r
        de[d] += wj * ge;
        da[d] += wj * ga;
        acc += ge * e[d] + ga * a[d];
      }
      gw[j] = acc;
      wdot += wj * acc;
    }
    // through the sigmoid / tanh to the projections
    for (let d = 0; d < D; d++) {
      de[d] *= e[d] * (1 - e[d]);
      da[d] *= 1 - a[d] * a[d];
      gbe[d] += de[d];
      gba[d] += da[d];
    }
    for (let i = 0; i < D; i++) {
      const vi = V[vo + i];
      if (vi === 0) continue;
      const io = i * D;
      for (let d = 0; d < D; d++) {
        gWe[io + d] += vi * de[d];
        gWa[io + d] += vi * da[d];
      }
    }
    // through the softmax to the keys (the write's user row is a constant)
    for (let j = 0; j < H; j++) {
      const gl = w[j] * (gw[j] - wdot);
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
  return { gK, gWe: Float32Array.from(gWe), gbe: Float32Array.from(gbe), gWa: Float32Array.from(gWa), gba: Float32Array.from(gba) };
}
