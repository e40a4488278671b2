/**
 * Small row kernels over host tables shared by CMN's attention and scorer: plain loops with four
 * partial sums (V8 keeps them in registers), float64 accumulation of float32 rows.
 */

/**
 * `x[xb .. xb + d) . table[tb .. tb + d)`, four partial sums.
 *
 * @example
 * ```ts
 * dotRow(Float64Array.of(1, 2), 0, Float32Array.of(9, 3, 4), 1, 2); // 1 * 3 + 2 * 4 = 11
 * ```
 */
export function dotRow(x: Float64Array, xb: number, table: Float32Array, tb: number, d: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    a0 += x[xb + k] * table[tb + k];
    a1 += x[xb + k + 1] * table[tb + k + 1];
    a2 += x[xb + k + 2] * table[tb + k + 2];
    a3 += x[xb + k + 3] * table[tb + k + 3];
  }
  for (; k < d; k++) a0 += x[xb + k] * table[tb + k];
  return a0 + a1 + a2 + a3;
}

/**
 * `y[yb .. yb + d) += a * x`.
 *
 * @example
 * ```ts
 * const y = Float32Array.of(1, 1, 1);
 * addScaled(y, 1, 2, Float64Array.of(3, 4), 2); // y = [1, 7, 9]
 * ```
 */
export function addScaled(y: Float32Array, yb: number, a: number, x: Float64Array, d: number): void {
  let k = 0;
  for (; k + 3 < d; k += 4) {
    y[yb + k] += a * x[k];
    y[yb + k + 1] += a * x[k + 1];
    y[yb + k + 2] += a * x[k + 2];
    y[yb + k + 3] += a * x[k + 3];
  }
  for (; k < d; k++) y[yb + k] += a * x[k];
}

/**
 * `out[ob .. ob + d) = sum_s w[wb + s] table[members[s0 + s]]` over `n` rows, four columns at a time.
 *
 * @example
 * ```ts
 * const out = new Float32Array(2);
 * weightedRows(Float64Array.of(0.5, 0.5), 0, Int32Array.of(0, 2), 0, 2, Float32Array.of(1, 2, 0, 0, 3, 4), 2, out, 0); // out = [2, 3]
 * ```
 */
export function weightedRows(w: Float64Array, wb: number, members: Int32Array, s0: number, n: number, table: Float32Array, d: number, out: Float32Array, ob: number): void {
  let k = 0;
  for (; k + 3 < d; k += 4) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let s = 0; s < n; s++) {
      const x = w[wb + s];
      const r = members[s0 + s] * d + k;
      a0 += x * table[r];
      a1 += x * table[r + 1];
      a2 += x * table[r + 2];
      a3 += x * table[r + 3];
    }
    out[ob + k] = a0;
    out[ob + k + 1] = a1;
    out[ob + k + 2] = a2;
    out[ob + k + 3] = a3;
  }
  for (; k < d; k++) {
    let a0 = 0;
    for (let s = 0; s < n; s++) a0 += w[wb + s] * table[members[s0 + s] * d + k];
    out[ob + k] = a0;
  }
}
