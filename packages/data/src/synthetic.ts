import { checkOptionKeys } from '@memrec/core/internal';
import { IdMap, assertFinite, assertInt, deriveSeed, randInt, seededRng, type Rng } from '@memrec/core';
import { computeStats, type LoadedDataset } from './types';

/** Options of {@link syntheticStream}; every field but `seed` has a default. */
export interface SyntheticStreamOptions {
  seed: number;
  numUsers?: number; // 2000
  numItems?: number; // 1000
  numEvents?: number; // 100000
  /** Latent interest clusters (items belong to one each; users are in one at a time). Default 10. */
  numClusters?: number;
  /** Item popularity ~ 1 / rank^zipf within the catalogue (rank a seeded permutation). Default 1. */
  zipf?: number;
  /** User activity ~ 1 / rank^userZipf. Default 0.5. */
  userZipf?: number;
  /** Probability an event comes from the user's current cluster (else a uniform cluster). Default 0.85. */
  affinity?: number;
  /** Probability, after each of a user's events, that the user moves to another cluster. Default 0.02. */
  driftRate?: number;
  /** Fraction of users who join mid-stream (uniform arrival over the stream). Default 0.2. */
  newUserFraction?: number;
  /** Fraction of items released mid-stream. Default 0.1. */
  newItemFraction?: number;
  /** Time of the first event (unix seconds). Default 1.6e9. */
  startTime?: number;
  /** Mean gap between events in seconds (exponential gaps). Default 60. */
  meanGap?: number;
}

/**
 * Ground truth of a synthetic stream. Event e (row e, rows are in time order):
 * `userCluster[e]` is the user's interest cluster when the event happened; with probability
 * `affinity` the item was drawn from that cluster (`fromUserCluster[e] = 1`), else from a uniform
 * cluster; inside a cluster items are drawn by Zipf popularity among released items. After the
 * event the user moves with probability `driftRate`; `drift` lists those moves in time order.
 * A model that tracks each user's recent clusters should therefore beat one with a fixed profile
 * whenever `driftRate > 0` (see the package tests).
 */
export interface SyntheticTruth {
  numClusters: number;
  /** Cluster of each item. */
  itemCluster: Int32Array;
  /** Popularity weight of each item (unnormalised Zipf weight). */
  itemWeight: Float64Array;
  /** User's cluster at each event. */
  userCluster: Int32Array;
  /** 1 when the event's item was drawn from the user's cluster, 0 when from a random one. */
  fromUserCluster: Uint8Array;
  /** Cluster moves: who, when (time of the event after which it happened), from, to. */
  drift: { users: Int32Array; times: Float64Array; from: Int32Array; to: Int32Array };
  /** Each user's cluster at the start (or at arrival, for new users). */
  initialCluster: Int32Array;
  /** When each user becomes active / each item is released (startTime for the initial ones). */
  userArrival: Float64Array;
  itemRelease: Float64Array;
  params: Required<SyntheticStreamOptions>;
}

/** A synthetic dataset plus its ground truth. */
export interface SyntheticStream extends LoadedDataset {
  truth: SyntheticTruth;
}

/**
 * A seeded implicit-feedback stream with Zipf item popularity, users with latent interest
 * clusters that drift over time, users and items appearing mid-stream, and timestamps. Ids are
 * the identity (raw id k = dense id k). The default (2,000 x 1,000 x 100,000) takes well under 2 s.
 *
 * @example
 * ```ts
 * const s = syntheticStream({ seed: 1 });
 * s.interactions.timestamps; // increasing
 * s.truth.drift.users.length; // about driftRate * numEvents moves
 * ```
 */
