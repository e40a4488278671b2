/**
 * `pnpm bench:perf nmrn-stream`: NMRN's streaming update, events per second, on a synthetic
 * stream of 2,000 users x 1,000 items x 100,000 events (`syntheticStream`, seed 1). The first
 * 60 % are the training positives; the rest arrive in micro-batches of 64 events in time order.
 * One step is NMRN's update with the rank weight's own uniform draws and per-user memory, in a
 * fixed configuration (dim 32, 20 slots, margin 0.5, maxDraws 50, Adam 0.01, writeGradient off:
 * NMRN's defaults before the searched ones of 10 slots, margin 0.1 and 0.005), kept so that the
 * figures compare across versions; twice the slots make it the slower case of the two:
 * `posDist = d(users, pos)`; rank-weight draws; `trainStep(users, pos, negatives, weights)`;
 * `write(users, pos)`. The batch's events join the training positives before its step. The
 * stream starts from a model warmed up by one pass over the training events (batches of 256).
 *  - `tensor scorer, rounds`: distances through `kv.distance` (tensors, then `dataSync`), draws
 *    in rounds of 1, 2, 4, ... per unresolved row, one distance call per round (`sample`).
 *  - `host scorer, one draw call`: distances through `kv.scorerFor(users)` (plain loops, each
 *    user's read vector computed once per batch), all maxDraws draws of every row scored in one
 *    call (`sampleRows`).
 * Each variant starts from the same warmed-up model and steps through the same 8 windows of 40
 * micro-batches (20,480 events); the rate is the median window, printed with the slowest and
 * fastest; `events per cpu-s` divides the same events by the process's CPU time over all windows
 * (less sensitive than wall time to other jobs taking the cores). `mean k` is the mean draw count
 * of the rank weight over those events. For the host variant the mean milliseconds per
 * micro-batch of its three parts are figures too: the draws (positive distances + rank weight),
 * `trainStep` and `write`.
 */
import { SparseEmbedding, UserItemSet } from '@memrec/core';
import { syntheticStream } from '@memrec/data';
import { KeyValueMemory } from '@memrec/memory';
import { rankWeight, type RankWeightSampler } from '@memrec/samplers';
import type { PerfContext, PerfResult } from './types';

const USERS = 2000;
const ITEMS = 1000;
const EVENTS = 100_000;
const BATCH = 64;
const WARM_BATCH = 256;
const WINDOWS = 8;
const CONFIG = { dim: 32, slots: 20, margin: 0.5, learningRate: 0.01, maxDraws: 50 };

interface Stream {
  users: Int32Array;
  items: Int32Array;
  /** Index of the first streamed event (the first 60 % are training positives). */
  start: number;
}

interface Model {
  kv: KeyValueMemory;
  seen: UserItemSet;
  rw: RankWeightSampler;
  /** Rows and draws so far (mean k = draws / rows); ms in draws, trainStep, write (host variant). */
  stats: { rows: number; draws: number; ms: Float64Array };
}

type Variant = (m: Model, users: Int32Array, pos: Int32Array) => void;

interface Snapshot {
  users: Uint8Array;
  items: Uint8Array;
  memory: Uint8Array;
}

/** A fresh model from `snap` (tables with their optimizer state, keys, projections, memories). */
function makeModel(s: Stream, snap?: Snapshot): Model {
  const opt = { kind: 'adam' as const, learningRate: CONFIG.learningRate };
  const users = snap ? SparseEmbedding.fromBytes(snap.users) : new SparseEmbedding({ rows: USERS, dim: CONFIG.dim, optimizer: opt, seed: 4 });
  const items = snap ? SparseEmbedding.fromBytes(snap.items) : new SparseEmbedding({ rows: ITEMS, dim: CONFIG.dim, optimizer: opt, seed: 5 });
  const kv = new KeyValueMemory({ users, items, slots: CONFIG.slots, valueMemory: 'per-user', seed: 6, learningRate: CONFIG.learningRate, writeGradient: false });
  if (snap) kv.stateFromBytes(snap.memory);
  const seen = new UserItemSet(USERS, ITEMS);
  seen.addAll(s.users.subarray(0, s.start), s.items.subarray(0, s.start));
  const rw = rankWeight({ seen, margin: CONFIG.margin, maxDraws: CONFIG.maxDraws, seed: 1 });
  return { kv, seen, rw, stats: { rows: 0, draws: 0, ms: new Float64Array(3) } };
}

/**
 * The state the stream starts from: one pass over the training events in time order, batches of
 * 256, with the tensor-scorer step (the bench model's pre-training epoch with uniform negatives).
 */
function warmUp(s: Stream, events: number): Snapshot {
  const m = makeModel(s);
  m.kv.reset();
  for (let at = s.start - events; at < s.start; at += WARM_BATCH) {
    const end = Math.min(s.start, at + WARM_BATCH);
    tensorRounds(m, s.users.subarray(at, end), s.items.subarray(at, end));
  }
  const snap = { users: m.kv.users.toBytes(), items: m.kv.items.toBytes(), memory: m.kv.stateToBytes() };
  m.kv.dispose();
  return snap;
}

