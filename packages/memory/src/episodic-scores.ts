import { episodicQueryGate } from './episodic-ops';
import { sameFloats } from './same-floats';

/** Inputs of {@link episodicScoresHost} (all host arrays, row-major). */
export interface EpisodicScoreInputs {
  /** `[nq * D]`: the first queries `q_0`, one per candidate (e.g. every item of the catalogue). */
  queries: Float32Array;
  /** `[nq * D]`: `queries W_q + b_g` ({@link episodicQueryGate}; it does not depend on the memory). */
  queryGate: Float32Array;
  /** `[length * D]` or longer: the memory's real slots first. */
  slots: Float32Array;
  /** Real slots (0: every episode reads zeros). */
  length: number;
  dim: number;
  /** `[D * D]`: the gate weight applied to each episode's read. */
  Wo: Float32Array;
  hops: number;
  /** `[D]`: the vector added to `q_hops` before the inner product with `q_0` (a user embedding). */
  user: Float32Array;
  temperature?: number;
}

/**
 * Scores `(user + q_hops) . q_0` of `nq` candidates against one memory: {@link episodicReadHost}
 * followed by the inner product, fused, for full-catalogue scoring (DMN's `scoreAll`). Writes
 * `out[r]` for every candidate `r` and returns `out`. Gives the same float32 scores, bit for bit,
 * as `episodicReadHost` into a float32 buffer and then `sum_d (user[d] + q[d]) * q_0[d]` in
 * float64 (tested): every sum is accumulated in float64 in the same order; the speed comes from
 * running four to eight independent sums at once (several slots' logits, several dimensions' reads
 * `o_h` and `o_h W_o`) instead of one dependent chain, with no per-candidate buffer.
 * Cost per candidate: `O(hops * length * D)` plus `hops * D` exponentials, after one
 * `O(length * D^2)` pass over the memory for `m_j W_o`.
 *
 * @example
 * ```ts
 * const gate = episodicQueryGate(itemRows, Wq, bg, 64);
 * const scores = episodicScoresHost({ queries: itemRows, queryGate: gate, slots, length: 3, dim: 64, Wo, hops: 2, user: p }, new Float32Array(numItems));
 * ```
 */
export function episodicScoresHost(x: EpisodicScoreInputs, out: Float32Array): Float32Array {
  const { queries, queryGate: gate, slots, dim: D, Wo, hops, user } = x;
  const temperature = x.temperature ?? 1;
  const nq = queries.length / D;
  const n = x.length;
  const slotWo = new Float32Array(n * D);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < D; k++) {
      const s = slots[j * D + k];
      for (let d = 0; d < D; d++) slotWo[j * D + d] += s * Wo[k * D + d];
    }
  }
  const a = new Float64Array(n);
  const q = new Float64Array(D);
  for (let r = 0; r < nq; r++) {
    const base = r * D;
    for (let d = 0; d < D; d++) q[d] = queries[base + d];
    for (let h = 0; h < hops; h++) {
      episodeLogits(q, slots, n, D, temperature, a);
      let mx = -Infinity;
      for (let j = 0; j < n; j++) if (a[j] > mx) mx = a[j];
      let z = 0;
      for (let j = 0; j < n; j++) z += a[j] = Math.exp(a[j] - mx);
      episodeUpdate(q, a, z, slots, slotWo, n, D, gate, base);
    }
    let s = 0;
    for (let d = 0; d < D; d++) s += (user[d] + Math.fround(q[d])) * queries[base + d];
    out[r] = s;
  }
  return out;
}

/** `a[j] = (q . m_j) / temperature` for the `n` slots, four (then two, one) slots at a time; each sum runs over d in order. */
function episodeLogits(q: Float64Array, slots: Float32Array, n: number, D: number, temperature: number, a: Float64Array): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    const s0 = j * D;
    const s1 = s0 + D;
    const s2 = s1 + D;
    const s3 = s2 + D;
    for (let d = 0; d < D; d++) {
      const v = q[d];
      a0 += v * slots[s0 + d];
      a1 += v * slots[s1 + d];
      a2 += v * slots[s2 + d];
      a3 += v * slots[s3 + d];
    }
    a[j] = a0 / temperature;
    a[j + 1] = a1 / temperature;
    a[j + 2] = a2 / temperature;
    a[j + 3] = a3 / temperature;
  }
  if (j + 1 < n) {
    let a0 = 0;
    let a1 = 0;
    const s0 = j * D;
    const s1 = s0 + D;
    for (let d = 0; d < D; d++) {
      const v = q[d];
      a0 += v * slots[s0 + d];
      a1 += v * slots[s1 + d];
    }
    a[j] = a0 / temperature;
    a[j + 1] = a1 / temperature;
    j += 2;
  }
  if (j < n) {
    let a0 = 0;
    const s0 = j * D;
    for (let d = 0; d < D; d++) a0 += q[d] * slots[s0 + d];
    a[j] = a0 / temperature;
  }
}