export function syntheticStream(options: SyntheticStreamOptions): SyntheticStream {
  checkOptionKeys('syntheticStream', options, ['seed', 'numUsers', 'numItems', 'numEvents', 'numClusters', 'zipf', 'userZipf', 'affinity', 'driftRate', 'newUserFraction', 'newItemFraction', 'startTime', 'meanGap']);
  const p = resolve(options);
  const { numUsers: U, numItems: I, numEvents: E, numClusters: C } = p;
  const rng = seededRng(deriveSeed(p.seed, 'synthetic-stream'));

  const itemCluster = new Int32Array(I);
  const itemPerm = permutation(I, rng);
  for (let k = 0; k < I; k++) itemCluster[itemPerm[k]] = k % C; // balanced clusters
  const itemWeight = zipfWeights(I, p.zipf, rng);
  const userWeight = zipfWeights(U, p.userZipf, rng);
  const itemRelease = arrivals(I, p.newItemFraction, E, rng); // event index
  const userArrival = arrivals(U, p.newUserFraction, E, rng);
  const initialCluster = Int32Array.from({ length: U }, () => randInt(rng, C));

  // Per cluster, items in release order with cumulative weights; users likewise.
  const byCluster = Array.from({ length: C }, (_, c) => new Prefix(sortedBy(filterIds(I, (i) => itemCluster[i] === c), itemRelease), itemWeight, itemRelease));
  const allItems = new Prefix(sortedBy(filterIds(I, () => true), itemRelease), itemWeight, itemRelease);
  const users = new Prefix(sortedBy(filterIds(U, () => true), userArrival), userWeight, userArrival);

  const cur = initialCluster.slice();
  const outU = new Int32Array(E);
  const outI = new Int32Array(E);
  const outT = new Float64Array(E);
  const userCluster = new Int32Array(E);
  const fromUser = new Uint8Array(E);
  const dU: number[] = [];
  const dT: number[] = [];
  const dF: number[] = [];
  const dTo: number[] = [];
  let t = p.startTime;
  const eventTime = new Float64Array(E);
  for (let e = 0; e < E; e++) {
    if (e > 0) t += -p.meanGap * Math.log(1 - rng());
    eventTime[e] = t;
    users.advance(e);
    allItems.advance(e);
    for (const b of byCluster) b.advance(e);
    const u = users.sample(rng);
    const own = rng() < p.affinity;
    const c = own ? cur[u] : randInt(rng, C);
    const pool = byCluster[c].count > 0 ? byCluster[c] : allItems;
    const i = pool.sample(rng);
    outU[e] = u;
    outI[e] = i;
    outT[e] = t;
    userCluster[e] = cur[u];
    fromUser[e] = own && pool !== allItems ? 1 : 0;
    if (C > 1 && rng() < p.driftRate) {
      const to = (cur[u] + 1 + randInt(rng, C - 1)) % C;
      dU.push(u);
      dT.push(t);
      dF.push(cur[u]);
      dTo.push(to);
      cur[u] = to;
    }
  }
  const toTime = (idx: Int32Array) => Float64Array.from(idx, (e) => eventTime[Math.min(e, E - 1)]);
  const interactions = { users: outU, items: outI, timestamps: outT, numUsers: U, numItems: I };
  const identity = (n: number) => IdMap.from(Array.from({ length: n }, (_, k) => k));
  return {
    interactions,
    users: identity(U),
    items: identity(I),
    stats: computeStats(interactions),
    truth: {
      numClusters: C,
      itemCluster,
      itemWeight,
      userCluster,
      fromUserCluster: fromUser,
      drift: { users: Int32Array.from(dU), times: Float64Array.from(dT), from: Int32Array.from(dF), to: Int32Array.from(dTo) },
      initialCluster,
      userArrival: toTime(userArrival),
      itemRelease: toTime(itemRelease),
      params: p,
    },
  };
}

/**
 * The cluster of `user` at time `time` according to the truth (its initial cluster, then each
 * recorded move at or before `time`).
 *
 * @example
 * ```ts
 * userClusterAt(s.truth, 7, s.interactions.timestamps![500]);
 * ```
 */
export function userClusterAt(truth: SyntheticTruth, user: number, time: number): number {
  let c = truth.initialCluster[user];
  const d = truth.drift;
  for (let k = 0; k < d.users.length && d.times[k] <= time; k++) if (d.users[k] === user) c = d.to[k];
  return c;
}

