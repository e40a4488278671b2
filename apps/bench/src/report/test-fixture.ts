/**
 * A small, plausible `Results` for the report tests: two models (nmrn, bprmf), two seeds (1, 2),
 * a leave-last-out protocol (full and sampled-100 evaluations) and a stream protocol (5 blocks),
 * with loss curves. Summaries are computed from the run values by the two-value formulas:
 *   mean = (a + b) / 2,  std = |a − b| / √2,  ci95 = mean ± t(0.975, 1) · std / √2.
 */
import type { Comparison, Results, RunResult, Summary } from './types';

/** t(0.975, 1), the 97.5 % quantile of Student's t with one degree of freedom. */
export const T_975_DF1 = 12.706204736174707;

/** Summary of two values by the formulas above. */
export function summary2(a: number, b: number): Summary {
  const mean = (a + b) / 2;
  const std = Math.abs(a - b) / Math.SQRT2;
  const half = (T_975_DF1 * std) / Math.SQRT2;
  return { mean, std, ci95: [mean - half, mean + half], n: 2 };
}

/** Per model, per evaluation, per metric: the values of seed 1 and seed 2. */
export const VALUES: Record<string, Record<string, Record<string, [number, number]>>> = {
  nmrn: {
    full: { 'hr@10': [0.3, 0.4], 'ndcg@10': [0.15, 0.17] },
    'sampled-100': { 'hr@10': [0.6, 0.64], 'ndcg@10': [0.41, 0.43] },
    stream: { 'hr@10': [0.2, 0.22], 'ndcg@10': [0.1, 0.12] },
  },
  bprmf: {
    full: { 'hr@10': [0.25, 0.27], 'ndcg@10': [0.18, 0.2] },
    'sampled-100': { 'hr@10': [0.55, 0.55], 'ndcg@10': [0.38, 0.4] },
    stream: { 'hr@10': [0.1, 0.14], 'ndcg@10': [0.05, 0.07] },
  },
};

/** Stream HR@10 of block b for a model and seed: rises for nmrn, falls for bprmf (drift). */
export function blockHr(model: string, seed: number, b: number): number {
  return model === 'nmrn' ? 0.1 + 0.03 * b + 0.01 * seed : 0.2 - 0.02 * b + 0.01 * seed;
}

/** Loss at step i (x = 256 · (i + 1) events): decays from 0.7, model- and seed-dependent. */
export function lossAt(model: string, seed: number, i: number): number {
  return (model === 'nmrn' ? 0.5 : 0.3) * Math.exp(-i / 4) + 0.2 + 0.01 * seed;
}

function run(model: string, seed: number, protocol: 'leave-last-out' | 'stream'): RunResult {
  const s = seed - 1;
  const pick = (evaluation: string) => Object.fromEntries(Object.entries(VALUES[model][evaluation]).map(([k, v]) => [k, v[s]]));
  const streaming = protocol === 'stream';
  return {
    model,
    seed,
    protocol,
    metrics: streaming ? { stream: pick('stream') } : { full: pick('full'), 'sampled-100': pick('sampled-100') },
    streamBlocks: streaming
      ? Array.from({ length: 5 }, (_, b) => ({ block: b, events: 1000, metrics: { 'hr@10': blockHr(model, seed, b), 'ndcg@10': blockHr(model, seed, b) / 2 } }))
      : undefined,
    loss: Array.from({ length: 8 }, (_, i) => ({ x: 256 * (i + 1), loss: lossAt(model, seed, i) })),
    trainSeconds: model === 'nmrn' ? 12 + seed : 3 + seed,
    trainEventsPerSecond: model === 'nmrn' ? 4000 + 100 * seed : 15000 + 500 * seed,
    observeEventsPerSecond: streaming ? (model === 'nmrn' ? 2500 : 9000) : undefined,
    observeMode: streaming ? (model === 'nmrn' ? 'incremental' : 'ignored') : undefined,
    recommendLatencyMs: { median: model === 'nmrn' ? 1.2 : 0.4, p99: model === 'nmrn' ? 3.5 : 0.9 },
  };
}

const VERSIONS = { '@memrec/core': '0.1.0', '@tensorflow/tfjs-core': '4.22.0' };
const evaluationCard = (split: string, params: Record<string, number | boolean>, protocol: string, candidates: string) => ({
  dataset: { name: 'synthetic', numUsers: 200, numItems: 500, numInteractions: 5000, density: 0.05 },
  split: { name: split, params },
  evaluation: { protocol, k: [10], candidates, seenFiltering: 'training items of the user excluded', tieBreak: 'equal scores rank the lower item id first', params: { chunkSize: 256 } },
  seeds: [1, 2],
  backend: 'cpu',
  versions: VERSIONS,
  model: 'nmrn, bprmf',
});

