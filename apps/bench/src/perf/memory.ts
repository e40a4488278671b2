/**
 * `pnpm bench:perf memory`: the two memory layers of @memrec/memory on synthetic data.
 *  - KeyValueMemory (NMRN): H = 20 slots, D = 64, batch 256 events, one negative each:
 *    hinge-loss training step (read, distances, gradients to rows, keys and projections) plus
 *    the exact sequential write of the batch. Figure: events/s (`kv_events_per_second`: the hinge
 *    as a custom loss, so the tfjs step; shared memory, gradient through the last write).
 *  - KeyValueMemory with the default hinge at the same shape: per-user memory with
 *    `writeGradient` false and true (the host step), shared memory with it true (the step
 *    `trainStep` picks: tfjs on wasm, the host on cpu), and per-user with it true on the tfjs
 *    step (a custom loss; the path the default hinge took before the host computed the last
 *    write's gradient). Median of 4 windows. Figures: `kv_host_per_user_events_per_second`,
 *    `kv_host_per_user_write_grad_events_per_second`, `kv_default_shared_write_grad_events_per_second`,
 *    `kv_tfjs_per_user_write_grad_events_per_second`.
 *  - CollaborativeMemory (CMN): d = 50, 2 hops, every neighbourhood capped at 64 users,
 *    batch 128 positives x 4 negatives = 640 scored pairs, forward + backward + updates.
 *    Figure: pairs/s (positive and negative pairs alike).
 *  - CollaborativeMemory training at the models package's shape: 2,000 users x 1,000 items, each
 *    item with 40 random users (so every neighbourhood is full at the cap of 16), d = 50, 2 hops,
 *    batch 256 positives x 4 negatives = 1,280 pairs a step (BPR, lazy Adam). Figure:
 *    `cmn_train_pairs_per_second`.
 *  - CollaborativeMemory recommending: `scoreAll(Int32Array.of(user))` for one user over a
 *    10,000-item catalogue (6,040 users, every neighbourhood full at 16, 2 hops), d = 16 (the
 *    models package's default) and d = 50 (the paper's), random users, timed per call after
 *    warm-up (the first call builds the item cache; its time is a figure of its own), 300 calls
 *    at d 16 and 200 at d 50. Figures: `cmn_recommend_p50_ms`, `cmn_recommend_p99_ms`,
 *    `cmn_recommend_cpu_p50_ms` (process CPU time, which waiting for a core does not inflate)
 *    at d 16 and the same with `_d50`.
 * Measured on the chosen backend, then on cpu when the chosen one is not cpu (recommend: the
 * chosen backend only).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding, activeBackend, initBackend, randInt, seededRng } from '@memrec/core';
import { CollaborativeMemory, KeyValueMemory } from '@memrec/memory';
import { timeIt, timeWindows, type PerfContext, type PerfResult } from './types';

const USERS = 6040;
const ITEMS = 3706;
const KV_BATCH = 256;
const CMN_BATCH = 128;
const CMN_NEG = 4;

function ids(rng: () => number, n: number, bound: number): Int32Array {
  return Int32Array.from({ length: n }, () => randInt(rng, bound));
}

/** How {@link kvRate} trains: the value memory, the gradient through the last write, the tfjs step (custom loss) or the host one. */
interface KvSetup {
  memory: 'shared' | 'per-user';
  writeGradient: boolean;
  tfjs: boolean;
}

/** Events/s of train + sequential write at H 20, D 64, batch 256 (median of 4 windows unless `single`). */
async function kvRate(seconds: number, o: KvSetup = { memory: 'shared', writeGradient: true, tfjs: true }, single = true): Promise<number> {
  const opt = { kind: 'adam' as const, learningRate: 0.001 };
  const users = new SparseEmbedding({ rows: USERS, dim: 64, optimizer: opt, seed: 1 });
  const items = new SparseEmbedding({ rows: ITEMS, dim: 64, optimizer: opt, seed: 2 });
  const kv = new KeyValueMemory({ users, items, slots: 20, seed: 3, valueMemory: o.memory, writeGradient: o.writeGradient });
  const rng = seededRng(4);
  const batches = Array.from({ length: 16 }, () => [ids(rng, KV_BATCH, USERS), ids(rng, KV_BATCH, ITEMS), ids(rng, KV_BATCH, ITEMS)]);
  // hinge written inline with tf ops: mean(max(0, m + d(u, v+) - d(u, v-)))
  const hinge = (dPos: tf.Tensor1D, dNeg: tf.Tensor1D) => tf.mean(tf.relu(tf.add(tf.sub(dPos, dNeg), 1))) as tf.Scalar;
  const options = o.tfjs ? { loss: hinge } : { margin: 1 };
  let k = 0;
  const step = () => {
    const [u, p, n] = batches[k++ % batches.length];
    kv.trainStep(u, p, n, options);
    kv.write(u, p, { mode: 'sequential' });
  };
  const perSecond = single ? (await timeIt(step, seconds)).perSecond : (await timeWindows(step, seconds, 4)).median;
  kv.dispose();
  return perSecond * KV_BATCH;
}

