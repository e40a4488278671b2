import { averagePrecision, auc, aucFromPositions, coverage, hitRate, mapAtK, mrr, ndcg, precision, recall, relevantPositions } from './metrics';
import { MetricAccumulator } from './accumulator';

const L = (...xs: number[]) => Int32Array.from(xs);
const S = (...xs: number[]) => new Set(xs);
const log2 = Math.log2;

// ranked list used by most rows: [4, 2, 8, 6, 1]
const R = L(4, 2, 8, 6, 1);

describe('per-list metrics (hand-computed)', () => {
  test.each([
    // [name, relevant, k, expected, arithmetic]
    ['hit in first', S(4), 1, 1],
    ['hit at position 3, k=3', S(8), 3, 1],
    ['hit at position 3, k=2', S(8), 2, 0],
    ['no relevant item listed', S(9), 5, 0],
    ['Int32Array relevant', L(6), 4, 1],
  ])('hitRate: %s', (_n, rel, k, want) => {
    expect(hitRate(R, rel, k)).toBe(want);
  });

  test.each([
    ['2 hits in top 3', S(4, 8), 3, 2 / 3],
    ['1 hit, k larger than list (divides by k)', S(1), 10, 1 / 10],
    ['no hit', S(7), 3, 0],
  ])('precision: %s', (_n, rel, k, want) => {
    expect(precision(R, rel, k)).toBeCloseTo(want, 12);
  });

  test.each([
    ['1 of 2 relevant in top 3', S(8, 5), 3, 1 / 2],
    ['3 of 3 in top 5', S(4, 6, 1), 5, 1],
    ['empty relevant set', S(), 3, 0],
  ])('recall: %s', (_n, rel, k, want) => {
    expect(recall(R, rel, k)).toBeCloseTo(want, 12);
  });

  test.each([
    // hit at 0-based position 1: DCG = 1/log2(3); IDCG(min(3,1)=1) = 1
    ['single hit at position 1', S(2), 3, 1 / log2(3)],
    // hits at 0 and 2: DCG = 1 + 1/log2(4) = 1.5; IDCG(2) = 1 + 1/log2(3)
    ['hits at 0 and 2', S(4, 8), 3, 1.5 / (1 + 1 / log2(3))],
    // 3 relevant but k = 2, hit at 0 only: DCG = 1; IDCG(min(2,3)=2) = 1 + 1/log2(3)
    ['ideal from min(k, |rel|)', S(4, 6, 1), 2, 1 / (1 + 1 / log2(3))],
    ['perfect list', S(4, 2), 2, 1],
    ['miss', S(9), 5, 0],
  ])('ndcg: %s', (_n, rel, k, want) => {
    expect(ndcg(R, rel, k)).toBeCloseTo(want, 12);
  });

  test.each([
    ['first relevant at position 2 (1-based 3)', S(8, 1), 1 / 3],
    ['first item', S(4), 1],
    ['not listed', S(9), 0],
  ])('mrr: %s', (_n, rel, want) => {
    expect(mrr(R, rel)).toBeCloseTo(want, 12);
  });

  test.each([
    // hits at 0 and 2: (1/1 + 2/3) / min(3, 2)
    ['hits at 0 and 2, k=3', S(4, 8), 3, (1 + 2 / 3) / 2],
    // hits at 1 and 3 in k=5, 3 relevant: (1/2 + 2/4) / min(5, 3)
    ['3 relevant, 2 listed', S(2, 6, 9), 5, (1 / 2 + 2 / 4) / 3],
    // k=2: only the hit at 1 counts, denominator min(2, 3) = 2: (1/2) / 2
    ['truncated denominator', S(2, 6, 9), 2, 1 / 2 / 2],
  ])('mapAtK: %s', (_n, rel, k, want) => {
    expect(mapAtK(R, rel, k)).toBeCloseTo(want, 12);
  });

  test.each([
    // hits at 1 and 3, 3 relevant: (1/2 + 2/4 + 0) / 3
    ['one relevant not listed', S(2, 6, 9), (1 / 2 + 2 / 4) / 3],
    // hits at 0, 1: (1 + 1) / 2
    ['perfect', S(4, 2), 1],
  ])('averagePrecision: %s', (_n, rel, want) => {
    expect(averagePrecision(R, rel)).toBeCloseTo(want, 12);
  });

  test.each([
    // n = 5 ranked, held-out at position 2: negatives below = 2 of 4
    ['held-out in the middle', S(8), 2 / 4],
    ['held-out first', S(4), 1],
    ['held-out last', S(1), 0],
    // relevant at 0 and 3: negatives = 3 (2, 8, 1); item 4 beats 3, item 6 beats 1 -> (3 + 1) / (2 * 3)
    ['two relevant', S(4, 6), 4 / 6],
  ])('auc: %s', (_n, rel, want) => {
    expect(auc(R, rel)).toBeCloseTo(want, 12);
  });

  test('auc equals the d2l formula (max - index) / max for one held-out item', () => {
    for (let p = 0; p < 5; p++) expect(aucFromPositions(L(p), 5)).toBeCloseTo((4 - p) / 4, 12);
  });

  test('coverage counts distinct items in the top k of all lists', () => {
    // top-2 lists: {0,1} and {1,2} -> 3 of 10 items; top-1: {0,1} -> 2 of 10
    const lists = [L(0, 1, 5), L(1, 2, 6)];
    expect(coverage(lists, 10, 2)).toBeCloseTo(0.3, 12);
    expect(coverage(lists, 10, 1)).toBeCloseTo(0.2, 12);
    expect(() => coverage([L(12)], 10, 1)).toThrow('coverage: item ids must be integers in [0, 10), got 12');
  });

  test('relevantPositions and k validation', () => {
    expect(Array.from(relevantPositions(R, S(1, 4)))).toEqual([0, 4]);
    expect(() => hitRate(R, S(4), 0)).toThrow('hitRate: k must be an integer >= 1, got 0');
    expect(() => ndcg(R, S(4), 2.5)).toThrow('ndcg: k must be an integer >= 1, got 2.5');
  });
});

