/**
 * `pnpm bench:perf samplers`: negatives per second of each sampler on ML-1M-sized synthetic data
 * (6,040 users, 3,706 items, 1,000,209 distinct interactions, Zipf-like item popularity and user activity).
 *  - uniform and popularity: batches of 4,096 training positives, n = 1 and n = 4 negatives each,
 *    bitset and sorted exclusion;
 *  - DNS: T = 32 candidates scored by a dot product over 64-dim tables (SparseEmbedding-sized)
 *    computed in a plain Float32Array loop (no tfjs);
 *  - GAN: T = 32, dim 32, hidden 32, batch 256: `sample` alone (candidate scoring by tfjs on the
 *    chosen backend), and `sample` + `update` (REINFORCE step).
 * Each rate is the median over 8 windows (2 s in all), printed with the slowest and fastest window.
 */
import { UserItemSet, seededRng, SparseEmbedding } from '@memrec/core';
import { dnsSampler, ganSampler, popularitySampler, uniformSampler, AliasTable, type NegativeSampler } from '@memrec/samplers';
import { timeWindows, type PerfContext, type PerfResult } from './types';

const USERS = 6040;
const ITEMS = 3706;
const EVENTS = 1_000_209;
const BATCH = 4096;

interface Data {
  seen: UserItemSet;
  counts: Int32Array;
  users: Int32Array;
  items: Int32Array;
}

/** Synthetic interactions: item popularity ~ 1/(rank + 5), user activity ~ 1/(rank + 20), ML-1M's size. */
function makeData(): Data {
  const rng = seededRng(2024);
  const itemW = Float64Array.from({ length: ITEMS }, (_, r) => 1 / (r + 5));
  const userW = Float64Array.from({ length: USERS }, (_, r) => 1 / (r + 20));
  const it = new AliasTable(itemW);
  const ut = new AliasTable(userW);
  // Draw (user, item) events until there are EVENTS distinct pairs, as in ML-1M.
  const seen = new UserItemSet(USERS, ITEMS);
  let distinct = 0;
  while (distinct < EVENTS) if (seen.add(ut.draw(rng), it.draw(rng))) distinct++;
  const counts = new Int32Array(ITEMS);
  for (let u = 0; u < USERS; u++) for (const i of seen.itemsOf(u)) counts[i]++;
  // Training rows = the distinct (user, item) pairs.
  const du = new Int32Array(distinct);
  const di = new Int32Array(distinct);
  let o = 0;
  for (let u = 0; u < USERS; u++) {
    for (const i of seen.itemsOf(u)) {
      du[o] = u;
      di[o++] = i;
    }
  }
  return { seen, counts, users: du, items: di };
}

/** Batches of training rows in a seeded random order. */
function batches(d: Data, size: number, count: number): [Int32Array, Int32Array][] {
  const rng = seededRng(7);
  return Array.from({ length: count }, () => {
    const u = new Int32Array(size);
    const i = new Int32Array(size);
    for (let k = 0; k < size; k++) {
      const r = (rng() * d.users.length) | 0;
      u[k] = d.users[r];
      i[k] = d.items[r];
    }
    return [u, i];
  });
}

interface Rate {
  median: number;
  min: number;
  max: number;
}

/** A rate in calls/s as items/s, `perCall` items per call. */
const scaled = (r: Rate, perCall: number): Rate => ({ median: r.median * perCall, min: r.min * perCall, max: r.max * perCall });

/** Negatives per second: the median over 8 windows, with the slowest and fastest window. */
async function perSecond(s: NegativeSampler, bs: [Int32Array, Int32Array][], n: number, seconds: number): Promise<Rate> {
  const out = new Int32Array(bs[0][0].length * n);
  let k = 0;
  const r = await timeWindows(() => {
    const [u, i] = bs[k++ % bs.length];
    s.sample(u, i, n, out);
  }, seconds);
  return scaled(r, out.length);
}