/**
 * One episode's read and gated update of `q` from the unnormalised weights `a` (sum `z`):
 * `o = sum_j a_j m_j / z`, `ow = sum_j a_j (m_j W_o) / z`, `g = sigmoid(gate + ow)`,
 * `q += g * (o - q)`; four dimensions at a time, each sum over j in order.
 */
function episodeUpdate(q: Float64Array, a: Float64Array, z: number, slots: Float32Array, slotWo: Float32Array, n: number, D: number, gate: Float32Array, base: number): void {
  let d = 0;
  for (; d + 3 < D; d += 4) {
    let o0 = 0;
    let o1 = 0;
    let o2 = 0;
    let o3 = 0;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    for (let j = 0, sj = d; j < n; j++, sj += D) {
      const aj = a[j];
      o0 += aj * slots[sj];
      o1 += aj * slots[sj + 1];
      o2 += aj * slots[sj + 2];
      o3 += aj * slots[sj + 3];
      w0 += aj * slotWo[sj];
      w1 += aj * slotWo[sj + 1];
      w2 += aj * slotWo[sj + 2];
      w3 += aj * slotWo[sj + 3];
    }
    if (n > 0) {
      o0 /= z;
      o1 /= z;
      o2 /= z;
      o3 /= z;
      w0 /= z;
      w1 /= z;
      w2 /= z;
      w3 /= z;
    }
    const g0 = 1 / (1 + Math.exp(-(gate[base + d] + w0)));
    const g1 = 1 / (1 + Math.exp(-(gate[base + d + 1] + w1)));
    const g2 = 1 / (1 + Math.exp(-(gate[base + d + 2] + w2)));
    const g3 = 1 / (1 + Math.exp(-(gate[base + d + 3] + w3)));
    q[d] += g0 * (o0 - q[d]);
    q[d + 1] += g1 * (o1 - q[d + 1]);
    q[d + 2] += g2 * (o2 - q[d + 2]);
    q[d + 3] += g3 * (o3 - q[d + 3]);
  }
  for (; d < D; d++) {
    let o0 = 0;
    let w0 = 0;
    for (let j = 0, sj = d; j < n; j++, sj += D) {
      o0 += a[j] * slots[sj];
      w0 += a[j] * slotWo[sj];
    }
    if (n > 0) {
      o0 /= z;
      w0 /= z;
    }
    const g0 = 1 / (1 + Math.exp(-(gate[base + d] + w0)));
    q[d] += g0 * (o0 - q[d]);
  }
}

/**
 * Keeps `queries W_q + b_g` ({@link episodicQueryGate}, `O(nq * D^2)`, as much work as the
 * episodes of one memory) between calls: `get` returns the kept gate while the queries, `W_q` and
 * `b_g` hold the same bits as when it was computed (compared in full, a `memcmp` in Node), else
 * computes it again. Scoring one user at a time against an unchanged catalogue then skips it.
 *
 * @example
 * ```ts
 * const gates = new EpisodicGateCache();
 * const gate = gates.get(itemRows, Wq, bg, 64); // computed
 * gates.get(itemRows, Wq, bg, 64);              // the same array, not computed again
 * ```
 */
export class EpisodicGateCache {
  private kept: { queries: Float32Array; Wq: Float32Array; bg: Float32Array; gate: Float32Array } | null = null;
  private count = 0;

  /** How many times `get` has computed the gate. */
  get computed(): number {
    return this.count;
  }

  get(queries: Float32Array, Wq: Float32Array, bg: Float32Array, D: number): Float32Array {
    const k = this.kept;
    if (k !== null && sameFloats(k.queries, queries) && sameFloats(k.Wq, Wq) && sameFloats(k.bg, bg)) return k.gate;
    const gate = episodicQueryGate(queries, Wq, bg, D);
    this.kept = { queries: queries.slice(), Wq: Wq.slice(), bg: bg.slice(), gate };
    this.count++;
    return gate;
  }

  /** Drops the kept arrays. */
  clear(): void {
    this.kept = null;
  }
}
