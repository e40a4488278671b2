import { UserItemSet, seededRng, type Rng } from '@memrec/core';
import { Complement } from './complement';
import { expectValidNegatives } from './test-fixtures';

/** A random seen-set with users of every density: empty, sparse, half, dense, all but one or two. */
function mixedSet(seed: number, numUsers = 30, numItems = 50): UserItemSet {
  const rng = seededRng(seed);
  const seen = new UserItemSet(numUsers, numItems);
  for (let u = 0; u < numUsers - 2; u++) {
    const density = [0, 0.05, 0.3, 0.5, 0.51, 0.8, 0.95][u % 7];
    for (let i = 0; i < numItems; i++) if (rng() < density) seen.add(u, i);
  }
  // Users who have seen all but one and all but two items.
  for (let i = 1; i < numItems; i++) seen.add(numUsers - 1, i);
  for (let i = 2; i < numItems; i++) seen.add(numUsers - 2, i);
  return seen;
}

/** Rows whose users all have at least one possible negative (the row positive is one of the user's own). */
function rows(seen: UserItemSet, seed: number, count: number, unknownUsers = false): [Int32Array, Int32Array] {
  const rng = seededRng(seed);
  const users = new Int32Array(count);
  const pos = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    let u: number;
    let p: number;
    // A user with at least one possible negative, then mostly one of the user's positives,
    // sometimes an arbitrary item (a stream's new item).
    do {
      u = (rng() * (seen.numUsers + (unknownUsers ? 1 : 0))) | 0; // numUsers itself: a user unknown to the set
      const list = seen.itemsOf(u);
      p = list.length > 0 && rng() < 0.8 ? list[(rng() * list.length) | 0] : (rng() * seen.numItems) | 0;
    } while (seen.numItems - seen.count(u) - (seen.has(u, p) ? 0 : 1) <= 0);
    users[r] = u;
    pos[r] = p;
  }
  return [users, pos];
}

/** Brute force: the items user `u` may get as a negative for positive `p`. */
function allowed(seen: UserItemSet, u: number, p: number): Set<number> {
  const s = new Set<number>();
  for (let i = 0; i < seen.numItems; i++) if (i !== p && !seen.has(u, i)) s.add(i);
  return s;
}

