import { UserItemSet } from '@memrec/core';

/**
 * A small seen-set for tests: user 0 has seen items {1, 3, 5}, user 1 has seen all items but
 * `free` (two items), user 2 has seen nothing, user 3 has seen item 0.
 */
export function fixtureSet(numItems = 40, free: [number, number] = [7, 31]): UserItemSet {
  const users: number[] = [0, 0, 0, 3];
  const items: number[] = [1, 3, 5, 0];
  for (let i = 0; i < numItems; i++) {
    if (i !== free[0] && i !== free[1]) {
      users.push(1);
      items.push(i);
    }
  }
  return UserItemSet.fromInteractions({ users: Int32Array.from(users), items: Int32Array.from(items), numUsers: 4, numItems });
}

/** Asserts no negative of row r is a positive of users[r] or equals positives[r], and all are in range. */
export function expectValidNegatives(seen: UserItemSet, users: Int32Array, positives: Int32Array, n: number, negs: Int32Array): void {
  expect(negs.length).toBe(users.length * n);
  let bad = 0;
  for (let k = 0; k < negs.length; k++) {
    const r = Math.floor(k / n);
    const i = negs[k];
    if (!(Number.isInteger(i) && i >= 0 && i < seen.numItems) || seen.has(users[r], i) || i === positives[r]) bad++;
  }
  expect({ invalidNegatives: bad }).toEqual({ invalidNegatives: 0 });
}
