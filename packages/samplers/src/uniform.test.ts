import { UserItemSet } from '@memrec/core';
import { rankToItem } from './complement';
import { expectValidNegatives, fixtureSet } from './test-fixtures';
import { uniformSampler } from './uniform';

const USERS = Int32Array.from([0, 1, 2, 3, 1, 0]);
const POS = Int32Array.from([1, 2, 9, 0, 5, 3]);

describe('uniformSampler', () => {
  it.each(['bitset', 'sorted', 'auto'] as const)('never returns a positive or the row positive, ids in range, over 50 seeds (%s)', (exclusion) => {
    const seen = fixtureSet();
    for (let seed = 0; seed < 50; seed++) {
      const s = uniformSampler({ seen, seed, exclusion });
      const negs = s.sample(USERS, POS, 20);
      expectValidNegatives(seen, USERS, POS, 20, negs);
    }
  });

  it('draws both free items of a user who has seen all but two, about equally often', () => {
    const seen = fixtureSet(40, [7, 31]);
    const s = uniformSampler({ seen, seed: 3 });
    const negs = s.sample(Int32Array.from([1]), Int32Array.from([4]), 4000);
    let a = 0;
    for (const i of negs) {
      expect(i === 7 || i === 31).toBe(true);
      if (i === 7) a++;
    }
    // Binomial(4000, 0.5): sd = 31.6; 5 sd either side.
    expect(Math.abs(a - 2000)).toBeLessThan(160);
  });

  it('is uniform over the complement (chi-square, fixed seed)', () => {
    const seen = fixtureSet(40);
    const s = uniformSampler({ seen, seed: 11 });
    const draws = 74000;
    const negs = s.sample(Int32Array.from([0]), Int32Array.from([1]), draws);
    const freq = new Float64Array(40);
    for (const i of negs) freq[i]++;
    const allowed = 37;
    const e = draws / allowed;
    let chi = 0;
    for (let i = 0; i < 40; i++) {
      if (i === 1 || i === 3 || i === 5) {
        expect(freq[i]).toBe(0);
        continue;
      }
      chi += (freq[i] - e) ** 2 / e;
    }
    // chi-square with 36 dof: the 0.999 quantile is 67.99.
    expect(chi).toBeLessThan(67.99);
  });

  it('gives the same draws for the same seed and different draws for another', () => {
    const seen = fixtureSet();
    const a = uniformSampler({ seen, seed: 5 }).sample(USERS, POS, 8);
    const b = uniformSampler({ seen, seed: 5 }).sample(USERS, POS, 8);
    const c = uniformSampler({ seen, seed: 6 }).sample(USERS, POS, 8);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('bitset and sorted exclusion give identical draws', () => {
    const seen = fixtureSet();
    const a = uniformSampler({ seen, seed: 9, exclusion: 'bitset' }).sample(USERS, POS, 16);
    const b = uniformSampler({ seen, seed: 9, exclusion: 'sorted' }).sample(USERS, POS, 16);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('reads the live set: positives added later are excluded, new items become drawable', () => {
    const seen = UserItemSet.fromInteractions({ users: Int32Array.from([0]), items: Int32Array.from([0]), numUsers: 1, numItems: 4 });
    const s = uniformSampler({ seen, seed: 1 });
    s.sample(Int32Array.from([0]), Int32Array.from([0]), 10); // builds the bitset row
    seen.add(0, 1);
    seen.add(0, 2);
    seen.add(0, 9); // grows items to 10
    seen.add(2, 5); // grows users to 3
    const negs = s.sample(Int32Array.from([0, 2]), Int32Array.from([3, 6]), 200);
    expectValidNegatives(seen, Int32Array.from([0, 2]), Int32Array.from([3, 6]), 200, negs);
    expect(Math.max(...negs.subarray(0, 200))).toBeGreaterThan(3);
  });

  it('samples for users unknown to the set (no positives) without error', () => {
    const seen = fixtureSet();
    const negs = uniformSampler({ seen, seed: 2 }).sample(Int32Array.from([100]), Int32Array.from([4]), 50);
    expectValidNegatives(seen, Int32Array.from([100]), Int32Array.from([4]), 50, negs);
  });

  it('fills a caller buffer', () => {
    const seen = fixtureSet();
    const out = new Int32Array(12).fill(-1);
    const res = uniformSampler({ seen, seed: 2 }).sample(USERS, POS, 2, out);
    expect(res).toBe(out);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
  });

  it('rejects bad input with messages naming function, argument and value', () => {
    const seen = fixtureSet(40, [7, 31]);
    const s = uniformSampler({ seen, seed: 1 });
    expect(() => s.sample(USERS, POS, 0)).toThrow('uniformSampler.sample: n must be an integer >= 1, got 0');
    expect(() => s.sample(USERS, POS, -3)).toThrow('n must be an integer >= 1, got -3');
    expect(() => s.sample(USERS, POS.subarray(1), 1)).toThrow('users and positives must have equal length, got 6 and 5');
    expect(() => s.sample(Int32Array.from([0]), Int32Array.from([40]), 1)).toThrow('positives[0] must be an integer id in [0, 40), got 40');
    expect(() => s.sample(Int32Array.from([-1]), Int32Array.from([0]), 1)).toThrow('users[0] must be a non-negative integer id, got -1');
    expect(() => s.sample(USERS, POS, 2, new Int32Array(3))).toThrow('out must be an Int32Array of length >= users.length * n = 12');
    // User 1 with row positive 7 (not in its set) leaves only item 31: fine. Seeing 31 too leaves nothing.
    expect(Array.from(s.sample(Int32Array.from([1]), Int32Array.from([7]), 5))).toEqual([31, 31, 31, 31, 31]);
    seen.add(1, 31);
    expect(() => s.sample(Int32Array.from([1]), Int32Array.from([7]), 1)).toThrow('uniformSampler.sample: user 1 has no possible negative (has seen 39 of 40 items; row positive 7)');
    expect(() => uniformSampler({ seen: {} as UserItemSet })).toThrow('uniformSampler: seen must be a UserItemSet');
    expect(() => uniformSampler({ seen, seed: NaN })).toThrow('uniformSampler: seed must be a finite number, got NaN');
  });
});

describe('rankToItem', () => {
  it('maps rank r to the r-th item not in the list (brute force)', () => {
    const list = Int32Array.from([0, 1, 4, 5, 6, 9]);
    const free = [2, 3, 7, 8, 10, 11, 12];
    for (let r = 0; r < free.length; r++) expect(rankToItem(list, r)).toBe(free[r]);
  });
});
