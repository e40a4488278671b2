import { dotAt, sqDist } from './kv-host';
import { DIST_EPS, type AddressMetric } from './kv-ops';

/** Inputs of {@link hostHingeGrads}; arrays are row-major. */
export interface HostHingeInputs {
  /** User rows `[b * D]`. */
  U: Float32Array;
  /** Item rows `[b * (1 + n) * D]`: row r holds its positive, then its n negatives. */
  V: Float32Array;
  /** Keys `[H * D]`. */
  keys: Float32Array;
  /** All value memories; row r reads the one at `memIds[r] * H * D` (memory 0 when `memIds` is null). */
  memory: Float32Array;
  memIds: Int32Array | null;
  b: number;
  n: number;
  H: number;
  D: number;
  metric: AddressMetric;
  temperature: number;
  margin: number;
  /** Weights `[b]` (per positive) or `[b * n]` (per pair); null: all 1. */
  weights: Float32Array | null;
  /**
   * Optional: also accumulate the gradient with respect to the memories read. Row r adds
   * `w_r gs_r^T` (`dL / dM` of its read) into `out` at `rowOf[r] * H * D` (skipped when
   * `rowOf[r] < 0`); `out` is `[R * H * D]`. The last write's gradient starts from it.
   */
  memGrad?: { rowOf: Int32Array; out: Float64Array } | null;
}

/** What {@link hostHingeGrads} returns: the loss and its gradients, shaped as the inputs. */
export interface HostHingeGrads {
  loss: number;
  gU: Float32Array;
  gV: Float32Array;
  gK: Float32Array;
}

/**
 * The weighted hinge of {@link KeyValueMemory.trainStep} and its gradients, forward and backward
 * in plain loops (no tensors), with the memory a constant (pass `memGrad` for its gradient).
 * For row r with address `w = softmax(l)`, `l_j = -||u - k_j|| / T` (`euclidean`) or
 * `u . k_j / T` (`dot`), read `s = sum_j w_j M_j`, distances `d_i = sqrt(||s - v_i||^2 + eps)`:
 * `loss = mean_{r,k} w_rk max(0, m + d_0 - d_k)`. Backward: `dd_i` from the active hinges,
 * `ds = sum_i dd_i (s - v_i) / d_i`, `dv_i = -dd_i (s - v_i) / d_i`, `dw_j = ds . M_j`,
 * `dl_j = w_j (dw_j - sum_h w_h dw_h)`, then through `l_j` to `u` and `k_j`. Rows whose hinges
 * are all inactive are skipped after the forward pass (zero gradient). A hinge at exactly 0 is
 * inactive, as tfjs's `relu` gradient.
 *
 * @example
 * ```ts
 * const { loss, gU, gV, gK } = hostHingeGrads({ U, V, keys, memory, memIds: users, b, n: 1, H, D, metric: 'euclidean', temperature: 1, margin: 0.5, weights: null });
 * ```
 */
export function hostHingeGrads(x: HostHingeInputs): HostHingeGrads {
  const { U, V, keys, memory, memIds, b, n, H, D, temperature: T, margin, weights } = x;
  const dot = x.metric === 'dot';
  const m1 = n + 1;
  const gU = new Float32Array(b * D);
  const gV = new Float32Array(b * m1 * D);
  const gK = new Float64Array(H * D);
  const dist = new Float64Array(H); // ||u - k_j|| (euclidean)
  const w = new Float64Array(H);
  const s = new Float32Array(D);
  const d = new Float64Array(m1);
  const dd = new Float64Array(m1);
  const gs = new Float64Array(D);
  const gu = new Float64Array(D);
  const ga = new Float64Array(H);
  const scale = 1 / (b * n);
  const perPair = weights !== null && weights.length === b * n;
  let loss = 0;
  for (let r = 0; r < b; r++) {
    const uo = r * D;
    const base = (memIds ? memIds[r] : 0) * H * D;
    // address
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
    // read, distances, hinges
    s.fill(0);
    for (let j = 0; j < H; j++) {
      const wj = w[j];
      const mo = base + j * D;
      for (let e = 0; e < D; e++) s[e] += wj * memory[mo + e];
    }
    const vo = r * m1 * D;
    for (let i = 0; i < m1; i++) d[i] = Math.sqrt(sqDist(s, 0, V, vo + i * D, D) + DIST_EPS);
    dd.fill(0);
    let active = false;
    for (let k = 1; k <= n; k++) {
      const h = margin + d[0] - d[k];
      if (!(h > 0)) continue;
      const wt = weights === null ? 1 : weights[perPair ? r * n + k - 1 : r];
      loss += wt * h;
      dd[0] += wt * scale;
      dd[k] -= wt * scale;
      active = true;
    }
    if (!active) continue;
    // backward: distances -> s and v
    gs.fill(0);
    for (let i = 0; i < m1; i++) {
      if (dd[i] === 0) continue;
      const c = dd[i] / d[i];
      const io = vo + i * D;
      for (let e = 0; e < D; e++) {
        const g = c * (s[e] - V[io + e]);
        gs[e] += g;
        gV[io + e] = -g;
      }
    }
    const mr = x.memGrad ? x.memGrad.rowOf[r] : -1;
    if (mr >= 0) {
      const out = (x.memGrad as { out: Float64Array }).out;
      const mo = mr * H * D;
      for (let j = 0; j < H; j++) {
        const wj = w[j];
        for (let e = 0; e < D; e++) out[mo + j * D + e] += wj * gs[e];
      }
    }
    // read -> address weights -> logits -> user row and keys
    let wdot = 0;
    for (let j = 0; j < H; j++) {
      const mo = base + j * D;
      let a = 0;
      for (let e = 0; e < D; e++) a += gs[e] * memory[mo + e];
      ga[j] = a;
      wdot += w[j] * a;
    }
    gu.fill(0);
    for (let j = 0; j < H; j++) {
      const gl = w[j] * (ga[j] - wdot);
      if (gl === 0) continue;
      const ko = j * D;
      if (dot) {
        const c = gl / T;
        for (let e = 0; e < D; e++) {
          gu[e] += c * keys[ko + e];
          gK[ko + e] += c * U[uo + e];
        }
      } else {
        const c = -gl / (T * dist[j]); // l_j = -dist_j / T, d dist_j / du = (u - k_j) / dist_j
        for (let e = 0; e < D; e++) {
          const g = c * (U[uo + e] - keys[ko + e]);
          gu[e] += g;
          gK[ko + e] -= g;
        }
      }
    }
    for (let e = 0; e < D; e++) gU[uo + e] = gu[e];
  }
  return { loss: loss * scale, gU, gV, gK: Float32Array.from(gK) };
}
