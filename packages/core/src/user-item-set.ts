import { assertIds, assertInt } from './assert';
import type { Interactions } from './types';

/**
 * The set of items each user has interacted with, kept as one sorted, duplicate-free
 * `Int32Array` per user. Membership is a binary search; new interactions (a stream) can be
 * added, and new users and items can appear. Samplers use it to exclude positives,
 * evaluators to exclude training items.
 *
 * @example
 * ```ts
 * const seen = UserItemSet.fromInteractions({ users: Int32Array.from([0, 0, 1]), items: Int32Array.from([2, 0, 1]), numUsers: 2, numItems: 3 });
 * seen.has(0, 2); // true
 * seen.itemsOf(0); // Int32Array [0, 2]
 * seen.add(1, 2);
 * ```
 */
export class UserItemSet {
  private lists: Int32Array[];
  private sizes: Int32Array;
  private _numItems: number;
  private _version = 0;

  constructor(numUsers: number, numItems: number) {
    assertInt('UserItemSet', 'numUsers', numUsers, 0);
    assertInt('UserItemSet', 'numItems', numItems, 0);
    this.lists = Array.from({ length: numUsers }, () => EMPTY);
    this.sizes = new Int32Array(numUsers);
    this._numItems = numItems;
  }

  /** Builds the set from interactions (duplicates collapse). */
  static fromInteractions(data: Interactions): UserItemSet {
    const { users, items, numUsers, numItems } = data;
    if (users.length !== items.length) {
      throw new Error(`UserItemSet.fromInteractions: users and items must have equal length, got ${users.length} and ${items.length}`);
    }
    assertIds('UserItemSet.fromInteractions', 'users', users, numUsers);
    assertIds('UserItemSet.fromInteractions', 'items', items, numItems);
    const set = new UserItemSet(numUsers, numItems);
    const counts = new Int32Array(numUsers);
    for (let k = 0; k < users.length; k++) counts[users[k]]++;
    for (let u = 0; u < numUsers; u++) set.lists[u] = counts[u] ? new Int32Array(counts[u]) : EMPTY;
    const fill = new Int32Array(numUsers);
    for (let k = 0; k < users.length; k++) set.lists[users[k]][fill[users[k]]++] = items[k];
    for (let u = 0; u < numUsers; u++) {
      const l = set.lists[u];
      if (l.length === 0) continue;
      l.sort();
      let w = 1;
      for (let r = 1; r < l.length; r++) if (l[r] !== l[w - 1]) l[w++] = l[r];
      set.sizes[u] = w;
    }
    return set;
  }

  /** Number of users (grows with `add`). */
  get numUsers(): number {
    return this.sizes.length;
  }

  /** Number of items (grows with `add`). */
  get numItems(): number {
    return this._numItems;
  }

  /**
   * Change counter: increases with every change (a new pair, more users or more items), so two
   * equal readings mean the set did not change in between. Lets caches built from the set
   * (a sampler's bitset, say) skip per-row checks while the set is static.
   */
  get version(): number {
    return this._version;
  }

  /** Number of distinct items of user `u` (0 for unknown users). */
  count(u: number): number {
    return u < this.sizes.length ? this.sizes[u] : 0;
  }

  /** Sorted items of user `u` (a view; do not modify). */
  itemsOf(u: number): Int32Array {
    return u < this.sizes.length ? this.lists[u].subarray(0, this.sizes[u]) : EMPTY;
  }

  /** Whether user `u` has interacted with item `i`. */
  has(u: number, i: number): boolean {
    if (u >= this.sizes.length) return false;
    const l = this.lists[u];
    let lo = 0;
    let hi = this.sizes[u] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = l[mid];
      if (v === i) return true;
      if (v < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Adds (u, i); grows users and items as needed. Returns false when it was already present. */
  add(u: number, i: number): boolean {
    assertInt('UserItemSet.add', 'u', u, 0);
    assertInt('UserItemSet.add', 'i', i, 0);
    if (u >= this.sizes.length) this.growUsers(u + 1);
    if (i >= this._numItems) this.growItems(i + 1);
    const n = this.sizes[u];
    let l = this.lists[u];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (l[mid] < i) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && l[lo] === i) return false;
    if (n === l.length) {
      const bigger = new Int32Array(Math.max(4, n * 2));
      bigger.set(l.subarray(0, n));
      l = bigger;
      this.lists[u] = l;
    }
    l.copyWithin(lo + 1, lo, n);
    l[lo] = i;
    this.sizes[u] = n + 1;
    this._version++;
    return true;
  }

  /** Adds every interaction of `users`/`items`. */
  addAll(users: Int32Array, items: Int32Array): void {
    for (let k = 0; k < users.length; k++) this.add(users[k], items[k]);
  }

  /** Makes room for users `0..numUsers-1`. */
  growUsers(numUsers: number): void {
    if (numUsers <= this.sizes.length) return;
    const sizes = new Int32Array(numUsers);
    sizes.set(this.sizes);
    this.sizes = sizes;
    while (this.lists.length < numUsers) this.lists.push(EMPTY);
    this._version++;
  }

  /** Makes room for items `0..numItems-1`. */
  growItems(numItems: number): void {
    if (numItems <= this._numItems) return;
    this._numItems = numItems;
    this._version++;
  }
}

const EMPTY = new Int32Array(0);