function tensorDistance(kv: KeyValueMemory, users: Int32Array, items: Int32Array): Float32Array {
  const t = kv.distance(users, items);
  const d = t.dataSync() as Float32Array;
  t.dispose();
  return d;
}

/** The bench model's step today: tensor distances, draws in doubling rounds. */
const tensorRounds: Variant = (m, users, pos) => {
  const posDist = tensorDistance(m.kv, users, pos);
  const rw = m.rw.sample(users, pos, posDist, (u, i) => tensorDistance(m.kv, u, i));
  for (const k of rw.draws) m.stats.draws += k;
  m.kv.trainStep(users, pos, rw.negatives, { margin: CONFIG.margin, weights: rw.weights });
  m.kv.write(users, pos);
};

/** Host distances (each user read once per batch: `scorerFor`), all maxDraws draws of a row in one call. */
const hostRows: Variant = (m, users, pos) => {
  const t0 = performance.now();
  const score = m.kv.scorerFor(users);
  const rw = m.rw.sampleRows(users, pos, score(users, pos), score);
  for (const k of rw.draws) m.stats.draws += k;
  const t1 = performance.now();
  m.kv.trainStep(users, pos, rw.negatives, { margin: CONFIG.margin, weights: rw.weights });
  const t2 = performance.now();
  m.kv.write(users, pos);
  const ms = m.stats.ms;
  ms[0] += t1 - t0;
  ms[1] += t2 - t1;
  ms[2] += performance.now() - t2;
};

/**
 * Steps `variant` through `windows` consecutive windows of `perWindow` micro-batches of the stream
 * (the same events for every variant); rates in events/s per window: median, slowest, fastest.
 */
function measure(s: Stream, snap: Snapshot, variant: Variant, windows: number, perWindow: number): { median: number; min: number; max: number; perCpuSecond: number; meanDraws: number; msPerStep: number[] } {
  const m = makeModel(s, snap);
  let at = s.start;
  const step = () => {
    if (at + BATCH > s.users.length) at = s.start;
    const u = s.users.subarray(at, at + BATCH);
    const p = s.items.subarray(at, at + BATCH);
    at += BATCH;
    m.seen.addAll(u, p);
    variant(m, u, p);
    m.stats.rows += BATCH;
  };
  step(); // warm-up: kernels, buffers
  m.stats.rows = 0;
  m.stats.draws = 0;
  m.stats.ms.fill(0);
  const rates: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let w = 0; w < windows; w++) {
    const t0 = performance.now();
    for (let k = 0; k < perWindow; k++) step();
    rates.push((perWindow * BATCH) / ((performance.now() - t0) / 1000));
  }
  const cpu = process.cpuUsage(cpu0);
  const perCpuSecond = (windows * perWindow * BATCH) / ((cpu.user + cpu.system) / 1e6);
  m.kv.dispose();
  rates.sort((a, b) => a - b);
  const mid = rates.length >> 1;
  const median = rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
  const steps = m.stats.rows / BATCH;
  return { median, min: rates[0], max: rates[rates.length - 1], perCpuSecond, meanDraws: m.stats.draws / m.stats.rows, msPerStep: Array.from(m.stats.ms, (x) => x / steps) };
}

/** Runs each variant on the chosen backend. */
export async function run(ctx: PerfContext): Promise<PerfResult> {
  const perWindow = ctx.quick ? 4 : 40;
  const data = syntheticStream({ seed: 1, numUsers: USERS, numItems: ITEMS, numEvents: EVENTS }).interactions;
  const s: Stream = { users: data.users, items: data.items, start: Math.floor(EVENTS * 0.6) };
  ctx.log('nmrn-stream: warm-up pass over the training events ...');
  const snap = warmUp(s, ctx.quick ? 8192 : s.start);
  const variants: [string, string, Variant][] = [
    ['tensor scorer, rounds', 'tensor_rounds', tensorRounds],
    ['host scorer, one draw call', 'host_rows', hostRows],
  ];
  const rows: PerfResult['rows'] = [];
  const figures: Record<string, number> = {};
  for (const [label, key, variant] of variants) {
    ctx.log(`nmrn-stream: ${label} ...`);
    const r = measure(s, snap, variant, WINDOWS, perWindow);
    rows.push({ step: label, backend: ctx.backend, 'events/s (median)': r.median, slowest: r.min, fastest: r.max, 'events per cpu-s': r.perCpuSecond, 'mean k': Number(r.meanDraws.toFixed(2)) });
    figures[`${key}_events_per_second`] = r.median;
    figures[`${key}_events_per_cpu_second`] = r.perCpuSecond;
    if (variant === hostRows) {
      ['draws', 'train_step', 'write'].forEach((phase, k) => (figures[`${key}_${phase}_ms_per_batch`] = r.msPerStep[k]));
    }
  }
  return { rows, figures };
}