/** A protocol card shaped like the bench's (`buildCard(...).json`), small. */
export const CARD: Record<string, unknown> = {
  dataset: { name: 'synthetic', source: { generator: 'syntheticStream', seed: 2018 }, stats: { numUsers: 200, numItems: 500, numInteractions: 5000, density: 0.05, numPairs: 4200 } },
  protocols: ['stream', 'leave-last-out'],
  splits: {
    stream: { protocol: 'stream', params: { trainRatio: 0.6, blocks: 5 }, sizes: { train: 3000, test: 2000, blocks: [400, 400, 400, 400, 400] }, leakage: { coldUsers: 3 }, ok: true },
    'leave-last-out': { protocol: 'leave-last-out', params: { validation: false }, sizes: { train: 4800, test: 200 }, leakage: { coldItems: 1 }, ok: true },
  },
  evaluations: {
    stream: evaluationCard('stream', { trainRatio: 0.6, blocks: 5 }, 'stream (full)', 'every item the user had not interacted with before the event'),
    full: evaluationCard('leave-last-out', { validation: false }, 'full', 'every item the user did not interact with in training'),
    'sampled-100': evaluationCard('leave-last-out', { validation: false }, 'sampled-100', '100 sampled negatives and the held-out item'),
  },
  models: ['nmrn', 'bprmf'],
  modelConfigs: { nmrn: { dim: 32, slots: 20, sampler: 'gan', epochs: 2 }, bprmf: { dim: 128, l2: 0.002, epochs: 2 } },
  coldStart: 'skip',
  notes: ['split stream: no held-out interaction precedes the train cut', 'split leave-last-out: 1 held-out interaction dropped'],
  k: [10],
  seeds: [1, 2],
  backend: 'cpu',
  versions: VERSIONS,
};

/** Validation metric of a run at epoch e (0-based): nmrn peaks at epoch 2, bprmf rises to the end. */
export function validAt(model: string, seed: number, e: number): number {
  return (model === 'nmrn' ? [0.1, 0.2, 0.25, 0.24][e] : [0.05, 0.1, 0.12, 0.13][e]) + 0.01 * seed;
}

/**
 * The fixture with learning curves: leave-last-out runs trained 4 epochs with early stopping
 * (loss (0.6 or 0.4) · 0.8^e + 0.01 · seed, validation {@link validAt}, best epoch kept), stream
 * runs 3 epochs without (loss only).
 */
export function withCurves(results: Results): Results {
  for (const r of results.runs) {
    const epochs = r.protocol === 'stream' ? 3 : 4;
    const base = r.model === 'nmrn' ? 0.6 : 0.4;
    r.curve = Array.from({ length: epochs }, (_, e) => ({ epoch: e, loss: base * 0.8 ** e + 0.01 * r.seed, ...(r.protocol === 'stream' ? {} : { valid: validAt(r.model, r.seed, e) }) }));
    if (r.protocol !== 'stream') r.bestEpoch = r.model === 'nmrn' ? 2 : 3;
  }
  return results;
}

/** The fixture: 8 runs (2 models × 2 seeds × 2 protocols), summaries, one comparison. */
export function makeResults(): Results {
  const runs: RunResult[] = [];
  for (const model of ['nmrn', 'bprmf']) for (const seed of [1, 2]) for (const p of ['leave-last-out', 'stream'] as const) runs.push(run(model, seed, p));
  const summary: Results['summary'] = {};
  for (const [model, evals] of Object.entries(VALUES)) {
    summary[model] = {};
    for (const [evaluation, metrics] of Object.entries(evals)) {
      summary[model][evaluation] = Object.fromEntries(Object.entries(metrics).map(([m, [a, b]]) => [m, summary2(a, b)]));
    }
  }
  const comparisons: Comparison[] = [
    { a: 'nmrn', b: 'bprmf', evaluation: 'stream', metric: 'hr@10', test: 'wilcoxon-users', statistic: 3.1, pValue: 0.0021, meanDiff: 0.09, verdict: 'nmrn > bprmf (p = 0.0021)' },
    { a: 'nmrn', b: 'bprmf', evaluation: 'full', metric: 'ndcg@10', test: 'paired-t-seeds', statistic: -1.5, pValue: 0.37, meanDiff: -0.03, verdict: 'no significant difference (p = 0.37)' },
  ];
  return {
    version: 1,
    createdAt: '2024-05-01T12:00:00.000Z',
    command: 'memrec-bench --models nmrn,bprmf --seeds 1,2',
    backend: 'cpu',
    versions: VERSIONS,
    card: structuredClone(CARD),
    cardMarkdown: [
      '# Protocol card',
      '',
      '- **dataset**: synthetic drifting stream (200 users, 500 items, 5,000 events)',
      '- **protocols**: `stream` (5 blocks, prequential) and `leave-last-out`',
      '- **candidates**: full catalogue, and 100 sampled negatives',
      '',
      '| parameter | value |',
      '|---|---:|',
      '| k | 10 |',
      '| seeds | 1, 2 |',
    ].join('\n'),
    runs,
    summary,
    comparisons,
  };
}