/** Ids in release order with a moving prefix of released ones and cumulative weights. */
class Prefix {
  readonly cum: Float64Array;
  count = 0;
  constructor(
    private readonly ids: Int32Array,
    weight: Float64Array,
    private readonly release: Int32Array,
  ) {
    this.cum = new Float64Array(ids.length);
    let s = 0;
    for (let k = 0; k < ids.length; k++) this.cum[k] = s += weight[ids[k]];
  }
  advance(e: number): void {
    while (this.count < this.ids.length && this.release[this.ids[this.count]] <= e) this.count++;
  }
  sample(rng: Rng): number {
    const r = rng() * this.cum[this.count - 1];
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return this.ids[lo];
  }
}

function permutation(n: number, rng: Rng): Int32Array {
  const a = Int32Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(rng() * (k + 1));
    [a[k], a[j]] = [a[j], a[k]];
  }
  return a;
}

function zipfWeights(n: number, s: number, rng: Rng): Float64Array {
  const rank = permutation(n, rng);
  return Float64Array.from(rank, (r) => 1 / (r + 1) ** s);
}

/** Event index at which each id appears: 0 for the initial ones, uniform for the new ones (never all new). */
function arrivals(n: number, fraction: number, events: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  const order = permutation(n, rng);
  const numNew = Math.min(n - 1, Math.round(fraction * n));
  for (let k = 0; k < numNew; k++) out[order[k]] = 1 + randInt(rng, Math.max(1, events - 1));
  return out;
}

function filterIds(n: number, keep: (id: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let k = 0; k < n; k++) if (keep(k)) out.push(k);
  return Int32Array.from(out);
}

function sortedBy(ids: Int32Array, key: Int32Array): Int32Array {
  return ids.sort((a, b) => key[a] - key[b] || a - b);
}

function resolve(o: SyntheticStreamOptions): Required<SyntheticStreamOptions> {
  const fn = 'syntheticStream';
  if (o == null || typeof o !== 'object') throw new Error(`${fn}: options must be an object with a seed, got ${String(o)}`);
  const p: Required<SyntheticStreamOptions> = {
    seed: o.seed,
    numUsers: o.numUsers ?? 2000,
    numItems: o.numItems ?? 1000,
    numEvents: o.numEvents ?? 100000,
    numClusters: o.numClusters ?? 10,
    zipf: o.zipf ?? 1,
    userZipf: o.userZipf ?? 0.5,
    affinity: o.affinity ?? 0.85,
    driftRate: o.driftRate ?? 0.02,
    newUserFraction: o.newUserFraction ?? 0.2,
    newItemFraction: o.newItemFraction ?? 0.1,
    startTime: o.startTime ?? 1.6e9,
    meanGap: o.meanGap ?? 60,
  };
  assertFinite(fn, 'seed', p.seed);
  assertInt(fn, 'numUsers', p.numUsers, 1);
  assertInt(fn, 'numItems', p.numItems, 1);
  assertInt(fn, 'numEvents', p.numEvents, 1);
  assertInt(fn, 'numClusters', p.numClusters, 1);
  if (p.numClusters > p.numItems) throw new Error(`${fn}: numClusters must be <= numItems (${p.numItems}), got ${p.numClusters}`);
  assertFinite(fn, 'zipf', p.zipf, 0);
  assertFinite(fn, 'userZipf', p.userZipf, 0);
  assertFinite(fn, 'affinity', p.affinity, 0, 1);
  assertFinite(fn, 'driftRate', p.driftRate, 0, 1);
  assertFinite(fn, 'newUserFraction', p.newUserFraction, 0, 1);
  assertFinite(fn, 'newItemFraction', p.newItemFraction, 0, 1);
  assertFinite(fn, 'startTime', p.startTime);
  assertFinite(fn, 'meanGap', p.meanGap, 0);
  return p;
}
