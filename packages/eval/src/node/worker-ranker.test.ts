/**
 * createWorkerRanker: ranking on a worker thread gives exactly the inline results. The test loads
 * the built `dist/node.cjs` (as users do): the thread runs the file beside it, dist/rank-worker.js.
 */
import * as path from 'node:path';
import { randInt, seededRng, UserItemSet, type Interactions, type Scorer } from '@memrec/core';
import { evaluateFull, scoringPieces } from '../full';
import type { WorkerRanker } from './index';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWorkerRanker } = require(path.join(__dirname, '../../dist/node.cjs')) as { createWorkerRanker: () => WorkerRanker };

const NUM_USERS = 300;
const NUM_ITEMS = 157;

function interactions(perUser: number, seed: number): Interactions {
  const rng = seededRng(seed);
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < NUM_USERS; u++) {
    for (let c = 1 + randInt(rng, perUser); c > 0; c--) {
      users.push(u);
      items.push(randInt(rng, NUM_ITEMS));
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items), numUsers: NUM_USERS, numItems: NUM_ITEMS };
}

/**
 * Seeded scores rounded to 1/8 (many ties); `nanUser` gets a NaN at item 5. With `offered`, the
 * scores go into the buffer the evaluator offers (recorded there), else into a new array.
 */
function scorer(kind: 'score' | 'distance', nanUser = -1, offered?: Float32Array[]): Scorer {
  return {
    numItems: NUM_ITEMS,
    kind,
    scoreAll(users: Int32Array, buffer?: Float32Array): Float32Array {
      if (offered != null && buffer != null) offered.push(buffer);
      const out = offered != null && buffer != null ? buffer.subarray(0, users.length * NUM_ITEMS) : new Float32Array(users.length * NUM_ITEMS);
      users.forEach((u, r) => {
        const rng = seededRng(1000 + u);
        for (let i = 0; i < NUM_ITEMS; i++) out[r * NUM_ITEMS + i] = Math.round(rng() * 8) / 8;
        if (u === nanUser) out[r * NUM_ITEMS + 5] = NaN;
      });
      return out;
    },
  };
}

