import { UserItemSet } from './user-item-set';

describe('UserItemSet', () => {
  const data = {
    users: Int32Array.from([0, 0, 1, 0, 2]),
    items: Int32Array.from([3, 1, 1, 3, 0]),
    numUsers: 3,
    numItems: 4,
  };

  it('holds each user\'s distinct items sorted', () => {
    const s = UserItemSet.fromInteractions(data);
    expect(Array.from(s.itemsOf(0))).toEqual([1, 3]);
    expect(Array.from(s.itemsOf(1))).toEqual([1]);
    expect(s.count(0)).toBe(2);
    expect(s.has(0, 3)).toBe(true);
    expect(s.has(0, 0)).toBe(false);
    expect(s.has(2, 0)).toBe(true);
  });

  it('adds interactions in a stream, growing users and items', () => {
    const s = UserItemSet.fromInteractions(data);
    expect(s.add(0, 2)).toBe(true);
    expect(s.add(0, 2)).toBe(false);
    expect(Array.from(s.itemsOf(0))).toEqual([1, 2, 3]);
    expect(s.add(5, 9)).toBe(true);
    expect(s.numUsers).toBe(6);
    expect(s.numItems).toBe(10);
    expect(s.count(4)).toBe(0);
    expect(s.has(5, 9)).toBe(true);
    // many inserts in random order stay sorted and unique
    for (const i of [7, 0, 4, 4, 8, 6, 0]) s.add(1, i);
    expect(Array.from(s.itemsOf(1))).toEqual([0, 1, 4, 6, 7, 8]);
  });

  it('version changes with every change and only then', () => {
    const s = UserItemSet.fromInteractions(data);
    let v = s.version;
    const changed = () => {
      const now = s.version;
      const moved = now !== v;
      v = now;
      return moved;
    };
    expect(s.add(0, 3)).toBe(false);
    expect(changed()).toBe(false);
    s.growUsers(2); // no more users than it has
    s.growItems(4);
    expect(changed()).toBe(false);
    expect(s.add(0, 2)).toBe(true);
    expect(changed()).toBe(true);
    s.growUsers(7);
    expect(changed()).toBe(true);
    s.growItems(12);
    expect(changed()).toBe(true);
    expect(s.add(9, 20)).toBe(true);
    expect(changed()).toBe(true);
    s.has(9, 20);
    s.itemsOf(9);
    expect(changed()).toBe(false);
  });

  it('rejects ids out of range with the argument named', () => {
    expect(() => UserItemSet.fromInteractions({ ...data, numItems: 2 })).toThrow(/items\[0\] must be an integer id in \[0, 2\), got 3/);
    expect(() => new UserItemSet(2, 2).add(-1, 0)).toThrow(/UserItemSet.add: u must be an integer >= 0, got -1/);
  });
});