/** The host-step KeyValueMemory figures of one backend (see the file comment). */
async function kvHostRates(seconds: number): Promise<{ name: string; layer: string; rate: number }[]> {
  const setups: { name: string; layer: string; o: KvSetup }[] = [
    { name: 'kv_host_per_user', layer: 'per-user, writeGradient false, host step', o: { memory: 'per-user', writeGradient: false, tfjs: false } },
    { name: 'kv_host_per_user_write_grad', layer: 'per-user, writeGradient true, host step', o: { memory: 'per-user', writeGradient: true, tfjs: false } },
    { name: 'kv_default_shared_write_grad', layer: 'shared, writeGradient true, default step', o: { memory: 'shared', writeGradient: true, tfjs: false } },
    { name: 'kv_tfjs_per_user_write_grad', layer: 'per-user, writeGradient true, tfjs step', o: { memory: 'per-user', writeGradient: true, tfjs: true } },
  ];
  const out: { name: string; layer: string; rate: number }[] = [];
  for (const s of setups) out.push({ name: s.name, layer: s.layer, rate: await kvRate(seconds, s.o, false) });
  return out;
}

async function cmnRate(seconds: number): Promise<number> {
  const rng = seededRng(5);
  // every item gets at least 64 distinct users, so every neighbourhood is capped at 64
  const perItem = 80;
  const tu = new Int32Array(ITEMS * perItem);
  const ti = new Int32Array(ITEMS * perItem);
  for (let i = 0; i < ITEMS; i++) {
    for (let k = 0; k < perItem; k++) {
      tu[i * perItem + k] = (i * 7 + k * 75) % USERS;
      ti[i * perItem + k] = i;
    }
  }
  const cmn = new CollaborativeMemory({ numUsers: USERS, numItems: ITEMS, dim: 50, hops: 2, maxNeighbours: 64, seed: 6, interactions: { users: tu, items: ti } });
  const batches = Array.from({ length: 16 }, () => [ids(rng, CMN_BATCH, USERS), ids(rng, CMN_BATCH, ITEMS), ids(rng, CMN_BATCH * CMN_NEG, ITEMS)]);
  const bpr = (pos: tf.Tensor1D, neg: tf.Tensor1D) => tf.mean(tf.softplus(tf.neg(tf.sub(pos, neg)))) as tf.Scalar;
  let k = 0;
  const r = await timeIt(() => {
    const [u, p, n] = batches[k++ % batches.length];
    cmn.trainStep(u, p, n, bpr);
  }, seconds);
  cmn.dispose();
  return r.perSecond * CMN_BATCH * (1 + CMN_NEG);
}

/** Synthetic CMN training data: every item gets `perItem` distinct users (random, seeded). */
function cmnInteractions(users: number, items: number, perItem: number, seed: number): { users: Int32Array; items: Int32Array } {
  const rng = seededRng(seed);
  const tu = new Int32Array(items * perItem);
  const ti = new Int32Array(items * perItem);
  for (let i = 0; i < items; i++) {
    const first = randInt(rng, users);
    const step = 1 + randInt(rng, Math.floor(users / perItem) - 1); // distinct: first + k * step mod users
    for (let k = 0; k < perItem; k++) {
      tu[i * perItem + k] = (first + k * step) % users;
      ti[i * perItem + k] = i;
    }
  }
  return { users: tu, items: ti };
}

async function cmnTrainRate(seconds: number): Promise<number> {
  const [U, N, B, NEG] = [2000, 1000, 256, 4];
  const cmn = new CollaborativeMemory({ numUsers: U, numItems: N, dim: 50, hops: 2, maxNeighbours: 16, seed: 7, interactions: cmnInteractions(U, N, 40, 8) });
  const rng = seededRng(9);
  const batches = Array.from({ length: 16 }, () => [ids(rng, B, U), ids(rng, B, N), ids(rng, B * NEG, N)]);
  let k = 0;
  const r = await timeWindows(() => {
    const [u, p, n] = batches[k++ % batches.length];
    cmn.trainStep(u, p, n);
  }, seconds, 4);
  cmn.dispose();
  return r.median * B * (1 + NEG);
}

/**
 * Per-call times (ms) of `scoreAll` for one random user: build time of the first call, then the
 * p50 / p99 of wall time and the p50 of this process's CPU time (on a shared machine the wall
 * time also counts waiting for a core).
 */
