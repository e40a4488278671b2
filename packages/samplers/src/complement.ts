import type { Rng, UserItemSet } from '@memrec/core';
import { noNegativeError } from './types';

/**
 * How a sampler tests "has user u seen item i": `bitset` (one bit per user and item, O(1),
 * `numUsers * numItems / 8` bytes), `sorted` (binary search in the user's sorted positives,
 * no extra memory), or `auto` (bitset while it fits in `bitsetBudgetBytes`, else sorted).
 */
export type ExclusionMode = 'auto' | 'bitset' | 'sorted';

/** Default memory cap of the bitset in `auto` mode: 256 MiB. */
export const DEFAULT_BITSET_BUDGET = 256 * 1024 * 1024;

/**
 * Uniform draws from the items a user has not seen (the complement of the user's positives),
 * reading a live {@link UserItemSet}.
 *
 * Sparse users (seen at most half the catalogue) use rejection: draw an item uniformly, retry
 * while it is a positive (expected tries <= 2). Dense users use rank mapping: draw a rank `r`
 * among the `N - c` unseen items and map it to the item `r + #{j : seen[j] - j <= r}` by binary
 * search over the sorted positives, so a user who has seen all but two items still costs
 * O(log c) per draw. The bitset is a cache kept in sync lazily: a user's row is rebuilt when
 * `seen.count(u)` differs from the count it was built from (a `UserItemSet` only grows).
 *
 * @example
 * ```ts
 * const c = new Complement(seen, 'auto');
 * const out = new Int32Array(4);
 * c.fill('mySampler', 0, 7, 4, out, 0, seededRng(1)); // 4 items user 0 has not seen, none equal to 7
 * ```
 */
export class Complement {
  readonly seen: UserItemSet;
  private useBitset: boolean;
  private readonly auto: boolean;
  private readonly budget: number;
  private words = new Int32Array(0);
  private wordsPerUser = 0;
  private userCapacity = 0;
  private synced = new Int32Array(0);

  constructor(seen: UserItemSet, mode: ExclusionMode = 'auto', bitsetBudgetBytes = DEFAULT_BITSET_BUDGET) {
    if (mode !== 'auto' && mode !== 'bitset' && mode !== 'sorted') {
      throw new Error(`Complement: mode must be 'auto', 'bitset' or 'sorted', got ${String(mode)}`);
    }
    this.seen = seen;
    this.useBitset = mode !== 'sorted';
    this.auto = mode === 'auto';
    this.budget = bitsetBudgetBytes;
  }

  /** The strategy in use now (`auto` resolves to one of these). */
  get mode(): 'bitset' | 'sorted' {
    return this.useBitset ? 'bitset' : 'sorted';
  }

  /** Whether `i` must be excluded for user `u` (a positive of `u`). */
  isPositive(u: number, i: number): boolean {
    if (this.useBitset && u < this.seen.numUsers) {
      this.syncUser(u);
      if (!this.useBitset) return this.seen.has(u, i);
      return ((this.words[u * this.wordsPerUser + (i >>> 5)] >>> (i & 31)) & 1) === 1;
    }
    return this.seen.has(u, i);
  }

  /**
   * Syncs user `u`'s bitset row and returns its first word index in {@link Complement.bitWords},
   * or -1 when the user has no positives or the sorted strategy is in use (then test with
   * `seen.has`). For hot loops of samplers built on this engine.
   */
  rowBase(u: number): number {
    if (!this.useBitset || this.seen.count(u) === 0) return -1;
    this.syncUser(u);
    return this.useBitset ? u * this.wordsPerUser : -1;
  }

  /** The bitset words (valid for row bases returned by {@link Complement.rowBase} until the next sync). */
  get bitWords(): Int32Array {
    return this.words;
  }

