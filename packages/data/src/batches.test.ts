import type { Interactions } from '@memrec/core';
import { shuffledBatches, timeOrderedBatches } from './batches';

const data: Interactions = {
  users: Int32Array.from({ length: 10 }, (_, k) => k),
  items: Int32Array.from({ length: 10 }, (_, k) => 100 + k),
  timestamps: Float64Array.from([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
  numUsers: 10,
  numItems: 110,
};

describe('batches', () => {
  it('shuffledBatches covers every row once per epoch, seeded, a new order each epoch', () => {
    const it = shuffledBatches(data, { batchSize: 4, seed: 7 });
    const e0 = [...it];
    const e1 = [...it];
    expect(e0.map((b) => b.users.length)).toEqual([4, 4, 2]);
    const flat = (bs: typeof e0) => bs.flatMap((b) => Array.from(b.users));
    expect(flat(e0).slice().sort((a, b) => a - b)).toEqual(Array.from(data.users));
    expect(flat(e0)).not.toEqual(flat(e1));
    expect(flat([...shuffledBatches(data, { batchSize: 4, seed: 7 })])).toEqual(flat(e0));
    for (const b of e0) expect(Array.from(b.items)).toEqual(Array.from(b.users, (u) => 100 + u));
    expect([...shuffledBatches(data, { batchSize: 4, seed: 7, dropLast: true })].length).toBe(2);
    expect(() => shuffledBatches(data, { batchSize: 0, seed: 1 })).toThrow('shuffledBatches: batchSize must be an integer >= 1, got 0');
  });

  it('timeOrderedBatches yields rows in time order with their timestamps', () => {
    const bs = [...timeOrderedBatches(data, { batchSize: 3 })];
    expect(bs.flatMap((b) => Array.from(b.timestamps!))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(bs[0].users)).toEqual([9, 8, 7]);
  });
});
