import { type Rng, type UserItemSet } from '@memrec/core';
import { rngState } from '@memrec/core/internal';
import { NO_LIST, drawFromList, drawOnePerRow, drawPerRow, rankToItem } from './complement-draw';
import { noNegativeError } from './types';

export { rankToItem };

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
 * while it is a positive (expected tries <= 2). Dense users are drawn by rank: draw a rank `r`
 * among the `N - c` unseen items and return the `r`-th of them. In bitset mode the unseen items
 * of each dense user are kept as a list (built in O(N) when the user's count or the catalogue
 * changes, capped by the memory budget), so such a draw is one array read; otherwise the rank
 * is mapped to the item `r + #{j : seen[j] - j <= r}` by binary search over the sorted
 * positives, O(log c). Both give the same item for the same rank, so the draws do not depend
 * on the strategy. The bitset is a cache kept in sync lazily: a user's row is rebuilt when
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
  private syncedItems = new Int32Array(0);
  /** Unseen items of dense users (bitset mode), `null` for others; valid while `length + count === numItems`. */
  private rest: (Int32Array | null)[] = [];
  private restBytes = 0;
  /** `seen.version` at the previous `fillBatch`, and the one at which every user was synced. */
  private lastVersion = -1;
  private fullVersion = -1;
  /** Number of bitset (re)allocations so far. */
  private reserves = 0;

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

  /** Bytes held by the bitset and the dense users' lists of unseen items. */
  get bytes(): number {
    return this.words.byteLength + this.synced.byteLength + this.syncedItems.byteLength + this.restBytes;
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

  /** Words per user row of {@link Complement.bitWords}. */
  get rowWords(): number {
    return this.wordsPerUser;
  }

  /**
   * Readies a batch for hot loops that read the bitset directly: syncs every row's user (every
   * user at once while the set stays unchanged between calls, so a static training set is
   * checked once) and returns true when row `r`'s bits start at `users[r] * rowWords` in
   * `bitWords` (a user without positives has a zero row). False in sorted mode or when a row's
   * user lies beyond the bitset (unknown to the set); then use {@link Complement.rowBase}.
   */
  prepareRows(users: Int32Array): boolean {
    if (!this.useBitset) return false;
    const seen = this.seen;
    const version = seen.version;
    if (version === this.lastVersion && version !== this.fullVersion) this.syncAll();
    this.lastVersion = version;
    if (version !== this.fullVersion) {
      // A sync that grows the bitset clears every row, including rows synced earlier in the
      // pass: repeat the pass until one completes without growing.
      let reserves: number;
      do {
        reserves = this.reserves;
        for (let r = 0; r < users.length; r++) {
          const u = users[r];
          if (seen.count(u) > 0) this.syncUser(u);
        }
        if (!this.useBitset) return false;
      } while (reserves !== this.reserves);
    }
    if (!this.useBitset) return false;
    const cap = this.userCapacity;
    for (let r = 0; r < users.length; r++) if (users[r] >= cap) return false;
    return true;
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
      const span = N - c;
      const free = bits ? this.rest[u] : null;
      if (free != null && free.length === span) {
        drawFromList(free, p, out, off, end, rng);
        return;
      }
      const list = seen.itemsOf(u);
      for (let k = off; k < end; k++) {
        let i = rankToItem(list, (rng() * span) | 0);
        while (i === p) i = rankToItem(list, (rng() * span) | 0);
        out[k] = i;
      }
    }
  }

  /**
   * `fill` for a whole batch: row `r` gets `n` draws at `out[r * n ..]`. In bitset mode the
   * batch's users are synced up front ({@link Complement.prepareRows}) and the rows run in a
   * tight loop; in sorted mode, or when a row's user is unknown to the set, row by row.
   */
  fillBatch(fn: string, users: Int32Array, positives: Int32Array, n: number, out: Int32Array, rng: Rng): void {
    if (this.seen.numItems < 3 || !this.prepareRows(users)) {
      for (let r = 0; r < users.length; r++) this.fill(fn, users[r], positives[r], n, out, r * n, rng);
      return;
    }
    // `| 0` keeps the index arithmetic in 32-bit integers (Math.ceil results may be stored as doubles).
    const N = this.seen.numItems | 0;
    const wpu = this.wordsPerUser | 0;
    const state = rngState(rng);
    // Rows the tight loops cannot take (a dense user without a list, no possible negative) go
    // through `fill`; one draw per row uses the seededRng's state when there is one.
    let r = 0;
    for (;;) {
      r = n === 1 && state !== undefined
        ? drawOnePerRow(users, positives, out, r, N, this.words, wpu, this.rest, state)
        : drawPerRow(users, positives, n, out, r, N, this.words, wpu, this.rest, rng);
      if (r >= users.length) return;
      this.fill(fn, users[r], positives[r], n, out, r * n, rng);
      r++;
    }
  }

  /** Syncs every user; on success (still bitset mode) records the version it holds for. */
  private syncAll(): void {
    const seen = this.seen;
    // Grow first: a growth inside the loop would clear the rows synced before it.
    if (seen.numUsers > this.userCapacity || seen.numItems > this.wordsPerUser * 32) {
      if (!this.reserve()) return;
    }
    for (let u = 0; u < seen.numUsers; u++) {
      this.syncUser(u);
      if (!this.useBitset) return;
    }
    this.fullVersion = seen.version;
  }

  /** Brings user `u`'s bitset row (and list of unseen items, for a dense user) up to date with `seen`. */
  private syncUser(u: number): void {
    const seen = this.seen;
    const c = seen.count(u);
    const N = seen.numItems;
    if (u < this.userCapacity && N <= this.wordsPerUser * 32) {
      if (this.synced[u] === c && (2 * c <= N ? this.rest[u] === null : this.syncedItems[u] === N)) return;
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
    this.syncedItems[u] = N;
    const old = this.rest[u];
    if (old != null) {
      this.restBytes -= old.byteLength;
      this.rest[u] = null;
    }
    if (2 * c > N) {
      if (this.restBytes + (N - c) * 4 > this.budget) {
        this.rest[u] = NO_LIST;
        return;
      }
      const free = new Int32Array(N - c);
      let o = 0;
      for (let i = 0; i < N; i++) if (((words[base + (i >>> 5)] >>> (i & 31)) & 1) === 0) free[o++] = i;
      this.rest[u] = free;
      this.restBytes += free.byteLength;
    }
  }

  /** Reallocates the bitset for the current user and item counts; false when it switched to sorted. */
  private reserve(): boolean {
    const seen = this.seen;
    // Exact size at first (a static set), 25 % headroom once the set has grown (a stream).
    const grow = this.userCapacity > 0 ? 1.25 : 1;
    const wpu = Math.max(this.wordsPerUser, Math.ceil((Math.max(seen.numItems, 1) * grow) / 32));
    const users = Math.max(this.userCapacity, Math.ceil(seen.numUsers * grow), 1);
    // Built element by element so the array stays packed (a holey array slows every read).
    this.rest = Array.from({ length: users }, () => null);
    this.reserves++;
    this.restBytes = 0;
    this.fullVersion = -1;
    if (this.auto && users * wpu * 4 > this.budget) {
      this.useBitset = false;
      this.words = new Int32Array(0);
      this.synced = new Int32Array(0);
      this.syncedItems = new Int32Array(0);
      this.wordsPerUser = 0;
      this.userCapacity = 0;
      this.rest = [];
      return false;
    }
    this.words = new Int32Array(users * wpu);
    this.synced = new Int32Array(users).fill(-1);
    this.syncedItems = new Int32Array(users);
    this.wordsPerUser = wpu;
    this.userCapacity = users;
    return true;
  }
}

