import { seededRng, UserItemSet, type Interactions, type Rng, type Scorer } from '@memrec/core';
import { checkOptionKeys } from '@memrec/core/internal';
import { MetricAccumulator, type PerUnitValues } from './accumulator';
import { sampleExcluding } from './candidates';
import { checkInteractions, checkK, nanError, sortedDifference, TIE_BREAK, type EvaluationCounts, type EvaluationResult } from './common';
import { scoreLists } from './sampled';
import { findNaN, prepareRow, rankCandidates, ranksPrepared, topKPrepared } from './topk';

/**
 * What {@link evaluateStream} needs of a model: the scoring part of core's `Recommender` contract
 * and its `observe`. Every `Recommender` (e.g. the models of `@memrec/models`) is one: pass it directly.
 */
export type StreamModel = Scorer & { observe(events: Interactions): void | Promise<void> };

/** Options of {@link evaluateStream}. */
export interface StreamEvalOptions {
  /** Items each user interacted with before the first block (copied, never modified). */
  seen?: UserItemSet;
  k: number[];
  /** `'full'`: rank the true item against every item not seen before; `'sampled-N'`: against N such items. */
  mode: 'full' | `sampled-${number}`;
  /** Seed of the sampled-N draws (default 0). */
  seed?: number;
  /** Test-then-train on each event instead of each block (slow; default false). */
  perEvent?: boolean;
  /** Events per sliding window (default 1000). */
  window?: number;
  /** Events between window ends (default window / 10, at least 1). */
  windowStride?: number;
  /** Distinct users scored per `scoreAll` call (default 256); each user is scored once per chunk. */
  chunkSize?: number;
  /** Model name used in error messages. */
  name?: string;
  /**
   * Per block, 1 where the event is scored and 0 where it only updates the model and the seen
   * set (e.g. `streamSplit`'s `evaluable`: events whose user or item is new to their block).
   * Default: every event is scored.
   */
  evaluable?: Uint8Array[];
}

const STREAM_OPTIONS = ['seen', 'k', 'mode', 'seed', 'perEvent', 'window', 'windowStride', 'chunkSize', 'name', 'evaluable'];

/** Sliding-window means over events, in event order. */
export interface StreamWindow {
  size: number;
  stride: number;
  /** Index (exclusive) of the last event of each window. */
  ends: Int32Array;
  values: Record<string, Float64Array>;
}

/** What {@link evaluateStream} returns: cumulative metrics, per-block metrics and windows. */
export interface StreamEvaluationResult extends EvaluationResult {
  /** Per block: metrics over its scored events; `counts.units` scored, `counts.skippedEvents` not scored. */
  blocks: { metrics: Record<string, number>; counts: EvaluationCounts }[];
  window: StreamWindow;
}

/**
 * The **stream** protocol (prequential, test-then-train): for each block in time order, every
 * event (u, i) is first ranked against the current model (the true item i among the items u had
 * not interacted with before this event, i itself always kept; full catalogue or sampled-N), then
 * the block goes to `model.observe` and into the seen set. With `perEvent`, the model observes
 * each event right after it is ranked. Each event is one unit: cumulative metrics over all
 * events, per-block metrics, and sliding-window means.
 *
 * @example
 * ```ts
 * const res = await evaluateStream(nmrn, blocks, { seen: UserItemSet.fromInteractions(train), k: [10], mode: 'full' });
 * res.blocks.map((b) => b.metrics['hr@10']);
 * ```
 */
