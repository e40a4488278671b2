import { rankWeight, type RowScorer } from './rank-weight';
import { expectValidNegatives, fixtureSet } from './test-fixtures';

/** distance(u, i) = i; records every drawn pair in call order. */
function itemDistance() {
  const drawn: number[] = [];
  const distance = (users: Int32Array, items: Int32Array) => {
    drawn.push(...items);
    return Float32Array.from(items);
  };
  return { drawn, distance };
}

describe('rankWeight', () => {
  it('k is the index of the first margin violator in draw order and w = log(floor((N-1)/k)+1)', () => {
    const seen = fixtureSet(40);
    for (let seed = 0; seed < 40; seed++) {
      const { drawn, distance } = itemDistance();
      const rw = rankWeight({ seen, margin: 2, maxDraws: 50, seed });
      // violation: d_neg < d_pos + m = 4 + 2, i.e. item < 6 (user 2 has seen nothing; positive 9).
      const res = rw.sample(Int32Array.from([2]), Int32Array.from([9]), Float32Array.from([4]), distance);
      const first = drawn.findIndex((i) => i < 6);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(res.draws[0]).toBe(first + 1);
      expect(res.negatives[0]).toBe(drawn[first]);
      expect(res.negDistances[0]).toBe(drawn[first]);
      expect(res.violated[0]).toBe(1);
      expect(res.weights[0]).toBeCloseTo(Math.log(Math.floor(39 / (first + 1)) + 1), 6);
    }
  });

  it('hand-computed weights: N = 40 gives log(40) at k = 1 and log(14) at k = 3', () => {
    const rw = rankWeight({ seen: fixtureSet(40), margin: 1 });
    expect(rw.weightFor(1)).toBeCloseTo(Math.log(40), 12);
    expect(rw.weightFor(3)).toBeCloseTo(Math.log(14), 12);
    expect(rankWeight({ seen: fixtureSet(40), margin: 1, numItems: 100 }).weightFor(50)).toBeCloseTo(Math.log(2), 12);
  });

  it('stops at maxDraws when nothing violates, for many rows and n negatives each, never a positive', () => {
    const seen = fixtureSet(40);
    const users = Int32Array.from([0, 1, 2, 3]);
    const pos = Int32Array.from([1, 4, 9, 0]);
    const rw = rankWeight({ seen, margin: 0, maxDraws: 20, seed: 3 });
    const res = rw.sample(users, pos, new Float32Array(4).fill(-1), itemDistance().distance, 3);
    expectValidNegatives(seen, users, pos, 3, res.negatives);
    expect(Array.from(res.draws)).toEqual(new Array(12).fill(20));
    expect(Array.from(res.violated)).toEqual(new Array(12).fill(0));
    expect(res.weights[0]).toBeCloseTo(Math.log(Math.floor(39 / 20) + 1), 6);
  });

  it('score kind: violation when s_neg > s_pos - m', () => {
    const seen = fixtureSet(40);
    const rw = rankWeight({ seen, margin: 1, kind: 'score', seed: 2 });
    const res = rw.sample(Int32Array.from([2, 2]), Int32Array.from([0, 1]), Float32Array.from([36, 36]), itemDistance().distance, 4);
    for (let g = 0; g < 8; g++) if (res.violated[g]) expect(res.negatives[g]).toBeGreaterThan(35);
    expect(res.violated.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('rejects bad input', () => {
    const seen = fixtureSet(40);
    const { distance } = itemDistance();
    expect(() => rankWeight({ seen, margin: -1 })).toThrow('rankWeight: margin must be a finite number >= 0, got -1');
    expect(() => rankWeight({ seen, margin: 1, maxDraws: 0 })).toThrow('rankWeight: maxDraws must be an integer >= 1, got 0');
    const rw = rankWeight({ seen, margin: 1 });
    const u = Int32Array.from([0]);
    const p = Int32Array.from([2]);
    expect(() => rw.sample(u, p, new Float32Array(2), distance)).toThrow('rankWeight.sample: posDist must be a Float32Array of length users.length = 1, got Float32Array(2)');
    expect(() => rw.sample(u, p, Float32Array.from([NaN]), distance)).toThrow('rankWeight.sample: posDist[0] must be finite, got NaN');
    expect(() => rw.sample(u, p, Float32Array.from([1]), () => new Float32Array(0))).toThrow('distance must return a Float32Array of length 1 (one per pair)');
    expect(() => rw.sample(u, p, Float32Array.from([1]), distance, 0)).toThrow('rankWeight.sample: n must be an integer >= 1, got 0');
  });

  describe('sampleRows (each row scored against many candidates per call)', () => {
    /** A fixed pseudo-random distance in [0, 10) per (user, item). */
    const hashDistance = (u: number, i: number) => (((u * 7919 + i * 104729) % 1000) + 1000) % 1000 / 100;

    /** Records every call of a row scorer: one user per row, `c` candidates per row. */
    function recordingScorer() {
      const calls: { users: number[]; items: number[] }[] = [];
      const scorer: RowScorer = (users, items) => {
        calls.push({ users: Array.from(users), items: Array.from(items) });
        const c = items.length / users.length;
        return Float32Array.from(items, (i, k) => hashDistance(users[Math.floor(k / c)], i));
      };
      return { calls, scorer };
    }

    it('equals a plain sequential reference: one draw at a time in draw order, stop at the first violator', () => {
      const seen = fixtureSet(40);
      const users = Int32Array.from([0, 2, 3, 2, 0, 1]);
      const pos = Int32Array.from([2, 9, 4, 9, 7, 7]);
      // thresholds d_pos: some rows violate often, some rarely, row 2 never (d < -100 + m impossible)
      const posDist = Float32Array.from([1, 4, -100, 0.2, 6, 3]);
      const margin = 0.5;
      for (const [n, firstRound, maxDraws] of [[1, undefined, 50], [3, 3, 50], [2, 1, 7], [1, 4, 9]] as const) {
        for (let seed = 0; seed < 5; seed++) {
          const rw = rankWeight({ seen, margin, maxDraws, seed });
          const { calls, scorer } = recordingScorer();
          const res = rw.sampleRows(users, pos, posDist, scorer, n, firstRound);
          const rows = users.length * n;
          const violates = (g: number, i: number) => hashDistance(users[Math.floor(g / n)], i) < posDist[Math.floor(g / n)] + margin;
          // rebuild each row's candidate stream from the calls; unresolved rows are re-asked in order
          const drawn: number[][] = Array.from({ length: rows }, () => []);
          let pending = Array.from({ length: rows }, (_, g) => g);
          for (const call of calls) {
            expect(call.users.length).toBe(pending.length);
            const c = call.items.length / pending.length;
            pending.forEach((g, q) => {
              expect(call.users[q]).toBe(users[Math.floor(g / n)]);
              drawn[g].push(...call.items.slice(q * c, (q + 1) * c));
            });
            pending = pending.filter((g) => !drawn[g].some((i) => violates(g, i)));
          }
          if (firstRound === undefined) expect(calls.length).toBe(1); // default: all maxDraws draws in one call
          for (let g = 0; g < rows; g++) {
            expect(drawn[g].length).toBeLessThanOrEqual(maxDraws);
            // the sequential reference
            let k = 0;
            while (k < drawn[g].length && !violates(g, drawn[g][k])) k++;
            const hit = k < drawn[g].length;
            if (!hit) expect(drawn[g].length).toBe(maxDraws);
            const idx = hit ? k : maxDraws - 1;
            expect([res.draws[g], res.negatives[g], res.violated[g]]).toEqual([idx + 1, drawn[g][idx], hit ? 1 : 0]);
            expect(res.negDistances[g]).toBeCloseTo(hashDistance(users[Math.floor(g / n)], drawn[g][idx]), 5);
            expect(res.weights[g]).toBeCloseTo(Math.log(Math.floor(39 / (idx + 1)) + 1), 6);
          }
          expectValidNegatives(seen, users, pos, n, res.negatives);
          expect(Array.from(res.draws.subarray(2 * n, 3 * n))).toEqual(new Array(n).fill(maxDraws)); // row 2 never violates
        }
      }
    });

    it('k follows the capped geometric law of sequential draws (seeded, 6,000 rows, both methods)', () => {
      // user 2 has seen nothing; positive 9; d(u, i) = i, d_pos + m = 6: violators are items 0..5,
      // p = 6 / 39 per draw; E[min(G, 50)] = (1 - (1 - p)^50) / p; P(k = 1) = p; the negative is uniform on 0..5
      const seen = fixtureSet(40);
      const rowsN = 6000;
      const users = new Int32Array(rowsN).fill(2);
      const pos = new Int32Array(rowsN).fill(9);
      const posDist = new Float32Array(rowsN).fill(4);
      const p = 6 / 39;
      const meanK = (1 - (1 - p) ** 50) / p;
      const byItem: RowScorer = (_u, items) => Float32Array.from(items);
      for (const run of ['sampleRows', 'sampleRows-chunked', 'sample'] as const) {
        const rw = rankWeight({ seen, margin: 2, maxDraws: 50, seed: 11 });
        const res = run === 'sample' ? rw.sample(users, pos, posDist, byItem) : rw.sampleRows(users, pos, posDist, byItem, 1, run === 'sampleRows' ? undefined : 2);
        const mean = res.draws.reduce((a, b) => a + b, 0) / rowsN;
        const sd = Math.sqrt(1 - p) / p; // sd of the geometric law (the cap hardly matters)
        expect(Math.abs(mean - meanK)).toBeLessThan((4 * sd) / Math.sqrt(rowsN));
        const ones = res.draws.filter((k) => k === 1).length / rowsN;
        expect(Math.abs(ones - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / rowsN));
        // P(no violator in 50 draws) = (33 / 39)^50 ~ 2.4e-4 per row: those rows use all 50 draws
        const hits = res.violated.reduce((a, b) => a + b, 0);
        expect(rowsN - hits).toBeLessThan(8);
        const counts = new Array(6).fill(0);
        res.negatives.forEach((i, g) => (res.violated[g] ? counts[i]++ : expect(res.draws[g]).toBe(50)));
        for (const c of counts) expect(Math.abs(c / hits - 1 / 6)).toBeLessThan(4 * Math.sqrt(((1 / 6) * (5 / 6)) / hits));
      }
    });

    it('sample keeps its draws: the same seed gives the same result as before sampleRows existed', () => {
      // golden values recorded from `sample` (rounds of 1, 2, 4, ...) before the draw loop was shared
      const rw = rankWeight({ seen: fixtureSet(40), margin: 2, maxDraws: 50, seed: 5 });
      const res = rw.sample(Int32Array.from([2, 0, 3]), Int32Array.from([9, 2, 4]), Float32Array.from([4, 1, 10]), itemDistance().distance, 2);
      expect({ negatives: Array.from(res.negatives), draws: Array.from(res.draws) }).toEqual(GOLDEN_SAMPLE);
    });

    it('rejects bad input', () => {
      const rw = rankWeight({ seen: fixtureSet(40), margin: 1 });
      const u = Int32Array.from([0]);
      const p = Int32Array.from([2]);
      const d = Float32Array.from([1]);
      expect(() => rw.sampleRows(u, p, d, (x) => new Float32Array(x.length), 1, 0)).toThrow('rankWeight.sampleRows: firstRound must be an integer >= 1, got 0');
      expect(() => rw.sampleRows(u, p, d, () => new Float32Array(3))).toThrow('rankWeight.sampleRows: distance must return a Float32Array of length 50 (one per pair), got Float32Array(3)');
      expect(() => rw.sampleRows(u, p, d, (_x, i) => new Float32Array(i.length).fill(NaN))).toThrow(/rankWeight.sampleRows: distance returned NaN for user 0, item \d+/);
      expect(() => rw.sampleRows(u, p, new Float32Array(2), () => new Float32Array(50))).toThrow('rankWeight.sampleRows: posDist must be a Float32Array of length users.length = 1, got Float32Array(2)');
      expect(() => rw.sampleRows(u, p, d, null as unknown as RowScorer)).toThrow('rankWeight.sampleRows: distance must be a function (users, items) => Float32Array, got null');
    });
  });
});

// from `sample` at the commit before sampleRows (recorded by running that version with this call)
const GOLDEN_SAMPLE = { negatives: [2, 5, 0, 14, 9, 1], draws: [17, 4, 6, 50, 3, 1] };
