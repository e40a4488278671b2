/**
 * CF-NADE's forward and backward pass for one user on the host (Zheng et al., ICML 2016), in
 * plain loops: the model is small per user (a hidden vector of H units and K rating levels), so
 * the arithmetic is cheaper than building tensors for it.
 *
 * Layout: `W` and `V` are item tables of K x H floats per item (level k's vector at k * H),
 * `b` an item table of K floats, `c` the H hidden biases. Levels are 0-based (0 .. K-1).
 */

/** The parameters {@link nadeUserLoss} reads and the options of the cost. */
export interface NadeParams {
  K: number;
  H: number;
  W: Float32Array;
  V: Float32Array;
  b: Float32Array;
  c: Float32Array;
  /** Parameter sharing across levels: level k's input weight is sum_{j<=k} W^j, its score sum_{j<=k} (b^j + V^j h). */
  share: boolean;
  /** Weight lambda of the ordinal cost in (1 - lambda) C_reg + lambda C_ord. */
  ordinal: number;
}

/** Where {@link nadeUserLoss} adds gradients (same layouts as the parameters), or null for no gradients. */
export interface NadeGrads {
  /** Gradient rows of the input items, `inputs.length x K x H`. */
  W: Float32Array;
  /** Gradient rows of the output items, `outputs.length x K x H`. */
  V: Float32Array;
  /** Gradient rows of the output items' biases, `outputs.length x K`. */
  b: Float32Array;
  /** Gradient of `c`, H floats. */
  c: Float64Array;
}

/**
 * Sum over levels `<= level` (shared) or level `level` alone of item `m`'s K x H table row, added to `acc`.
 */
export function addInput(p: NadeParams, m: number, level: number, acc: Float64Array): void {
  const { K, H, W } = p;
  const base = m * K * H;
  for (let k = p.share ? 0 : level; k <= level; k++) {
    const o = base + k * H;
    for (let j = 0; j < H; j++) acc[j] += W[o + j];
  }
}

/**
 * The level scores s^0..s^{K-1} of item `m` given hidden vector `h` into `s` (shared: cumulative
 * sums of b^k + V^k h).
 */
export function levelScores(p: NadeParams, m: number, h: Float64Array, s: Float64Array): void {
  const { K, H, V, b } = p;
  let acc = 0;
  for (let k = 0; k < K; k++) {
    const o = (m * K + k) * H;
    let z = b[m * K + k];
    for (let j = 0; j < H; j++) z += V[o + j] * h[j];
    acc = p.share ? acc + z : z;
    s[k] = acc;
  }
}

/** log sum exp of s[from..to] (inclusive). */
function lse(s: Float64Array, from: number, to: number): number {
  let m = -Infinity;
  for (let t = from; t <= to; t++) if (s[t] > m) m = s[t];
  let z = 0;
  for (let t = from; t <= to; t++) z += Math.exp(s[t] - m);
  return m + Math.log(z);
}

/**
 * The cost of one rating at level r given level scores s, and its gradient d cost / d s (added
 * to `ds` times `scale`): (1 - lambda) C_reg + lambda C_ord, with C_reg = -log softmax(s)_r and
 * C_ord = -sum_{j=r..0} log softmax(s_0..s_j)_j - sum_{j=r..K-1} log softmax(s_j..s_{K-1})_j
 * (the paper's ordinal cost: level r beats every level on its way down to 0 and up to K-1).
 */
export function ratingCost(s: Float64Array, K: number, r: number, lambda: number, scale: number, ds: Float64Array | null): number {
  let cost = 0;
  const softmaxTerm = (from: number, to: number, target: number, w: number) => {
    if (w === 0) return;
    const z = lse(s, from, to);
    cost += w * (z - s[target]);
    if (ds) {
      for (let t = from; t <= to; t++) ds[t] += scale * w * Math.exp(s[t] - z);
      ds[target] -= scale * w;
    }
  };
  softmaxTerm(0, K - 1, r, 1 - lambda);
  if (lambda > 0) {
    for (let j = r; j >= 0; j--) softmaxTerm(0, j, j, lambda);
    for (let j = r; j < K; j++) softmaxTerm(j, K - 1, j, lambda);
  }
  return cost;
}

/**
 * One user's training cost: the hidden vector h = tanh(c + sum of the input ratings' weights),
 * then `weight` x the cost of each output rating given h. With `grads`, adds `scale` x the
 * gradient of the returned cost to it (input rows in `inputs` order, output rows in `outputs`
 * order). Returns the cost (times `weight`).
 *
 * @example
 * ```ts
 * const cost = nadeUserLoss(params, inItems, inLevels, outItems, outLevels, 1, null, 1);
 * ```
 */
export function nadeUserLoss(
  p: NadeParams,
  inItems: Int32Array,
  inLevels: Int32Array,
  outItems: Int32Array,
  outLevels: Int32Array,
  weight: number,
  grads: NadeGrads | null,
  scale: number,
): number {
  const { K, H, V } = p;
  const a = Float64Array.from(p.c);
  for (let t = 0; t < inItems.length; t++) addInput(p, inItems[t], inLevels[t], a);
  const h = new Float64Array(H);
  for (let j = 0; j < H; j++) h[j] = Math.tanh(a[j]);
  const s = new Float64Array(K);
  const ds = new Float64Array(K);
  const dh = grads ? new Float64Array(H) : null;
  let cost = 0;
  for (let t = 0; t < outItems.length; t++) {
    const m = outItems[t];
    levelScores(p, m, h, s);
    if (grads) ds.fill(0);
    cost += weight * ratingCost(s, K, outLevels[t], p.ordinal, weight * scale, grads ? ds : null);
    if (!grads || !dh) continue;
    // shared scores: dz_j = sum_{k >= j} ds_k
    let acc = 0;
    for (let k = K - 1; k >= 0; k--) {
      acc = p.share ? acc + ds[k] : ds[k];
      const dz = acc;
      if (dz === 0) continue;
      grads.b[t * K + k] += dz;
      const o = (m * K + k) * H;
      const go = (t * K + k) * H;
      for (let j = 0; j < H; j++) {
        grads.V[go + j] += dz * h[j];
        dh[j] += dz * V[o + j];
      }
    }
  }
  if (grads && dh) {
    for (let j = 0; j < H; j++) {
      const da = dh[j] * (1 - h[j] * h[j]);
      dh[j] = da;
      grads.c[j] += da;
    }
    for (let t = 0; t < inItems.length; t++) {
      const r = inLevels[t];
      for (let k = p.share ? 0 : r; k <= r; k++) {
        const go = (t * K + k) * H;
        for (let j = 0; j < H; j++) grads.W[go + j] += dh[j];
      }
    }
  }
  return cost;
}

/**
 * P(level = k) for each level (written into `probs`) of item `m` given the hidden vector `h`.
 */
export function levelProbabilities(p: NadeParams, m: number, h: Float64Array, s: Float64Array, probs: Float64Array): void {
  levelScores(p, m, h, s);
  const z = lse(s, 0, p.K - 1);
  for (let k = 0; k < p.K; k++) probs[k] = Math.exp(s[k] - z);
}