export async function evaluateStream(model: StreamModel, blocks: Interactions[], options: StreamEvalOptions): Promise<StreamEvaluationResult> {
  const fn = 'evaluateStream';
  const scorer: Scorer = model;
  if (model == null || typeof model.scoreAll !== 'function' || typeof model.observe !== 'function') {
    throw new Error(`${fn}: model must be a Recommender (numItems, scoreAll and observe(batch)), got ${model == null ? String(model) : typeof model}`);
  }
  if (!Array.isArray(blocks) || blocks.length === 0) throw new Error(`${fn}: blocks must be a non-empty array of Interactions, got ${Array.isArray(blocks) ? 'an empty array' : typeof blocks}`);
  const mode = options.mode;
  const sampledN = mode === 'full' ? 0 : Number(/^sampled-(\d+)$/.exec(String(mode))?.[1] ?? NaN);
  if (!(mode === 'full' || (Number.isInteger(sampledN) && sampledN >= 1))) throw new Error(`${fn}: mode must be "full" or "sampled-N" with N >= 1, got ${JSON.stringify(mode)}`);
  const ks = checkK(fn, options.k, sampledN > 0 ? Math.min(scorer.numItems, sampledN + 1) : scorer.numItems);
  checkOptionKeys(fn, options, STREAM_OPTIONS, false);
  if (options.evaluable !== undefined) {
    const ev = options.evaluable;
    if (!Array.isArray(ev) || ev.length !== blocks.length) throw new Error(`${fn}: evaluable must be an array of ${blocks.length} Uint8Arrays (one per block), got ${Array.isArray(ev) ? `${ev.length} entries` : typeof ev}`);
    ev.forEach((m, b) => {
      if (!(m instanceof Uint8Array) || m.length !== blocks[b]?.users?.length) throw new Error(`${fn}: evaluable[${b}] must be a Uint8Array of the block's ${blocks[b]?.users?.length} events, got ${m instanceof Uint8Array ? `length ${m.length}` : typeof m}`);
    });
  }
  const win = options.window ?? 1000;
  const stride = options.windowStride ?? Math.max(1, Math.floor(win / 10));
  const chunkSize = options.perEvent ? 1 : (options.chunkSize ?? 256);
  for (const [arg, v] of [['window', win], ['windowStride', stride], ['chunkSize', chunkSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${fn}: ${arg} must be an integer >= 1, got ${v}`);
  }
  const name = options.name ?? 'model';
  const seen = new UserItemSet(0, 0);
  if (options.seen) for (let u = 0; u < options.seen.numUsers; u++) for (const i of options.seen.itemsOf(u)) seen.add(u, i);
  const rng = seededRng(options.seed ?? 0);
  const maxK = ks[ks.length - 1];
  const total = new MetricAccumulator({ k: ks, numItems: scorer.numItems });
  const blockResults: StreamEvaluationResult['blocks'] = [];
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b];
    checkInteractions(fn, `blocks[${b}]`, block, scorer.numItems, true);
    const mask = options.evaluable?.[b];
    const acc = new MetricAccumulator({ k: ks, numItems: scorer.numItems });
    const step = { fn, name, scorer, seen, ks, maxK, sampledN, rng, accs: [acc, total] };
    if (!options.perEvent && sampledN === 0) {
      await rankBlockFull(step, block.users, block.items, chunkSize, mask);
    } else {
      for (let e0 = 0; e0 < block.users.length; ) {
        // A chunk holds up to `chunkSize` distinct users (each scored once), or one event in perEvent mode.
        const e1 = options.perEvent ? e0 + 1 : chunkEnd(block.users, e0, chunkSize);
        await rankEvents(step, block.users.subarray(e0, e1), block.items.subarray(e0, e1), mask?.subarray(e0, e1));
        if (options.perEvent) await model.observe(slice(block, e0, e1));
        e0 = e1;
      }
    }
    if (!options.perEvent) await model.observe(block);
    const users = new Set(mask ? block.users.filter((_u, e) => mask[e]) : block.users).size;
    blockResults.push({ metrics: acc.result(), counts: { units: acc.count, users, skippedUsers: 0, droppedRelevant: 0, skippedEvents: block.users.length - acc.count } });
  }
  const perUnit = total.perUnit();
  const skippedEvents = blockResults.reduce((a, r) => a + (r.counts.skippedEvents ?? 0), 0);
  return {
    metrics: total.result(),
    perUnit,
    counts: { units: total.count, users: new Set(perUnit.users).size, skippedUsers: 0, droppedRelevant: 0, skippedEvents },
    setup: {
      protocol: `stream (${mode})`,
      k: ks,
      candidates: sampledN > 0 ? `the true item and ${sampledN} items the user had not interacted with before the event, drawn uniformly (seed ${options.seed ?? 0})` : 'every item the user had not interacted with before the event, the true item included',
      seenFiltering: 'items the user interacted with before the event (initial seen set and earlier events) excluded, except the true item',
      tieBreak: TIE_BREAK,
      scored: options.evaluable
        ? `events marked evaluable (${total.count} scored, ${skippedEvents} not scored but used to update the model and the seen set)`
        : `every event (${total.count})`,
      params: {
        blocks: blocks.length, perEvent: Boolean(options.perEvent), window: win, windowStride: stride, chunkSize, scoredEvents: total.count, skippedEvents,
        scoredPerBlock: blockResults.map((r) => r.counts.units).join(' / '),
        skippedPerBlock: blockResults.map((r) => r.counts.skippedEvents ?? 0).join(' / '),
      },
    },
    blocks: blockResults,
    window: slidingWindow(perUnit, win, stride),
  };
}

interface Step {
  fn: string;
  name: string;
  scorer: Scorer;
  seen: UserItemSet;
  ks: number[];
  maxK: number;
  sampledN: number;
  rng: Rng;
  accs: MetricAccumulator[];
}

/**
 * Full-catalogue ranking of a whole block against a model that does not change inside it: each
 * distinct user of the block is scored exactly once (chunks of `chunkSize` users), each user's
 * events are ranked in event order (the seen set grows per event), and the units reach the
 * accumulators in event order (so sliding windows follow time).
 */
async function rankBlockFull(s: Step, users: Int32Array, items: Int32Array, chunkSize: number, mask?: Uint8Array): Promise<void> {
  const numItems = s.scorer.numItems;
  const distance = s.scorer.kind === 'distance';
  const n = users.length;
  // events of each distinct user, in event order
  const firstSeen = new Map<number, number[]>();
  const scoredUsers = new Set<number>();
  for (let e = 0; e < n; e++) {
    const list = firstSeen.get(users[e]);
    if (list) list.push(e);
    else firstSeen.set(users[e], [e]);
    if (!mask || mask[e]) scoredUsers.add(users[e]);
  }
  // users with no scored event only take their events into the seen set
  for (const [u, list] of firstSeen) if (!scoredUsers.has(u)) for (const e of list) s.seen.add(u, items[e]);
  const distinct = Int32Array.from(scoredUsers);
  const tops = new Int32Array(n * s.maxK);
  const got = new Int32Array(n);
  const positions = new Int32Array(n);
  const ranked = new Int32Array(n);
  const keys = new Float32Array(numItems);
  const heapVals = new Float64Array(s.maxK);
  const heapIds = new Int32Array(s.maxK);
  const pos = new Int32Array(1);
  for (let c0 = 0; c0 < distinct.length; c0 += chunkSize) {
    const chunk = distinct.subarray(c0, Math.min(distinct.length, c0 + chunkSize));
    const scores = await s.scorer.scoreAll(chunk);
    if (!(scores instanceof Float32Array) || scores.length !== chunk.length * numItems) {
      throw new Error(`${s.fn}: scoreAll of model ${JSON.stringify(s.name)} must return a Float32Array of ${chunk.length} x ${numItems}, got length ${scores?.length}`);
    }
    for (let r = 0; r < chunk.length; r++) {
      const u = chunk[r];
      const row = scores.subarray(r * numItems, (r + 1) * numItems);
      const bad = findNaN(row);
      if (bad >= 0) throw nanError(s.fn, s.name, u, bad);
      for (const e of firstSeen.get(u) as number[]) {
        const i = items[e];
        if (mask && !mask[e]) {
          s.seen.add(u, i);
          continue;
        }
        const exclude = sortedDifference(s.seen.itemsOf(u), Int32Array.of(i));
        ranked[e] = prepareRow(row, exclude, distance, keys);
        got[e] = topKPrepared(keys, s.maxK, tops.subarray(e * s.maxK, (e + 1) * s.maxK), heapVals, heapIds);
        ranksPrepared(keys, Int32Array.of(i), pos);
        positions[e] = pos[0];
        s.seen.add(u, i);
      }
    }
  }
  for (let e = 0; e < n; e++) {
    if (mask && !mask[e]) continue;
    const unit = { user: users[e], topK: tops.subarray(e * s.maxK, e * s.maxK + got[e]), positions: positions.subarray(e, e + 1), numRelevant: 1, numRanked: ranked[e] };
    for (const acc of s.accs) acc.add(unit);
  }
}

/** Ranks each event against the model's current scores, then marks it seen (in event order). */
async function rankEvents(s: Step, users: Int32Array, items: Int32Array, mask?: Uint8Array): Promise<void> {
  const numItems = s.scorer.numItems;
  const distance = s.scorer.kind === 'distance';
  const top = new Int32Array(s.maxK);
  const pos = new Int32Array(1);
  if (s.sampledN === 0) {
    // Score each distinct user of the chunk once; events point at their user's row.
    const rowOf = new Map<number, number>();
    users.forEach((u, r) => {
      if ((!mask || mask[r]) && !rowOf.has(u)) rowOf.set(u, rowOf.size);
    });
    const distinct = Int32Array.from(rowOf.keys());
    const scores = await s.scorer.scoreAll(distinct);
    if (!(scores instanceof Float32Array) || scores.length !== distinct.length * numItems) {
      throw new Error(`${s.fn}: scoreAll of model ${JSON.stringify(s.name)} must return a Float32Array of ${distinct.length} x ${numItems}, got length ${scores?.length}`);
    }
    const keys = new Float32Array(numItems);
    const heapVals = new Float64Array(s.maxK);
    const heapIds = new Int32Array(s.maxK);
    for (let r = 0; r < users.length; r++) {
      const u = users[r];
      const i = items[r];
      if (mask && !mask[r]) {
        s.seen.add(u, i);
        continue;
      }
      const at = rowOf.get(u) as number;
      const row = scores.subarray(at * numItems, (at + 1) * numItems);
      const bad = findNaN(row);
      if (bad >= 0) throw nanError(s.fn, s.name, u, bad);
      const exclude = sortedDifference(s.seen.itemsOf(u), Int32Array.of(i));
      const numRanked = prepareRow(row, exclude, distance, keys);
      const got = topKPrepared(keys, s.maxK, top, heapVals, heapIds);
      ranksPrepared(keys, Int32Array.of(i), pos);
      for (const acc of s.accs) acc.add({ user: u, topK: top.subarray(0, got), positions: pos, numRelevant: 1, numRanked });
      s.seen.add(u, i);
    }
    return;
  }
  // sampled-N: draw each event's candidates against the seen set as it stands before the event.
  const n = s.sampledN;
  if (mask) {
    // runs of scored events are ranked together; an event not scored only joins the seen set, in event order
    for (let r0 = 0; r0 < users.length; ) {
      if (!mask[r0]) {
        s.seen.add(users[r0], items[r0]);
        r0++;
        continue;
      }
      let r1 = r0;
      while (r1 < users.length && mask[r1]) r1++;
      await rankEvents(s, users.subarray(r0, r1), items.subarray(r0, r1));
      r0 = r1;
    }
    return;
  }
  const us = new Int32Array(users.length * (n + 1));
  const is = new Int32Array(users.length * (n + 1));
  for (let r = 0; r < users.length; r++) {
    const u = users[r];
    us.fill(u, r * (n + 1), (r + 1) * (n + 1));
    is[r * (n + 1)] = items[r];
    if (!sampleExcluding(s.rng, n, numItems, s.seen.itemsOf(u), items[r], is.subarray(r * (n + 1) + 1, (r + 1) * (n + 1)))) {
      throw new Error(`${s.fn}: user ${u} must have at least N = ${n} items not interacted with before the event, got fewer`);
    }
    s.seen.add(u, items[r]); // later events of the chunk see this one as interacted with
  }
  const vals = await scoreLists(s.fn, s.name, s.scorer, us, is, numItems);
  for (let r = 0; r < users.length; r++) {
    const v = vals.subarray(r * (n + 1), (r + 1) * (n + 1));
    const bad = findNaN(v);
    if (bad >= 0) throw nanError(s.fn, s.name, users[r], is[r * (n + 1) + bad]);
    pos[0] = rankCandidates(v, is.subarray(r * (n + 1), (r + 1) * (n + 1)), 0, distance, s.maxK, top);
    for (const acc of s.accs) acc.add({ user: users[r], topK: top.subarray(0, Math.min(s.maxK, n + 1)), positions: pos, numRelevant: 1, numRanked: n + 1 });
  }
}

/** End (exclusive) of the chunk starting at `start` that holds at most `maxUsers` distinct users. */
function chunkEnd(users: Int32Array, start: number, maxUsers: number): number {
  const set = new Set<number>();
  let e = start;
  for (; e < users.length; e++) {
    if (!set.has(users[e])) {
      if (set.size === maxUsers) break;
      set.add(users[e]);
    }
  }
  return e;
}

function slice(block: Interactions, a: number, b: number): Interactions {
  return {
    users: block.users.subarray(a, b),
    items: block.items.subarray(a, b),
    timestamps: block.timestamps?.subarray(a, b),
    ratings: block.ratings?.subarray(a, b),
    numUsers: block.numUsers,
    numItems: block.numItems,
  };
}

/** Means of each per-event metric over windows of `size` events ending every `stride` events. */
export function slidingWindow(per: PerUnitValues, size: number, stride: number): StreamWindow {
  const n = per.users.length;
  const ends: number[] = [];
  if (n > 0) {
    for (let e = Math.min(size, n); e < n; e += stride) ends.push(e);
    ends.push(n);
  }
  const values: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(per.values)) {
    const prefix = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) prefix[j + 1] = prefix[j] + col[j];
    values[name] = Float64Array.from(ends, (e) => {
      const s = Math.max(0, e - size);
      return (prefix[e] - prefix[s]) / (e - s);
    });
  }
  return { size, stride, ends: Int32Array.from(ends), values };
}
