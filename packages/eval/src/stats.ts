import { normalCdf, studentTCdf, studentTQuantile } from './distributions';

/** Mean, sample standard deviation and a two-sided 95 % t interval of the mean. */
export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (divides by n - 1); 0 when n = 1. */
  std: number;
  /** [low, high]: mean ± t(0.975, n - 1) · std / √n; [mean, mean] when n = 1. */
  ci95: [number, number];
}

function checkValues(fn: string, arg: string, values: ArrayLike<number>, min: number): void {
  if (values == null || typeof values.length !== 'number' || values.length < min) {
    throw new Error(`${fn}: ${arg} must hold at least ${min} number(s), got ${values == null ? String(values) : values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${fn}: ${arg}[${i}] must be a finite number, got ${values[i]}`);
  }
}

/**
 * Summarises a metric over runs (e.g. seeds): mean, sample standard deviation and the 95 %
 * confidence interval of the mean from Student's t distribution with n - 1 degrees of freedom.
 *
 * @example
 * ```ts
 * summarize([0.61, 0.63, 0.62]); // { n: 3, mean: 0.62, std: 0.01, ci95: [0.5952, 0.6448] }
 * ```
 */
export function summarize(values: ArrayLike<number>): Summary {
  checkValues('summarize', 'values', values, 1);
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  if (n === 1) return { n, mean, std: 0, ci95: [mean, mean] };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const std = Math.sqrt(ss / (n - 1));
  const half = (studentTQuantile(0.975, n - 1) * std) / Math.sqrt(n);
  return { n, mean, std, ci95: [mean - half, mean + half] };
}

/** Result of a paired test. `pValue` is two-sided. */
export interface PairedTestResult {
  /** Number of pairs used (for Wilcoxon: non-zero differences). */
  n: number;
  /** Test statistic (t for the t-test; W+ for Wilcoxon). */
  statistic: number;
  /** Standardised statistic (t, or z of the normal approximation). */
  z: number;
  pValue: number;
  /** Mean of a - b over all pairs. */
  meanDifference: number;
}

function checkPairs(fn: string, a: ArrayLike<number>, b: ArrayLike<number>, min: number): void {
  checkValues(fn, 'a', a, min);
  checkValues(fn, 'b', b, min);
  if (a.length !== b.length) throw new Error(`${fn}: a and b must be paired (equal length), got ${a.length} and ${b.length}`);
}

/**
 * Paired Student t-test of a - b (e.g. one metric of two models over the same seeds):
 * t = mean(d) / (sd(d) / √n), n - 1 degrees of freedom, two-sided p-value. With every
 * difference equal the statistic is undefined: `z` is ±Infinity (or 0 when all are 0) and `pValue`
 * 0 (or 1).
 *
 * @example
 * ```ts
 * pairedTTest([0.62, 0.64, 0.61], [0.60, 0.61, 0.60]).pValue;
 * ```
 */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>): PairedTestResult {
  checkPairs('pairedTTest', a, b, 2);
  const n = a.length;
  const d = Array.from({ length: n }, (_, i) => a[i] - b[i]);
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  if (sd === 0) {
    const t = mean === 0 ? 0 : mean > 0 ? Infinity : -Infinity;
    return { n, statistic: t, z: t, pValue: mean === 0 ? 1 : 0, meanDifference: mean };
  }
  const t = mean / (sd / Math.sqrt(n));
  const p = 2 * (1 - studentTCdf(Math.abs(t), n - 1));
  return { n, statistic: t, z: t, pValue: Math.min(1, p), meanDifference: mean };
}

/**
 * Wilcoxon signed-rank test of paired values (e.g. per-user NDCG of two models), by the normal
 * approximation (Wilcoxon, 1945; as scipy.stats.wilcoxon with zero_method='wilcox',
 * correction=True, method='approx'):
 * zero differences are dropped; |d| are ranked with average ranks for ties; W+ = sum of ranks
 * of positive d; z = (W+ - n(n+1)/4 - 0.5·sign) / √(n(n+1)(2n+1)/24 - Σ(t³ - t)/48) over tie
 * groups of size t; two-sided p = 2(1 - Φ(|z|)). Differences below 1e-12 · max|d| count as
 * zero (float noise). With no non-zero difference, z = 0 and p = 1.
 *
 * @example
 * ```ts
 * wilcoxonSignedRank(perUserA, perUserB).pValue;
 * ```
 */
export function wilcoxonSignedRank(a: ArrayLike<number>, b: ArrayLike<number>): PairedTestResult & { wPlus: number; wMinus: number; zeros: number } {
  checkPairs('wilcoxonSignedRank', a, b, 1);
  const all = Array.from({ length: a.length }, (_, i) => a[i] - b[i]);
  const meanDifference = all.reduce((s, v) => s + v, 0) / all.length;
  const scale = all.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const d = all.filter((v) => Math.abs(v) > 1e-12 * scale);
  const zeros = all.length - d.length;
  const n = d.length;
  if (n === 0) return { n, statistic: 0, z: 0, pValue: 1, meanDifference, wPlus: 0, wMinus: 0, zeros };
  const order = d.map((_, i) => i).sort((x, y) => Math.abs(d[x]) - Math.abs(d[y]));
  let wPlus = 0;
  let tieTerm = 0;
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && Math.abs(d[order[e]]) === Math.abs(d[order[s]])) e++;
    const rank = (s + 1 + e) / 2; // average of ranks s+1 .. e
    for (let j = s; j < e; j++) if (d[order[j]] > 0) wPlus += rank;
    const t = e - s;
    tieTerm += t * t * t - t;
    s = e;
  }
  const total = (n * (n + 1)) / 2;
  const mean = total / 2;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const diff = wPlus - mean;
  const z = variance > 0 ? (diff - 0.5 * Math.sign(diff)) / Math.sqrt(variance) : 0;
  const pValue = Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  return { n, statistic: wPlus, z, pValue, meanDifference, wPlus, wMinus: total - wPlus, zeros };
}