describe('Complement', () => {
  it.each([1, 3])('bitset (with or without dense lists) and sorted give identical, valid draws over calls and stream growth (n = %d)', (n) => {
    for (let seed = 0; seed < 12; seed++) {
      const sets = [mixedSet(seed), mixedSet(seed), mixedSet(seed)];
      const engines = [
        new Complement(sets[0], 'bitset'),
        new Complement(sets[1], 'sorted'),
        new Complement(sets[2], 'bitset', 0), // no room for dense users' lists: rank mapping
      ];
      const rngs = [seededRng(seed + 100), seededRng(seed + 100), seededRng(seed + 100)];
      for (let call = 0; call < 6; call++) {
        const [users, pos] = rows(sets[0], seed * 10 + call, 200, call >= 4);
        const outs = engines.map((c, e) => {
          const out = new Int32Array(users.length * n);
          c.fillBatch('test', users, pos, n, out, rngs[e]);
          return out;
        });
        expectValidNegatives(sets[0], users, pos, n, outs[0]);
        expect(Array.from(outs[1])).toEqual(Array.from(outs[0]));
        expect(Array.from(outs[2])).toEqual(Array.from(outs[0]));
        // Calls 0-2 see a static set (the second identical version syncs every user at once);
        // later calls grow it: new pairs, new items (dense users may turn sparse) and new users.
        if (call >= 2) {
          for (const s of sets) {
            const g = seededRng(seed * 7 + call);
            for (let k = 0; k < 40; k++) s.add((g() * (s.numUsers + 2)) | 0, (g() * (s.numItems + 3)) | 0);
          }
        }
      }
    }
  });

  it('keeps rows synced earlier in a batch when a later row grows the bitset', () => {
    const seen = new UserItemSet(2, 64);
    for (let i = 0; i < 30; i++) seen.add(0, 2 * i); // user 0: 30 of 64 items, sparse
    const c = new Complement(seen, 'bitset');
    const p = Int32Array.from([0, 0]);
    c.fillBatch('test', Int32Array.from([0, 0]), p, 1, new Int32Array(2), seededRng(1));
    seen.add(9, 3); // user 9: beyond the bitset's 2 rows
    const users = Int32Array.from([0, 9]);
    const out = new Int32Array(2 * 200);
    c.fillBatch('test', users, p, 200, out, seededRng(2));
    expectValidNegatives(seen, users, p, 200, out);
  });

  it('draws uniformly among a dense user\'s unseen items (chi-square, fixed seed)', () => {
    const seen = mixedSet(3);
    const u = 5; // density 0.8
    const p = seen.itemsOf(u)[0];
    const ok = allowed(seen, u, p);
    const c = new Complement(seen, 'bitset');
    const draws = 400 * ok.size;
    const users = new Int32Array(draws).fill(u);
    const pos = new Int32Array(draws).fill(p);
    const out = new Int32Array(draws);
    const rng = seededRng(1);
    c.fillBatch('test', users, pos, 1, out, rng);
    c.fillBatch('test', users, pos, 1, out, rng); // second call: the fully synced path
    const freq = new Map<number, number>();
    for (const i of out) {
      expect(ok.has(i)).toBe(true);
      freq.set(i, (freq.get(i) ?? 0) + 1);
    }
    let chi = 0;
    for (const i of ok) chi += ((freq.get(i) ?? 0) - 400) ** 2 / 400;
    // ok.size - 1 degrees of freedom (at most 9 here): the 0.999 quantile of chi-square(9) is 27.88.
    expect(ok.size).toBeLessThanOrEqual(10);
    expect(chi).toBeLessThan(27.88);
  });

  it('takes any Rng function, not only seededRng generators (the same draws as the generator itself)', () => {
    const seen = mixedSet(4);
    const [users, pos] = rows(seen, 9, 300);
    const a = new Int32Array(300);
    const b = new Int32Array(300);
    const c1 = new Complement(seen, 'bitset');
    const c2 = new Complement(seen, 'bitset');
    const g1 = seededRng(11);
    const g2 = seededRng(11);
    const plain: Rng = () => g2(); // a function without a reachable state
    for (let call = 0; call < 3; call++) {
      c1.fillBatch('test', users, pos, 1, a, g1);
      c2.fillBatch('test', users, pos, 1, b, plain);
      expect(Array.from(b)).toEqual(Array.from(a));
    }
  });

  it('names the row with no possible negative, in every path', () => {
    const seen = mixedSet(2);
    const u = seen.numUsers - 1; // has seen all items but 0
    for (const mode of ['bitset', 'sorted'] as const) {
      const c = new Complement(seen, mode);
      const users = Int32Array.from([0, u]);
      const pos = Int32Array.from([1, 0]);
      for (let call = 0; call < 3; call++) {
        expect(() => c.fillBatch('mySampler.sample', users, pos, 1, new Int32Array(2), seededRng(1))).toThrow(
          `mySampler.sample: user ${u} has no possible negative (has seen ${seen.numItems - 1} of ${seen.numItems} items; row positive 0)`,
        );
      }
    }
  });

  it('keeps the dense users\' lists within the memory budget', () => {
    const seen = mixedSet(6, 60, 400);
    const big = new Complement(seen, 'bitset');
    const small = new Complement(seen, 'bitset', 2000);
    const users = Int32Array.from({ length: 60 }, (_, u) => u);
    const pos = Int32Array.from({ length: 60 }, (_, u) => (seen.count(u) > 0 ? seen.itemsOf(u)[0] : 0));
    for (const c of [big, small]) {
      for (let call = 0; call < 2; call++) c.fillBatch('test', users, pos, 2, new Int32Array(120), seededRng(call));
    }
    // The bitset's own bytes: 60 users x 13 words (400 items) x 4, plus two Int32 counters per user.
    const fixed = 60 * 13 * 4 + 60 * 8;
    expect(big.bytes).toBeGreaterThan(fixed + 2000); // every dense user's list is kept
    expect(small.bytes).toBeGreaterThan(fixed); // some fit
    expect(small.bytes).toBeLessThanOrEqual(fixed + 2000);
  });
});
