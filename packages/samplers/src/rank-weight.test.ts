import { rankWeight } from './rank-weight';
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
});