function cmnRecommend(dim: number, calls: number): { build: number; p50: number; p99: number; cpu50: number } {
  const [U, N] = [6040, 10000];
  const cmn = new CollaborativeMemory({ numUsers: U, numItems: N, dim, hops: 2, maxNeighbours: 16, seed: 10, interactions: cmnInteractions(U, N, 20, 11) });
  const rng = seededRng(12);
  const t0 = performance.now();
  cmn.scoreAll(Int32Array.of(0));
  const build = performance.now() - t0;
  for (let w = 0; w < 5; w++) cmn.scoreAll(Int32Array.of(randInt(rng, U)));
  const times: number[] = [];
  const cpu: number[] = [];
  for (let c = 0; c < calls; c++) {
    const user = Int32Array.of(randInt(rng, U));
    const c0 = process.cpuUsage();
    const t = performance.now();
    cmn.scoreAll(user);
    times.push(performance.now() - t);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1000);
  }
  cmn.dispose();
  const at = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
  return { build, p50: at(times, 0.5), p99: at(times, 0.99), cpu50: at(cpu, 0.5) };
}

/** Runs both layers on the chosen backend and, when that is not cpu, on cpu too. */
export async function run(ctx: PerfContext): Promise<PerfResult> {
  const seconds = ctx.quick ? 0.5 : 4;
  const original = activeBackend();
  const rows: PerfResult['rows'] = [];
  const figures: Record<string, number> = {};
  const backends = original === 'cpu' ? ['cpu' as const] : [original, 'cpu' as const];
  for (const backend of backends) {
    if (activeBackend() !== backend) await initBackend({ backend, log: false });
    const suffix = backend === original ? '' : `_${backend}`;
    ctx.log(`memory: KeyValueMemory train + write on ${backend} ...`);
    const kv = await kvRate(backend === original ? seconds : seconds / 2);
    ctx.log(`memory: CollaborativeMemory forward + backward on ${backend} ...`);
    const cmn = await cmnRate(backend === original ? seconds : seconds / 2);
    rows.push({ layer: 'KeyValueMemory (H 20, D 64, batch 256)', backend, 'per second': kv, unit: 'events (train + sequential write)' });
    ctx.log(`memory: CollaborativeMemory training (2,000 x 1,000, batch 256 x 4 negatives) on ${backend} ...`);
    const train = await cmnTrainRate(backend === original ? seconds : seconds / 2);
    rows.push({ layer: 'CollaborativeMemory (d 50, 2 hops, nbr 64)', backend, 'per second': cmn, unit: 'pairs (forward + backward)' });
    rows.push({ layer: 'CollaborativeMemory train (d 50, 2 hops, nbr 16, batch 256 x 4)', backend, 'per second': train, unit: 'pairs (trainStep, median of 4 windows)' });
    figures[`kv_events_per_second${suffix}`] = kv;
    ctx.log(`memory: KeyValueMemory host step, per-user / shared, writeGradient false / true on ${backend} ...`);
    for (const r of await kvHostRates(backend === original ? seconds : seconds / 2)) {
      rows.push({ layer: `KeyValueMemory (H 20, D 64, batch 256), ${r.layer}`, backend, 'per second': r.rate, unit: 'events (default hinge + sequential write, median of 4 windows)' });
      figures[`${r.name}_events_per_second${suffix}`] = r.rate;
    }
    figures[`cmn_pairs_per_second${suffix}`] = cmn;
    figures[`cmn_train_pairs_per_second${suffix}`] = train;
    if (backend !== original) continue;
    for (const dim of [16, 50]) {
      ctx.log(`memory: CollaborativeMemory scoreAll of one user, 10,000 items, d ${dim} on ${backend} ...`);
      const rec = cmnRecommend(dim, ctx.quick ? 30 : dim === 16 ? 300 : 200);
      const tag = dim === 16 ? '' : `_d${dim}`;
      rows.push({ layer: `CollaborativeMemory scoreAll 1 user x 10,000 items (d ${dim}, 2 hops, nbr 16)`, backend, 'per second': 1000 / rec.p50, unit: `users; p50 ${rec.p50.toFixed(1)} ms (cpu ${rec.cpu50.toFixed(1)}), p99 ${rec.p99.toFixed(1)} ms, cache build ${rec.build.toFixed(0)} ms` });
      figures[`cmn_recommend_p50_ms${tag}`] = rec.p50;
      figures[`cmn_recommend_p99_ms${tag}`] = rec.p99;
      figures[`cmn_recommend_cpu_p50_ms${tag}`] = rec.cpu50;
      figures[`cmn_recommend_cache_build_ms${tag}`] = rec.build;
    }
  }
  if (activeBackend() !== original) await initBackend({ backend: original, log: false });
  return { rows, figures };
}
