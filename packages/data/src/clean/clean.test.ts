import { IdMap, type Interactions } from '@memrec/core';
import { computeStats, type LoadedDataset } from '../types';
import { dedupe } from './dedupe';
import { kCore } from './k-core';
import { sortByTime } from './sort-by-time';
import { toImplicit } from './to-implicit';

const x = (users: number[], items: number[], extra: Partial<Interactions> = {}): Interactions => ({
  users: Int32Array.from(users),
  items: Int32Array.from(items),
  numUsers: Math.max(...users) + 1,
  numItems: Math.max(...items) + 1,
  ...extra,
});

describe('cleaning', () => {
  it('toImplicit keeps ratings >= minRating, drops the rating column, keeps ids', () => {
    const d = toImplicit(x([0, 1, 2], [0, 1, 2], { ratings: Float32Array.of(5, 3, 4) }), 4);
    expect(Array.from(d.users)).toEqual([0, 2]);
    expect(d.ratings).toBeUndefined();
    expect(d.numUsers).toBe(3);
    expect(() => toImplicit(x([0], [0]), 4)).toThrow('toImplicit: data must have ratings');
    expect(() => toImplicit(x([0], [0], { ratings: Float32Array.of(1) }), NaN)).toThrow('toImplicit: minRating must be a finite number, got NaN');
  });

  it('dedupe keeps first / last in time order, or counts', () => {
    // user 0 sees item 1 at times 30, 10, 20 (rows 0, 2, 3); user 1 sees item 1 once.
    const d = x([0, 1, 0, 0, 0], [1, 1, 1, 1, 2], { timestamps: Float64Array.of(30, 5, 10, 20, 1) });
    expect(Array.from(dedupe(d, 'first').timestamps!)).toEqual([5, 10, 1]);
    expect(Array.from(dedupe(d, 'last').timestamps!)).toEqual([30, 5, 1]);
    const c = dedupe(d, 'count');
    expect(Array.from(c.timestamps!)).toEqual([5, 10, 1]);
    expect(Array.from(c.ratings!)).toEqual([1, 3, 1]);
    expect(() => dedupe(d, 'max' as never)).toThrow(`dedupe: policy must be 'first', 'last' or 'count', got "max"`);
  });

  it('kCore iterates to a fixed point and remaps ids and id maps', () => {
    // Triangle users {0,1} x items {0,1} is a 2-core; user 2 (items 0,2) loses item 2 (degree 1)
    // and then has one interaction left, so it goes too, which is a second round.
    const inter = x([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 2]);
    const data: LoadedDataset = { interactions: inter, users: IdMap.from(['a', 'b', 'c']), items: IdMap.from([10, 11, 12]), stats: computeStats(inter) };
    const core = kCore(data, 2);
    expect(core.rounds).toBe(3);
    expect(core.interactions.numUsers).toBe(2);
    expect(core.interactions.numItems).toBe(2);
    expect(core.users.rawIds()).toEqual(['a', 'b']);
    expect(core.items.rawIds()).toEqual([10, 11]);
    expect(Array.from(core.oldUserIds)).toEqual([0, 1]);
    expect(core.stats.numInteractions).toBe(4);
    // Property: every surviving user and item has >= k interactions.
    const bare = kCore(x([3, 3, 3, 1, 1, 1, 0], [0, 1, 2, 0, 1, 2, 5]), 2);
    expect(bare.interactions.users.length).toBe(6);
    const deg = (ids: Int32Array, n: number) => ids.reduce((a, id) => (a[id]++, a), new Array(n).fill(0));
    expect(Math.min(...deg(bare.interactions.users, bare.interactions.numUsers))).toBeGreaterThanOrEqual(2);
    expect(Math.min(...deg(bare.interactions.items, bare.interactions.numItems))).toBeGreaterThanOrEqual(2);
    expect(bare.users.rawIds()).toEqual([1, 3]);
    expect(bare.items.rawIds()).toEqual([0, 1, 2]);
    expect(() => kCore(inter, 0)).toThrow('kCore: k must be an integer >= 1, got 0');
  });

  it('sortByTime is stable and keeps every column aligned', () => {
    const d = sortByTime(x([0, 1, 2, 3], [0, 1, 2, 3], { timestamps: Float64Array.of(5, 1, 5, 1), ratings: Float32Array.of(1, 2, 3, 4) }));
    expect(Array.from(d.users)).toEqual([1, 3, 0, 2]);
    expect(Array.from(d.ratings!)).toEqual([2, 4, 1, 3]);
    expect(() => sortByTime(x([0], [0]))).toThrow('sortByTime: data must have timestamps');
  });
});
