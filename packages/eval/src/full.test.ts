import { UserItemSet, seededRng, randInt, type Interactions, type Scorer } from '@memrec/core';
import { evaluateFull, scoringPieces } from './full';
import { inlineChunkRanker, type ChunkRanker } from './chunk-ranker';
import { auc, averagePrecision, hitRate, mrr, ndcg, recall } from './metrics';

const I = (users: number[], items: number[], numUsers: number, numItems: number): Interactions => ({
  users: Int32Array.from(users),
  items: Int32Array.from(items),
  numUsers,
  numItems,
});

/** A scorer over a fixed [users, items] matrix; records the chunk sizes it was asked for. */
function matrixScorer(m: number[][], kind: 'score' | 'distance' = 'score'): Scorer & { calls: number[] } {
  const numItems = m[0].length;
  const calls: number[] = [];
  return {
    numItems,
    kind,
    calls,
    scoreAll(users: Int32Array) {
      calls.push(users.length);
      const out = new Float32Array(users.length * numItems);
      users.forEach((u, r) => out.set(m[u], r * numItems));
      return out;
    },
  };
}

describe('evaluateFull', () => {
  // 3 users x 5 items.
  const scores = [
    [0.9, 0.8, 0.7, 0.6, 0.5], // user 0
    [0.1, 0.5, 0.5, 0.9, 0.2], // user 1 (tie between items 1 and 2)
    [0.3, 0.3, 0.3, 0.3, 0.3], // user 2 (all tied)
  ];
  const train = I([0, 1], [0, 3], 3, 5);
  const testSet = I([0, 1, 2], [2, 2, 4], 3, 5);

  test('hand-checked tiny case (training items excluded, ties to the lower id)', async () => {
    const res = await evaluateFull(matrixScorer(scores), testSet, { seen: UserItemSet.fromInteractions(train), k: [1, 2] });
    // user 0: item 0 excluded -> ranking 1,2,3,4; test item 2 at position 1 (of 4 ranked)
    // user 1: item 3 excluded -> ranking 1,2 (tie, lower id first),4,0; item 2 at position 1
    // user 2: all tied -> ranking 0,1,2,3,4; item 4 at position 4 (of 5)
    expect(res.metrics['hr@1']).toBe(0);
    expect(res.metrics['hr@2']).toBeCloseTo(2 / 3, 12);
    expect(res.metrics['ndcg@2']).toBeCloseTo((2 / Math.log2(3)) / 3, 12);
    expect(res.metrics.mrr).toBeCloseTo((1 / 2 + 1 / 2 + 1 / 5) / 3, 12);
    // auc: (4-1-1)/3, (4-1-1)/3, (5-1-4)/4
    expect(res.metrics.auc).toBeCloseTo((2 / 3 + 2 / 3 + 0) / 3, 12);
    // top-2 lists {1,2}, {1,2}, {0,1} -> 3 of 5; top-1 {1}, {1}, {0} -> 2 of 5
    expect(res.metrics['coverage@2']).toBeCloseTo(3 / 5, 12);
    expect(res.metrics['coverage@1']).toBeCloseTo(2 / 5, 12);
    expect(res.counts).toEqual({ units: 3, users: 3, skippedUsers: 0, droppedRelevant: 0 });
    expect(res.setup.protocol).toBe('full');
  });

  test('distance scorers rank the smallest value first', async () => {
    const neg = scores.map((r) => r.map((v) => -v));
    const a = await evaluateFull(matrixScorer(scores), testSet, { seen: UserItemSet.fromInteractions(train), k: [2] });
    const b = await evaluateFull(matrixScorer(neg, 'distance'), testSet, { seen: UserItemSet.fromInteractions(train), k: [2] });
    expect(b.metrics).toEqual(a.metrics);
  });

  test('results do not depend on the chunk size, and equal a full-sort reference', async () => {
    const rng = seededRng(3);
    const U = 23;
    const N = 40;
    const m = Array.from({ length: U }, () => Array.from({ length: N }, () => randInt(rng, 8) / 8));
    const tr: number[][] = [[], []];
    const te: number[][] = [[], []];
    for (let u = 0; u < U; u++) {
      for (let j = 0; j < N; j++) {
        const r = rng();
        if (r < 0.2) {
          tr[0].push(u);
          tr[1].push(j);
        } else if (r < 0.3) {
          te[0].push(u);
          te[1].push(j);
        }
      }
    }
    const train2 = I(tr[0], tr[1], U, N);
    const test2 = I(te[0], te[1], U, N);
    const seen = UserItemSet.fromInteractions(train2);
    const runs = [];
    for (const chunkSize of [1, 4, 7, 100]) {
      const scorer = matrixScorer(m);
      runs.push(await evaluateFull(scorer, test2, { seen, k: [3, 10], chunkSize }));
      expect(Math.max(...scorer.calls)).toBeLessThanOrEqual(chunkSize);
    }
    for (const r of runs.slice(1)) {
      expect(r.metrics).toEqual(runs[0].metrics);
      expect(r.perUnit).toEqual(runs[0].perUnit);
    }
    // reference: full sort per user, then the per-list metric functions
    let hr = 0;
    let nd = 0;
    let rr = 0;
    let ap = 0;
    let au = 0;
    let rc = 0;
    const users = runs[0].perUnit.users;
    for (const u of users) {
      const cand = Array.from({ length: N }, (_, j) => j).filter((j) => !seen.has(u, j));
      cand.sort((a, b) => (m[u][a] !== m[u][b] ? m[u][b] - m[u][a] : a - b));
      const list = Int32Array.from(cand);
      const rel = new Set(te[1].filter((_, r) => te[0][r] === u));
      hr += hitRate(list, rel, 3);
      nd += ndcg(list, rel, 10);
      rc += recall(list, rel, 10);
      rr += mrr(list, rel);
      ap += averagePrecision(list, rel);
      au += auc(list, rel);
    }
    const n = users.length;
    expect(runs[0].metrics['hr@3']).toBeCloseTo(hr / n, 12);
    expect(runs[0].metrics['ndcg@10']).toBeCloseTo(nd / n, 12);
    expect(runs[0].metrics['recall@10']).toBeCloseTo(rc / n, 12);
    expect(runs[0].metrics.mrr).toBeCloseTo(rr / n, 12);
    expect(runs[0].metrics.map).toBeCloseTo(ap / n, 12);
    expect(runs[0].metrics.auc).toBeCloseTo(au / n, 12);
  });

  test('drops test items that are training items and skips users left with none (counted)', async () => {
    // user 0's test item 0 is a training item; user 1 keeps item 2 but drops item 3.
    const t = I([0, 1, 1], [0, 2, 3], 3, 5);
    const res = await evaluateFull(matrixScorer(scores), t, { seen: UserItemSet.fromInteractions(train), k: [1] });
    expect(res.counts).toEqual({ units: 1, users: 1, skippedUsers: 1, droppedRelevant: 2 });
    expect(Array.from(res.perUnit.users)).toEqual([1]);
  });

  test('test items in any order and repeated count once; counts match a set-based reference (seeded)', async () => {
    const rng = seededRng(17);
    const numUsers = 30;
    const numItems = 80;
    const m = Array.from({ length: numUsers }, () => Array.from({ length: numItems }, () => randInt(rng, 7)));
    const trainPairs: [number, number][] = [];
    const testPairs: [number, number][] = [];
    for (let u = 0; u < numUsers; u++) {
      for (let c = randInt(rng, 20); c > 0; c--) trainPairs.push([u, randInt(rng, numItems)]);
      // some users get more than 32 test rows, with repeats
      for (let c = rng() < 0.2 ? 40 + randInt(rng, 30) : randInt(rng, 6); c > 0; c--) testPairs.push([u, randInt(rng, numItems)]);
    }
    for (let i = testPairs.length - 1; i > 0; i--) {
      const j = randInt(rng, i + 1);
      [testPairs[i], testPairs[j]] = [testPairs[j], testPairs[i]];
    }
    const seen = UserItemSet.fromInteractions(I(trainPairs.map((p) => p[0]), trainPairs.map((p) => p[1]), numUsers, numItems));
    const res = await evaluateFull(matrixScorer(m), I(testPairs.map((p) => p[0]), testPairs.map((p) => p[1]), numUsers, numItems), { seen, k: [5] });
    // reference: distinct (user, item) pairs, minus training pairs
    const distinct = new Map<number, Set<number>>();
    for (const [u, i] of testPairs) distinct.set(u, (distinct.get(u) ?? new Set()).add(i));
    let dropped = 0;
    let skipped = 0;
    const kept: [number, number][] = [];
    for (const u of [...distinct.keys()].sort((a, b) => a - b)) {
      const rel = [...(distinct.get(u) as Set<number>)].filter((i) => !seen.has(u, i)).sort((a, b) => a - b);
      dropped += (distinct.get(u) as Set<number>).size - rel.length;
      if (rel.length === 0) skipped++;
      for (const i of rel) kept.push([u, i]);
    }
    const users = [...new Set(kept.map((p) => p[0]))];
    expect(res.counts).toEqual({ units: users.length, users: users.length, skippedUsers: skipped, droppedRelevant: dropped });
    expect(Array.from(res.perUnit.users)).toEqual(users);
    // the same numbers as for the clean test set (sorted, distinct, no training items)
    const clean = await evaluateFull(matrixScorer(m), I(kept.map((p) => p[0]), kept.map((p) => p[1]), numUsers, numItems), { seen, k: [5] });
    expect(res.metrics).toEqual(clean.metrics);
    // the default ranker cleans the test items itself (ChunkJob.rawRelevant); a ranker that does
    // not declare cleansRelevant gets lists cleaned by the evaluator: the same numbers, counts and
    // progress either way
    const inline = inlineChunkRanker();
    expect(inline.cleansRelevant).toBe(true);
    const jobs: { raw: boolean; relevant: number }[] = [];
    const plain: ChunkRanker = {
      rank: (job) => {
        jobs.push({ raw: job.rawRelevant != null, relevant: job.relevant.length });
        return inline.rank({ ...job });
      },
    };
    const rawJobs: boolean[] = [];
    const rawRanker: ChunkRanker = { cleansRelevant: true, rank: (job) => (rawJobs.push(job.rawRelevant != null && job.relevant.length === 0), inline.rank(job)) };
    const progress: number[][] = [[], []];
    const viaPlain = await evaluateFull(matrixScorer(m), I(testPairs.map((p) => p[0]), testPairs.map((p) => p[1]), numUsers, numItems), { seen, k: [5], chunkSize: 7, ranker: plain, onProgress: (d, t) => progress[0].push(d, t) });
    const viaRaw = await evaluateFull(matrixScorer(m), I(testPairs.map((p) => p[0]), testPairs.map((p) => p[1]), numUsers, numItems), { seen, k: [5], chunkSize: 7, ranker: rawRanker, onProgress: (d, t) => progress[1].push(d, t) });
    expect(jobs.every((j) => !j.raw && j.relevant > 0)).toBe(true);
    expect(rawJobs.length).toBeGreaterThan(1);
    expect(rawJobs.every(Boolean)).toBe(true);
    for (const r of [viaPlain, viaRaw]) {
      expect(r.metrics).toEqual(res.metrics);
      expect(r.perUnit).toEqual(res.perUnit);
      expect(r.counts).toEqual(res.counts);
    }
    // progress counts users with test items: those the raw path scores (skipped ones included)
    expect(progress[0][progress[0].length - 1]).toBe(users.length);
    expect(progress[1][progress[1].length - 1]).toBe(users.length + skipped);
  });

  test('scoringPieces: chunks, then (with a ranker elsewhere) the last users in pieces shrinking by 5/8', () => {
    const check = (n: number, c: number, tail: boolean) => {
      const p = scoringPieces(n, c, tail);
      // contiguous, covering [0, n), none larger than a chunk
      expect(p[0][0]).toBe(0);
      expect(p[p.length - 1][1]).toBe(n);
      for (let i = 1; i < p.length; i++) expect(p[i][0]).toBe(p[i - 1][1]);
      for (const [a, b] of p) {
        expect(b).toBeGreaterThan(a);
        expect(b - a).toBeLessThanOrEqual(c);
      }
      return p.map(([a, b]) => b - a);
    };
    // 6,040 users in chunks of 512: a partial chunk first, whole chunks, then 320, 200, 125, 79, 50, 32, 20
    expect(check(6040, 512, true)).toEqual([94, ...Array(10).fill(512), 320, 200, 125, 79, 50, 32, 20]);
    expect(check(6040, 512, false)).toEqual([...Array(11).fill(512), 408]);
    // one chunk or less: never split
    expect(check(100, 256, true)).toEqual([100]);
    expect(check(256, 256, true)).toEqual([256]);
    // fewer users than the whole tail: its largest pieces are left out
    // (160 + 100 + 63 + 40 + 25 + 16 = 404 >= 300: the 160 goes, 56 users are left for the head)
    expect(check(300, 256, true)).toEqual([56, 100, 63, 40, 25, 16]);
    for (let n = 1; n < 700; n += 37) check(n, 64, true);
  });

  test('reports progress per chunk', async () => {
    const seen = UserItemSet.fromInteractions(train);
    const progress: [number, number][] = [];
    await evaluateFull(matrixScorer(scores), testSet, { seen, k: [1], chunkSize: 2, onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([
      [2, 3],
      [3, 3],
    ]);
  });

  test('bad input: empty test, k too large, NaN scores, wrong score length', async () => {
    const seen = UserItemSet.fromInteractions(train);
    await expect(evaluateFull(matrixScorer(scores), I([], [], 3, 5), { seen, k: [1] })).rejects.toThrow('evaluateFull: test must hold at least one interaction, got an empty set');
    await expect(evaluateFull(matrixScorer(scores), testSet, { seen, k: [6] })).rejects.toThrow('evaluateFull: k must be <= the number of items (5), got 6');
    const nan = scores.map((r) => [...r]);
    nan[1][4] = NaN;
    await expect(evaluateFull(matrixScorer(nan), testSet, { seen, k: [1], name: 'bpr' })).rejects.toThrow('evaluateFull: scores of model "bpr" for user 1 must not be NaN, got NaN at item 4');
    const short: Scorer = { numItems: 5, scoreAll: () => new Float32Array(3) };
    await expect(evaluateFull(short, testSet, { seen, k: [1] })).rejects.toThrow('must return a Float32Array of 3 x 5, got length 3');
    await expect(evaluateFull(matrixScorer(scores), I([0], [7], 3, 8), { seen, k: [1] })).rejects.toThrow('evaluateFull: test.items[0] must be an item id in [0, 5)');
  });
});
