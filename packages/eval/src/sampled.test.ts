import { UserItemSet, type Interactions, type Scorer } from '@memrec/core';
import { candidatesFromLists, sampleCandidates } from './candidates';
import { loadCandidates, saveCandidates } from './candidates-io';
import { evaluateSampled } from './sampled';

const I = (users: number[], items: number[], numUsers: number, numItems: number): Interactions => ({ users: Int32Array.from(users), items: Int32Array.from(items), numUsers, numItems });

/** Score of (u, i) = table[u][i]; with or without a `score` method. */
function tableScorer(table: number[][], withScore: boolean): Scorer {
  const numItems = table[0].length;
  const s: Scorer = {
    numItems,
    scoreAll: (users) => {
      const out = new Float32Array(users.length * numItems);
      users.forEach((u, r) => out.set(table[u], r * numItems));
      return out;
    },
  };
  if (withScore) return { ...s, score: (users, items) => Float32Array.from(users, (u, j) => table[u][items[j]]) };
  return s;
}

// 2 users x 8 items; score of item i for user u is i / 10 (user 0) or (7 - i) / 10 (user 1).
const table = [Array.from({ length: 8 }, (_, i) => i / 10), Array.from({ length: 8 }, (_, i) => (7 - i) / 10)];
const train = I([0, 0, 1], [7, 6, 0], 2, 8);
const testSet = I([0, 1], [5, 1], 2, 8);

describe('sampleCandidates', () => {
  test('n distinct items the user never interacted with, seeded', () => {
    const seen = UserItemSet.fromInteractions(train);
    const a = sampleCandidates(testSet, { seen, n: 4, seed: 9 });
    const b = sampleCandidates(testSet, { seen, n: 4, seed: 9 });
    expect(b).toEqual(a);
    for (let c = 0; c < 2; c++) {
      const negs = Array.from(a.negatives.subarray(a.offsets[c], a.offsets[c + 1]));
      expect(new Set(negs).size).toBe(4);
      for (const j of negs) {
        expect(seen.has(a.users[c], j)).toBe(false);
        expect(j).not.toBe(testSet.items[c]);
      }
    }
    // user 0 may draw from {0,1,2,3,4} only: 5 allowed items, n = 6 is impossible
    expect(() => sampleCandidates(testSet, { seen, n: 6, seed: 1 })).toThrow('sampleCandidates: user 0 must have at least n = 6 items it never interacted with, got 5');
  });

  test('every allowed item is drawn about equally often (uniform, seeded property)', () => {
    const seen = new UserItemSet(1, 20);
    seen.add(0, 3);
    const t = I(new Array(2000).fill(0), new Array(2000).fill(0), 1, 20);
    const c = sampleCandidates(t, { seen, n: 2, seed: 4 });
    const counts = new Array(20).fill(0);
    for (const j of c.negatives) counts[j]++;
    expect(counts[0]).toBe(0); // the test item
    expect(counts[3]).toBe(0); // the training item
    // 4000 draws over 18 items: expected 222.2 each, sd ~ 14.4; allow 5 sd
    for (let j = 0; j < 20; j++) if (j !== 0 && j !== 3) expect(Math.abs(counts[j] - 4000 / 18)).toBeLessThan(72);
  });
});