/** Runs every sampler and reports negatives per second. */
export async function run(ctx: PerfContext): Promise<PerfResult> {
  const secs = ctx.quick ? 0.4 : 2;
  ctx.log('samplers: building ML-1M-sized synthetic data ...');
  const d = makeData();
  ctx.log(`samplers: ${d.users.length} distinct interactions, densest user ${Math.max(...Array.from({ length: USERS }, (_, u) => d.seen.count(u)))} items`);
  const bs = batches(d, BATCH, 64);
  const rows: Record<string, string | number>[] = [];
  const figures: Record<string, number> = {};
  const add = (sampler: string, note: string, n: number, v: Rate) =>
    rows.push({ sampler, note, n, 'negatives/s': Math.round(v.median), 'slowest window': Math.round(v.min), 'fastest window': Math.round(v.max) });

  for (const exclusion of ['bitset', 'sorted'] as const) {
    for (const n of [1, 4]) {
      const v = await perSecond(uniformSampler({ seen: d.seen, seed: 1, exclusion }), bs, n, secs);
      add('uniform', `${exclusion} exclusion, batch ${BATCH}`, n, v);
      if (exclusion === 'bitset' && n === 1) figures.uniform_per_second = v.median;
    }
  }
  for (const exclusion of ['bitset', 'sorted'] as const) {
    for (const n of [1, 4]) {
      const v = await perSecond(popularitySampler({ seen: d.seen, counts: d.counts, alpha: 0.75, seed: 2, exclusion }), bs, n, secs);
      add('popularity', `alpha 0.75, ${exclusion} exclusion, batch ${BATCH}`, n, v);
      if (exclusion === 'bitset' && n === 1) figures.popularity_per_second = v.median;
    }
  }

  ctx.log('samplers: DNS (T = 32, Float32Array dot-product scorer) ...');
  const dim = 64;
  const U = new SparseEmbedding({ rows: USERS, dim, seed: 1 }).data;
  const V = new SparseEmbedding({ rows: ITEMS, dim, seed: 2 }).data;
  const dot = (users: Int32Array, items: Int32Array) => {
    const s = new Float32Array(users.length);
    for (let k = 0; k < users.length; k++) {
      const a = users[k] * dim;
      const b = items[k] * dim;
      let x = 0;
      for (let j = 0; j < dim; j++) x += U[a + j] * V[b + j];
      s[k] = x;
    }
    return s;
  };
  const dnsBatches = batches(d, 1024, 16);
  const dns = await perSecond(dnsSampler({ seen: d.seen, candidates: 32, score: dot, seed: 3 }), dnsBatches, 1, secs);
  add('dns', 'T 32, 64-dim dot product in a Float32Array loop, batch 1024', 1, dns);
  figures.dns_per_second = dns.median;

  ctx.log(`samplers: GAN (T = 32, dim 32, hidden 32, tfjs on ${ctx.backend}) ...`);
  const gan = ganSampler({ seen: d.seen, dim: 32, hidden: 32, candidates: 32, learningRate: 0.01, seed: 4 });
  const ganBatches = batches(d, 256, 16);
  const ganSample = await perSecond(gan, ganBatches, 1, secs);
  add('gan', `T 32, dim 32, hidden 32, batch 256, sample only (${ctx.backend})`, 1, ganSample);
  figures.gan_per_second = ganSample.median;
  let k = 0;
  const step = await timeWindows(() => {
    const [u, i] = ganBatches[k++ % ganBatches.length];
    const negs = gan.sample(u, i, 1);
    gan.update(u, negs, Float32Array.from(negs, (v) => -Math.abs(v - 100) / 1000));
  }, secs);
  const ganStep = scaled(step, 256);
  add('gan', `sample + REINFORCE update, batch 256 (${ctx.backend})`, 1, ganStep);
  figures.gan_sample_update_per_second = ganStep.median;
  gan.dispose();

  return { rows, figures };
}
