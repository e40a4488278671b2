import { seededRng } from '@memrec/core';
import { AliasTable } from './alias';
import { popularitySampler } from './popularity';
import { expectValidNegatives, fixtureSet } from './test-fixtures';

const N = 40;
/** Zipf-ish counts with a few zero-count items. */
function zipfCounts(): Int32Array {
  const c = new Int32Array(N);
  for (let i = 0; i < N; i++) c[i] = i % 13 === 12 ? 0 : Math.round(400 / (1 + i));
  return c;
}

/** Chi-square statistic of observed frequencies against expected probabilities (cells with p > 0). */
function chiSquare(freq: Float64Array, p: Float64Array, draws: number): { chi: number; dof: number } {
  let chi = 0;
  let dof = -1;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) {
      expect({ item: i, freq: freq[i] }).toEqual({ item: i, freq: 0 });
      continue;
    }
    const e = p[i] * draws;
    chi += (freq[i] - e) ** 2 / e;
    dof++;
  }
  return { chi, dof };
}

describe('AliasTable', () => {
  it('draws with probability weights / sum (chi-square, fixed seed)', () => {
    const w = Float64Array.from([5, 0, 1, 2.5, 0.5, 9, 0, 3]);
    const t = new AliasTable(w);
    const rng = seededRng(4);
    const draws = 100000;
    const freq = new Float64Array(w.length);
    for (let k = 0; k < draws; k++) freq[t.draw(rng)]++;
    const p = w.map((x) => x / 21);
    const { chi, dof } = chiSquare(freq, p, draws);
    expect(dof).toBe(5);
    expect(chi).toBeLessThan(20.52); // chi-square(5) 0.999 quantile
  });

  it('rejects negative, NaN or all-zero weights', () => {
    expect(() => new AliasTable(Float64Array.from([1, -1]))).toThrow('AliasTable: weights[1] must be a finite number >= 0, got -1');
    expect(() => new AliasTable(Float64Array.from([NaN]))).toThrow('weights[0] must be a finite number >= 0, got NaN');
    expect(() => new AliasTable(Float64Array.from([0, 0]))).toThrow('weights must have a positive sum, got 0');
  });
});

describe('popularitySampler', () => {
  it.each([0, 0.75, 1])('frequencies match counts^alpha over the user\'s non-positives (alpha %s, chi-square)', (alpha) => {
    const seen = fixtureSet(N);
    const counts = zipfCounts();
    const s = popularitySampler({ seen, counts, alpha, seed: 12 });
    const draws = 100000;
    const negs = s.sample(Int32Array.from([0]), Int32Array.from([1]), draws);
    const freq = new Float64Array(N);
    for (const i of negs) freq[i]++;
    // user 0 has seen {1, 3, 5}: zero them and renormalise.
    const p = new Float64Array(N);
    let total = 0;
    for (let i = 0; i < N; i++) {
      p[i] = i === 1 || i === 3 || i === 5 ? 0 : Math.pow(counts[i], alpha);
      total += p[i];
    }
    for (let i = 0; i < N; i++) p[i] /= total;
    const { chi, dof } = chiSquare(freq, p, draws);
    // 0.999 quantiles of chi-square: dof 36 -> 67.99, dof 33 -> 63.87.
    const limit = dof === 36 ? 67.99 : dof === 33 ? 63.87 : NaN;
    expect(chi).toBeLessThan(limit);
  });

  it('never returns a positive, over 50 seeds, including a user who has seen all but two items', () => {
    const seen = fixtureSet(N, [7, 31]);
    const users = Int32Array.from([0, 1, 2, 3, 1]);
    const pos = Int32Array.from([1, 4, 0, 0, 7]);
    const counts = zipfCounts();
    for (let seed = 0; seed < 50; seed++) {
      const negs = popularitySampler({ seen, counts, alpha: 0.75, seed, maxTries: 4 }).sample(users, pos, 10);
      expectValidNegatives(seen, users, pos, 10, negs);
    }
  });

  it('uses the exact restricted distribution when rejection keeps failing (dense user, chi-square)', () => {
    const seen = fixtureSet(N, [7, 31]);
    const counts = new Int32Array(N).fill(100);
    counts[7] = 1;
    counts[31] = 3;
    const s = popularitySampler({ seen, counts, seed: 8, maxTries: 2 });
    const negs = s.sample(Int32Array.from([1]), Int32Array.from([0]), 8000);
    let a = 0;
    for (const i of negs) if (i === 7) a++;
    expect(a + negs.filter((i) => i === 31).length).toBe(8000);
    // P(7) = 1/4: mean 2000, sd 38.7; 5 sd.
    expect(Math.abs(a - 2000)).toBeLessThan(194);
  });

  it('same seed gives the same draws', () => {
    const seen = fixtureSet(N);
    const u = Int32Array.from([0, 2, 3]);
    const p = Int32Array.from([1, 4, 0]);
    const a = popularitySampler({ seen, counts: zipfCounts(), seed: 1 }).sample(u, p, 9);
    const b = popularitySampler({ seen, counts: zipfCounts(), seed: 1 }).sample(u, p, 9);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('observe() adds counts and the table follows (streaming)', () => {
    const seen = fixtureSet(N);
    const counts = new Int32Array(N);
    counts[0] = 1;
    const s = popularitySampler({ seen, counts, seed: 3 });
    expect(new Set(s.sample(Int32Array.from([2]), Int32Array.from([5]), 50))).toEqual(new Set([0]));
    s.observe(Int32Array.from([9, 9, 9]));
    const negs = s.sample(Int32Array.from([2]), Int32Array.from([5]), 4000);
    const nine = negs.filter((i) => i === 9).length;
    // P(9) = 3/4: mean 3000, sd 27.4.
    expect(Math.abs(nine - 3000)).toBeLessThan(140);
    s.rebuild(new Int32Array(N).fill(1));
    expect(s.weights()[9]).toBe(1);
  });

  it('rejects bad input and users whose non-positives all have zero weight', () => {
    const seen = fixtureSet(N, [7, 31]);
    const counts = new Int32Array(N).fill(2);
    expect(() => popularitySampler({ seen, counts, alpha: -1 })).toThrow('popularitySampler: alpha must be a finite number >= 0, got -1');
    expect(() => popularitySampler({ seen, counts: new Int32Array(N) })).toThrow('popularitySampler.rebuild: counts^alpha must have a positive sum, got 0');
    expect(() => popularitySampler({ seen, counts: new Int32Array(N + 1) })).toThrow('counts must have at most seen.numItems = 40 entries, got 41');
    expect(() => popularitySampler({ seen, counts: Float64Array.from([1, NaN]) })).toThrow('counts[1] must be a finite number >= 0, got NaN');
    const zeroFree = Int32Array.from(counts);
    zeroFree[7] = 0;
    zeroFree[31] = 0;
    const s = popularitySampler({ seen, counts: zeroFree, seed: 1 });
    expect(() => s.sample(Int32Array.from([1]), Int32Array.from([0]), 1)).toThrow('popularitySampler.sample: user 1 has no possible negative');
    expect(() => s.sample(Int32Array.from([1]), Int32Array.from([0]), 0)).toThrow('popularitySampler.sample: n must be an integer >= 1, got 0');
    expect(() => s.observe(Int32Array.from([40]))).toThrow('popularitySampler.observe: items[0] must be an integer id in [0, 40), got 40');
  });
});
