import { pairedTTest, summarize, wilcoxonSignedRank, type PerUnitValues } from '@memrec/eval';
import { lowerIsBetter } from '../report/format';
import type { Comparison, Results, RunResult } from '../report/types';

/**
 * summary[model][evaluation][metric] = { mean, std, ci95, n } over the seeds of each model.
 *
 * @example
 * ```ts
 * const s = summarizeRuns(runs); s.nmrn.stream['hr@10'].mean;
 * ```
 */
export function summarizeRuns(runs: RunResult[]): Results['summary'] {
  const values: Record<string, Record<string, Record<string, number[]>>> = {};
  for (const r of runs) {
    for (const [ev, ms] of Object.entries(r.metrics)) {
      for (const [m, v] of Object.entries(ms)) {
        ((values[r.model] ??= {})[ev] ??= {})[m] ??= [];
        values[r.model][ev][m].push(v);
      }
    }
  }
  const out: Results['summary'] = {};
  for (const [model, evs] of Object.entries(values)) {
    for (const [ev, ms] of Object.entries(evs)) {
      for (const [m, vs] of Object.entries(ms)) ((out[model] ??= {})[ev] ??= {})[m] = summarize(vs);
    }
  }
  return out;
}

/** Per-unit values of one (model, evaluation, seed), kept for the paired test over users. */
export type PerUserStore = Map<string, PerUnitValues>;
export const perUserKey = (model: string, evaluation: string, seed: number) => `${model}|${evaluation}|${seed}`;

/** Mean of a metric per user over every unit and seed of one model and evaluation. */
function perUserMeans(store: PerUserStore, model: string, evaluation: string, metric: string): Map<number, number> {
  const sum = new Map<number, [number, number]>();
  for (const [key, pu] of store) {
    const [m, ev] = key.split('|');
    if (m !== model || ev !== evaluation || !pu.values[metric]) continue;
    const vals = pu.values[metric];
    for (let i = 0; i < pu.users.length; i++) {
      const s = sum.get(pu.users[i]) ?? [0, 0];
      s[0] += vals[i];
      s[1] += 1;
      sum.set(pu.users[i], s);
    }
  }
  return new Map([...sum].map(([u, [s, n]]) => [u, s / n]));
}

const fmtP = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/**
 * Paired comparisons of model a against model b on one evaluation and metric: a Wilcoxon
 * signed-rank test over users (each user's value averaged over seeds) and a paired t-test over
 * seeds. The verdict says which is better at the 5 % level, or that the difference is not
 * significant.
 *
 * @example
 * ```ts
 * const cs = compareModels(runs, store, 'nmrn', 'bprmf', 'stream', 'hr@10');
 * ```
 */
export function compareModels(runs: RunResult[], store: PerUserStore, a: string, b: string, evaluation: string, metric: string): Comparison[] {
  const out: Comparison[] = [];
  // for an error metric (rmse, mae, mse) the lower value wins
  const better = (diff: number) => (lowerIsBetter(metric) ? diff < 0 : diff > 0);
  const verdict = (diff: number, p: number) =>
    p < 0.05 ? `${better(diff) ? a : b} > ${better(diff) ? b : a} (${fmtP(p)})` : `no significant difference between ${a} and ${b} (${fmtP(p)})`;
  const ua = perUserMeans(store, a, evaluation, metric);
  const ub = perUserMeans(store, b, evaluation, metric);
  const users = [...ua.keys()].filter((u) => ub.has(u));
  if (users.length > 0) {
    const xa = users.map((u) => ua.get(u) as number);
    const xb = users.map((u) => ub.get(u) as number);
    const w = wilcoxonSignedRank(xa, xb);
    const diff = xa.reduce((s, v) => s + v, 0) / xa.length - xb.reduce((s, v) => s + v, 0) / xb.length;
    out.push({ a, b, evaluation, metric, test: 'wilcoxon-users', statistic: w.statistic, pValue: w.pValue, meanDiff: diff, verdict: verdict(diff, w.pValue) });
  }
  const bySeed = (model: string) => new Map(runs.filter((r) => r.model === model && r.metrics[evaluation]?.[metric] !== undefined).map((r) => [r.seed, r.metrics[evaluation][metric]]));
  const sa = bySeed(a);
  const sb = bySeed(b);
  const seeds = [...sa.keys()].filter((s) => sb.has(s));
  if (seeds.length >= 2) {
    const xa = seeds.map((s) => sa.get(s) as number);
    const xb = seeds.map((s) => sb.get(s) as number);
    const t = pairedTTest(xa, xb);
    const diff = xa.reduce((s, v) => s + v, 0) / xa.length - xb.reduce((s, v) => s + v, 0) / xb.length;
    out.push({ a, b, evaluation, metric, test: 'paired-t-seeds', statistic: t.statistic, pValue: t.pValue, meanDiff: diff, verdict: verdict(diff, t.pValue) });
  }
  return out;
}