describe('createWorkerRanker', () => {
  const seen = UserItemSet.fromInteractions(interactions(40, 1));
  const testSet = interactions(12, 2);
  let ranker: WorkerRanker;
  beforeAll(() => {
    ranker = createWorkerRanker();
  });
  afterAll(async () => {
    await ranker.close();
  });

  test.each([['score' as const], ['distance' as const]])('%s: metrics, per-user values and progress equal the inline ranking', async (kind) => {
    const progressInline: number[] = [];
    const progressWorker: number[] = [];
    const opts = { seen, k: [1, 5, 20], chunkSize: 37 };
    const a = await evaluateFull(scorer(kind), testSet, { ...opts, onProgress: (d) => progressInline.push(d) });
    const b = await evaluateFull(scorer(kind), testSet, { ...opts, ranker, onProgress: (d) => progressWorker.push(d) });
    expect(b.metrics).toEqual(a.metrics);
    expect(b.perUnit).toEqual(a.perUnit);
    expect(b.counts).toEqual(a.counts);
    // progress after each chunk inline, after each piece of scoringPieces with the worker
    const scored = a.counts.users + a.counts.skippedUsers;
    expect(progressInline).toEqual(scoringPieces(scored, 37, false).map((p) => p[1]));
    expect(progressWorker).toEqual(scoringPieces(scored, 37, true).map((p) => p[1]));
    // progress counts the users with test items (those whose test items are all training items
    // are scored and then skipped)
    expect(progressWorker[progressWorker.length - 1]).toBe(a.counts.users + a.counts.skippedUsers);
    expect(a.counts.skippedUsers).toBeGreaterThan(0);
    // the data are not degenerate: some users hit, some miss
    expect(a.metrics['hr@5']).toBeGreaterThan(0.05);
    expect(a.metrics['hr@5']).toBeLessThan(0.95);
  });

  test.each([['score' as const], ['distance' as const]])('%s: scored into the offered buffers (shared memory, no copy), the same results', async (kind) => {
    const opts = { seen, k: [1, 5, 20], chunkSize: 37 };
    const fresh = await evaluateFull(scorer(kind), testSet, opts);
    const inlineOffered: Float32Array[] = [];
    const workerOffered: Float32Array[] = [];
    const inline = await evaluateFull(scorer(kind, -1, inlineOffered), testSet, opts);
    const worker = await evaluateFull(scorer(kind, -1, workerOffered), testSet, { ...opts, ranker });
    for (const r of [inline, worker]) {
      expect(r.metrics).toEqual(fresh.metrics);
      expect(r.perUnit).toEqual(fresh.perUnit);
    }
    const scored = fresh.counts.users + fresh.counts.skippedUsers;
    const chunks = Math.ceil(scored / 37);
    expect(inlineOffered.length).toBe(chunks);
    // with a ranker on another thread the last users are scored in shrinking pieces
    const pieces = scoringPieces(scored, 37, true);
    expect(pieces).not.toEqual(scoringPieces(scored, 37, false));
    expect(workerOffered.map((b) => b.length / NUM_ITEMS)).toEqual(pieces.map(([a, b]) => b - a));
    // the inline evaluator alternates two buffers of its own; the worker ranker lends shared memory
    expect(new Set(inlineOffered.map((b) => b.buffer)).size).toBe(2);
    expect(workerOffered.every((b) => b.buffer instanceof SharedArrayBuffer)).toBe(true);
    expect(new Set(workerOffered.map((b) => b.buffer)).size).toBeLessThanOrEqual(3);
  });

  test('the metrics are added on the thread: jobs name its accumulator, answers carry counts only, the numbers equal those added on the calling thread', async () => {
    const opts = { seen, k: [1, 5, 20], chunkSize: 37 };
    const jobs: (number | undefined)[] = [];
    const answers: number[] = [];
    let opened = 0;
    const spy = {
      cleansRelevant: true,
      scoreBuffer: (n: number) => ranker.scoreBuffer(n),
      openAccumulator: (o: { k: number[]; numItems: number }) => (opened++, ranker.openAccumulator(o)),
      rank: async (job: Parameters<WorkerRanker['rank']>[0]) => {
        jobs.push(job.accumulator);
        const ranks = await ranker.rank(job);
        answers.push(ranks.top.length + ranks.positions.length);
        return ranks;
      },
    };
    // no openAccumulator: the calling thread adds the rows
    const here = { cleansRelevant: true, scoreBuffer: spy.scoreBuffer, rank: (job: Parameters<WorkerRanker['rank']>[0]) => ranker.rank(job) };
    const a = await evaluateFull(scorer('score', -1, []), testSet, { ...opts, ranker: here });
    const b = await evaluateFull(scorer('score', -1, []), testSet, { ...opts, ranker: spy });
    expect(b.metrics).toEqual(a.metrics);
    expect(b.perUnit).toEqual(a.perUnit);
    expect(b.counts).toEqual(a.counts);
    expect(opened).toBe(1);
    expect(jobs.length).toBeGreaterThan(3);
    expect(new Set(jobs).size).toBe(1);
    expect(jobs[0]).toEqual(expect.any(Number));
    expect(answers.every((n) => n === 0)).toBe(true);
  });

  test('accumulators: bad options are refused on the calling thread, finish once, a discarded or finished one is gone', async () => {
    expect(() => ranker.openAccumulator({ k: [0], numItems: 10 })).toThrow('MetricAccumulator: k must hold integers >= 1, got 0');
    const acc = ranker.openAccumulator({ k: [10], numItems: NUM_ITEMS });
    const empty = await acc.finish();
    expect(empty.count).toBe(0);
    expect(empty.metrics['hr@10']).toBe(0);
    await expect(acc.finish()).rejects.toThrow(`createWorkerRanker: accumulator ${acc.id} is already finished or discarded`);
    acc.discard();
    // a job naming a closed accumulator fails with a message naming it
    const users = Int32Array.of(0);
    const job = { scores: new Float32Array(NUM_ITEMS), numItems: NUM_ITEMS, rows: 1, exclude: () => new Int32Array(0), users, relevant: [], rawRelevant: { offsets: Int32Array.of(0, 1), items: Int32Array.of(3) }, distance: false, k: 10, accumulator: acc.id };
    await expect(ranker.rank(job)).rejects.toThrow(`job.accumulator must name an open accumulator, got ${acc.id}`);
    // still usable
    const again = await evaluateFull(scorer('score'), testSet, { seen, k: [10], ranker });
    expect(again.counts.users).toBeGreaterThan(0);
  });

  test('the worker copies the seen set once per version: a set changed between evaluations, or another set, is ranked right', async () => {
    const opts = { k: [1, 5, 20], chunkSize: 41 };
    const changing = UserItemSet.fromInteractions(interactions(40, 1));
    const other = UserItemSet.fromInteractions(interactions(30, 7));
    const check = async (set: UserItemSet) => {
      const a = await evaluateFull(scorer('score'), testSet, { ...opts, seen: set });
      const b = await evaluateFull(scorer('score', -1, []), testSet, { ...opts, seen: set, ranker });
      expect(b.perUnit).toEqual(a.perUnit);
      return a;
    };
    const first = await check(changing);
    // each user's top-scored unseen item becomes seen: every top list must move
    for (let u = 0; u < NUM_USERS; u++) {
      const row = scorer('score').scoreAll(Int32Array.of(u)) as Float32Array;
      let best = -1;
      for (let i = 0; i < NUM_ITEMS; i++) if (!changing.has(u, i) && (best < 0 || row[i] > row[best])) best = i;
      changing.add(u, best);
    }
    const second = await check(changing);
    expect(second.perUnit).not.toEqual(first.perUnit);
    await check(other);
    await check(changing);
  });

  test('a NaN score in an offered buffer is reported as inline', async () => {
    const nanUser = testSet.users[100];
    const opts = { seen, k: [10], chunkSize: 50, name: 'm' };
    const inline = await evaluateFull(scorer('score', nanUser), testSet, opts).catch((e: Error) => e.message);
    const worker = await evaluateFull(scorer('score', nanUser, []), testSet, { ...opts, ranker }).catch((e: Error) => e.message);
    expect(inline).toMatch(new RegExp(`user ${nanUser}\\b`));
    expect(worker).toBe(inline);
  });

  test('a NaN score is reported exactly as inline (model, user, item), and the ranker stays usable', async () => {
    const nanUser = testSet.users[100];
    const opts = { seen, k: [10], chunkSize: 50, name: 'm' };
    const inline = await evaluateFull(scorer('score', nanUser), testSet, opts).catch((e: Error) => e.message);
    const worker = await evaluateFull(scorer('score', nanUser), testSet, { ...opts, ranker }).catch((e: Error) => e.message);
    expect(inline).toMatch(new RegExp(`user ${nanUser}\\b`));
    expect(worker).toBe(inline);
    const again = await evaluateFull(scorer('score'), testSet, { ...opts, ranker });
    expect(again.counts.users).toBeGreaterThan(0);
  });

  test('a scorer that fails mid-way: the error comes through, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const base = scorer('score');
      let calls = 0;
      const failing: Scorer = { numItems: NUM_ITEMS, scoreAll: (u) => (++calls === 3 ? Promise.reject(new Error('boom')) : base.scoreAll(u)) };
      await expect(evaluateFull(failing, testSet, { seen, k: [10], chunkSize: 20, ranker })).rejects.toThrow('boom');
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('after close, rank rejects with a clear error; close twice is fine', async () => {
    const r = createWorkerRanker();
    await r.close();
    await r.close();
    await expect(evaluateFull(scorer('score'), testSet, { seen, k: [10], ranker: r })).rejects.toThrow('createWorkerRanker: closed');
  });

  test('evaluateFull rejects a ranker without a rank method', async () => {
    await expect(evaluateFull(scorer('score'), testSet, { seen, k: [10], ranker: {} as never })).rejects.toThrow('evaluateFull: ranker must have a rank(job) method, got object');
  });
});

describe('evaluation units sent once (unitsStart, shareUnits)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { unitsStart, shareUnits } = require('./flat-job') as typeof import('./flat-job');
  const units = { users: Int32Array.of(2, 4, 6, 8, 9), offsets: Int32Array.of(0, 2, 3, 5, 6, 8), items: Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
  const job = (users: Int32Array, offsets: Int32Array, items = units.items) => ({ scores: new Float32Array(0), numItems: 10, rows: users.length, exclude: () => new Int32Array(0), users, relevant: [], rawRelevant: { offsets, items }, distance: false, k: 1 });

  test('a job of views into the units travels as its start; anything else as lists', () => {
    expect(unitsStart(units, job(units.users.subarray(1, 4), units.offsets.subarray(1, 5)))).toBe(1);
    expect(unitsStart(units, job(units.users.subarray(0, 5), units.offsets))).toBe(0);
    // copies, a mismatched range, other items: not from the units
    expect(unitsStart(units, job(units.users.slice(1, 4), units.offsets.subarray(1, 5)))).toBeUndefined();
    expect(unitsStart(units, job(units.users.subarray(1, 4), units.offsets.subarray(2, 6)))).toBeUndefined();
    expect(unitsStart(units, job(units.users.subarray(1, 4), units.offsets.subarray(1, 4)))).toBeUndefined();
    expect(unitsStart(units, job(units.users.subarray(1, 4), units.offsets.subarray(1, 5), units.items.slice()))).toBeUndefined();
  });

  test('shareUnits copies into shared memory, values equal', () => {
    const shared = shareUnits(units);
    for (const key of ['users', 'offsets', 'items'] as const) {
      expect(shared[key].buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(shared[key])).toEqual(Array.from(units[key]));
    }
    expect(shareUnits({ users: new Int32Array(0), offsets: Int32Array.of(0), items: new Int32Array(0) }).users.length).toBe(0);
  });
});