describe('evaluateSampled', () => {
  // Predefined candidates: user 0 (test 5): [0, 2, 6(train!) , 5(itself), 2(dup)] -> unique without 5: [0, 2, 6]
  const lists = () => candidatesFromLists({ users: [0, 1], items: [5, 1], negatives: [[0, 2, 6, 5, 2], [3, 4, 7]], numUsers: 2, numItems: 8 });

  test('NCF de-duplication: the held-out item and repeated negatives count once', () => {
    const c = lists();
    expect(Array.from(c.negatives.subarray(c.offsets[0], c.offsets[1]))).toEqual([0, 2, 6]);
    expect(c.dedupedCases).toBe(1);
    expect(c.n).toBe(5);
  });

  test.each([true, false])('hand-checked ranks with predefined candidates (score method: %s)', async (withScore) => {
    const seen = UserItemSet.fromInteractions(train);
    const res = await evaluateSampled(tableScorer(table, withScore), testSet, { seen, k: [1, 2], candidates: lists() });
    // user 0: scores 5:.5, 0:0, 2:.2, 6:.6 -> order 6, 5, 2, 0: position 1 of 4 -> auc 2/3
    // user 1: scores 1:.6, 3:.4, 4:.3, 7:0 -> position 0 of 4 -> auc 1
    expect(res.metrics['hr@1']).toBeCloseTo(0.5, 12);
    expect(res.metrics['hr@2']).toBe(1);
    expect(res.metrics.mrr).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(res.metrics.auc).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(res.metrics['ndcg@2']).toBeCloseTo((1 / Math.log2(3) + 1) / 2, 12);
    expect(res.setup.protocol).toBe('sampled-5');
    expect(res.counts).toEqual({ units: 2, users: 2, skippedUsers: 0, droppedRelevant: 0 });
  });

  test('seeded: same seed same result and candidates; saved candidates (json and binary) repeat the run', async () => {
    const seen = UserItemSet.fromInteractions(train);
    const scorer = tableScorer(table, true);
    const a = await evaluateSampled(scorer, testSet, { seen, n: 4, seed: 3, k: [2] });
    const b = await evaluateSampled(scorer, testSet, { seen, n: 4, seed: 3, k: [2] });
    expect(b.metrics).toEqual(a.metrics);
    for (const saved of [saveCandidates(a.candidates, 'json'), saveCandidates(a.candidates, 'binary')]) {
      const back = loadCandidates(saved);
      expect(back).toEqual(a.candidates);
      const c = await evaluateSampled(scorer, testSet, { seen, k: [2], candidates: back });
      expect(c.metrics).toEqual(a.metrics);
    }
  });

  test('candidate files that do not match the dataset are rejected', async () => {
    const seen = UserItemSet.fromInteractions(train);
    const scorer = tableScorer(table, true);
    const other = I([0, 1], [4, 1], 2, 8);
    await expect(evaluateSampled(scorer, other, { seen, k: [1], candidates: lists() })).rejects.toThrow(
      'evaluateSampled: candidates case 0 must be (user 0, item 4) as in the test set, got (user 0, item 5): they do not match the dataset',
    );
    const wide = { ...lists(), numItems: 9 };
    await expect(evaluateSampled(scorer, testSet, { seen, k: [1], candidates: wide })).rejects.toThrow('candidates must be for a catalogue of 8 items');
    const bin = saveCandidates(lists(), 'binary');
    expect(() => loadCandidates(bin.subarray(0, bin.length - 4))).toThrow('loadCandidates: binary data must be');
    expect(() => loadCandidates('{"format":"other"}')).toThrow('loadCandidates: data must be memrec-candidates version 1');
  });

  test('bad input: k above n + 1, missing seed, NaN scores name model and user', async () => {
    const seen = UserItemSet.fromInteractions(train);
    await expect(evaluateSampled(tableScorer(table, true), testSet, { seen, n: 2, seed: 1, k: [4] })).rejects.toThrow('evaluateSampled: k must be <= n + 1 (3, the items ranked per case), got 4');
    await expect(evaluateSampled(tableScorer(table, true), testSet, { seen, n: 2, k: [1] })).rejects.toThrow('evaluateSampled: seed must be a finite number');
    const bad = table.map((r) => [...r]);
    bad[1][1] = NaN;
    await expect(evaluateSampled(tableScorer(bad, true), testSet, { seen, k: [1], candidates: lists(), name: 'cmn' })).rejects.toThrow('evaluateSampled: scores of model "cmn" for user 1 must not be NaN, got NaN at item 1');
    await expect(evaluateSampled(tableScorer(table, true), I([], [], 2, 8), { seen, n: 2, seed: 1, k: [1] })).rejects.toThrow('evaluateSampled: test must hold at least one interaction');
  });
});