describe('MetricAccumulator', () => {
  test('matches the per-list functions on full rankings, for several k in one pass', () => {
    const cases: [Int32Array, Set<number>][] = [
      [L(4, 2, 8, 6, 1), S(8, 1)],
      [L(3, 0, 7, 5, 9, 2), S(3)],
      [L(1, 2, 3, 4), S(9)],
      [L(6, 5, 4, 3, 2, 1, 0), S(0, 5, 4)],
    ];
    const ks = [1, 3, 5];
    const acc = new MetricAccumulator({ k: ks, numItems: 10 });
    for (const [list, rel] of cases) {
      acc.add({ user: 0, topK: list.subarray(0, 5), positions: relevantPositions(list, rel), numRelevant: rel.size, numRanked: list.length });
    }
    const got = acc.result();
    const mean = (f: (l: Int32Array, r: Set<number>) => number) => cases.reduce((s, [l, r]) => s + f(l, r), 0) / cases.length;
    for (const k of ks) {
      expect(got[`hr@${k}`]).toBeCloseTo(mean((l, r) => hitRate(l, r, k)), 12);
      expect(got[`precision@${k}`]).toBeCloseTo(mean((l, r) => precision(l, r, k)), 12);
      expect(got[`recall@${k}`]).toBeCloseTo(mean((l, r) => recall(l, r, k)), 12);
      expect(got[`ndcg@${k}`]).toBeCloseTo(mean((l, r) => ndcg(l, r, k)), 12);
      expect(got[`map@${k}`]).toBeCloseTo(mean((l, r) => mapAtK(l, r, k)), 12);
      expect(got[`coverage@${k}`]).toBeCloseTo(coverage(cases.map((c) => c[0].subarray(0, 5)), 10, k), 12);
    }
    expect(got.mrr).toBeCloseTo(mean((l, r) => mrr(l, r)), 12);
    expect(got.map).toBeCloseTo(mean((l, r) => averagePrecision(l, r)), 12);
    expect(got.auc).toBeCloseTo(mean((l, r) => auc(l, r)), 12);
    expect(acc.names).toContain('coverage@5');
    const per = acc.perUnit();
    expect(per.values['hr@1'].length).toBe(4);
    expect(Array.from(per.values['hr@1'])).toEqual([0, 1, 0, 0]); // only list 2 starts with a relevant item;
  });

  test('addRanked reads only the given prefixes of reused buffers and equals add', () => {
    const a = new MetricAccumulator({ k: [1, 3], numItems: 10 });
    const b = new MetricAccumulator({ k: [1, 3], numItems: 10 });
    a.add({ user: 4, topK: L(6, 2, 9), positions: L(1, 5), numRelevant: 3, numRanked: 8 });
    // buffers longer than the unit, with junk after the prefix
    b.addRanked(4, L(6, 2, 9, 7, 7), 3, L(1, 5, 0, 0), 2, 3, 8);
    expect(b.result()).toEqual(a.result());
    expect(b.perUnit()).toEqual(a.perUnit());
  });

  test('addRankedAt reads the unit at offsets of a chunk’s arrays and equals add (AUC included)', () => {
    const a = new MetricAccumulator({ k: [1, 3], numItems: 10 });
    const b = new MetricAccumulator({ k: [1, 3], numItems: 10 });
    a.add({ user: 4, topK: L(6, 2, 9), positions: L(1, 5), numRelevant: 3, numRanked: 8 });
    a.add({ user: 5, topK: L(0, 3, 1), positions: L(0, 2, 7), numRelevant: 3, numRanked: 9 });
    // two rows of top lists (3 each) and the rows' positions concatenated, junk around them
    const top = L(7, 7, 6, 2, 9, 0, 3, 1, 7);
    const pos = L(9, 1, 5, 0, 2, 7, 9);
    b.addRankedAt(4, top, 2, 3, pos, 1, 2, 3, 8);
    b.addRankedAt(5, top, 5, 3, pos, 3, 3, 3, 9);
    expect(b.result()).toEqual(a.result());
    expect(b.perUnit()).toEqual(a.perUnit());
    // a hand-computed value: user 5's relevant items at positions 0, 2, 7 among 9 ranked (6
    // negatives): 6 + 5 + 1 negatives below them, AUC 12 / 18
    expect(b.perUnit().values.auc[1]).toBeCloseTo(12 / 18, 12);
  });

  test('rejects bad k and returns zeros when empty', () => {
    expect(() => new MetricAccumulator({ k: [], numItems: 3 })).toThrow('MetricAccumulator: k must be a non-empty array');
    expect(() => new MetricAccumulator({ k: [0], numItems: 3 })).toThrow('MetricAccumulator: k must hold integers >= 1, got 0');
    const acc = new MetricAccumulator({ k: [2], numItems: 3 });
    expect(acc.result()['hr@2']).toBe(0);
    expect(acc.count).toBe(0);
  });
});