  /**
   * Writes `n` uniform draws into `out[off .. off + n)`: items in `[0, seen.numItems)` that user
   * `u` has not seen and that differ from `p`. Throws when no such item exists.
   */
  fill(fn: string, u: number, p: number, n: number, out: Int32Array, off: number, rng: Rng): void {
    const seen = this.seen;
    const N = seen.numItems;
    const c = seen.count(u);
    if (c > 0 && this.useBitset) this.syncUser(u);
    const bits = c > 0 && this.useBitset;
    const words = this.words;
    const base = bits ? u * this.wordsPerUser : 0;
    const pSeen = c > 0 && (bits ? ((words[base + (p >>> 5)] >>> (p & 31)) & 1) === 1 : seen.has(u, p));
    const avail = N - c - (pSeen ? 0 : 1);
    if (avail <= 0) throw noNegativeError(fn, u, p, seen);
    const end = off + n;
    if (c === 0) {
      for (let k = off; k < end; k++) {
        let i = (rng() * N) | 0;
        while (i === p) i = (rng() * N) | 0;
        out[k] = i;
      }
    } else if (2 * c <= N) {
      if (bits) {
        for (let k = off; k < end; k++) {
          let i = (rng() * N) | 0;
          while (i === p || ((words[base + (i >>> 5)] >>> (i & 31)) & 1) === 1) i = (rng() * N) | 0;
          out[k] = i;
        }
      } else {
        for (let k = off; k < end; k++) {
          let i = (rng() * N) | 0;
          while (i === p || seen.has(u, i)) i = (rng() * N) | 0;
          out[k] = i;
        }
      }
    } else {
      const list = seen.itemsOf(u);
      const span = N - c;
      for (let k = off; k < end; k++) {
        let i = rankToItem(list, (rng() * span) | 0);
        while (i === p) i = rankToItem(list, (rng() * span) | 0);
        out[k] = i;
      }
    }
  }

  /**
   * `fill` for a whole batch: row `r` gets `n` draws at `out[r * n ..]`. The common case
   * (bitset, sparse user) runs inline with hoisted locals; other rows go through `fill`.
   */
  fillBatch(fn: string, users: Int32Array, positives: Int32Array, n: number, out: Int32Array, rng: Rng): void {
    const seen = this.seen;
    const N = seen.numItems;
    for (let r = 0; r < users.length; r++) {
      const u = users[r];
      const p = positives[r];
      const c = seen.count(u);
      if (c === 0 || 2 * c > N || N < 3 || !this.useBitset) {
        this.fill(fn, u, p, n, out, r * n, rng);
        continue;
      }
      if (u >= this.userCapacity || this.synced[u] !== c || N > this.wordsPerUser * 32) {
        this.syncUser(u);
        if (!this.useBitset) {
          this.fill(fn, u, p, n, out, r * n, rng);
          continue;
        }
      }
      // 2c <= N and N >= 3 leave at least N - c - 1 >= 1 candidates: no availability check needed.
      const words = this.words;
      const base = u * this.wordsPerUser;
      for (let k = r * n, end = k + n; k < end; k++) {
        let i = (rng() * N) | 0;
        while (i === p || ((words[base + (i >>> 5)] >>> (i & 31)) & 1) === 1) i = (rng() * N) | 0;
        out[k] = i;
      }
    }
  }

  /** Brings user `u`'s bitset row up to date with `seen` (grows the bitset when needed). */
  private syncUser(u: number): void {
    const seen = this.seen;
    const c = seen.count(u);
    if (u < this.userCapacity && seen.numItems <= this.wordsPerUser * 32) {
      if (this.synced[u] === c) return;
    } else if (!this.reserve()) {
      return;
    }
    const wpu = this.wordsPerUser;
    const words = this.words;
    const base = u * wpu;
    words.fill(0, base, base + wpu);
    const list = seen.itemsOf(u);
    for (let j = 0; j < list.length; j++) {
      const i = list[j];
      words[base + (i >>> 5)] |= 1 << (i & 31);
    }
    this.synced[u] = c;
  }

  /** Reallocates the bitset for the current user and item counts; false when it switched to sorted. */
  private reserve(): boolean {
    const seen = this.seen;
    const wpu = Math.max(this.wordsPerUser, Math.ceil((Math.max(seen.numItems, 1) * 1.25) / 32));
    const users = Math.max(this.userCapacity, Math.ceil(seen.numUsers * 1.25), 1);
    if (this.auto && users * wpu * 4 > this.budget) {
      this.useBitset = false;
      this.words = new Int32Array(0);
      this.synced = new Int32Array(0);
      this.wordsPerUser = 0;
      this.userCapacity = 0;
      return false;
    }
    this.words = new Int32Array(users * wpu);
    this.synced = new Int32Array(users).fill(-1);
    this.wordsPerUser = wpu;
    this.userCapacity = users;
    return true;
  }
}

/**
 * The `r`-th (0-based) item not in the sorted, duplicate-free `list`: `r + m` where
 * `m = #{j : list[j] - j <= r}` (`list[j] - j` is non-decreasing, so `m` is a binary search).
 */
export function rankToItem(list: Int32Array, r: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] - mid <= r) lo = mid + 1;
    else hi = mid;
  }
  return r + lo;
}
