import { type Rng } from '@memrec/core';
import { nextRandom, type RngState } from '@memrec/core/internal';

/** Marks a dense user without a list of unseen items (over the memory budget): draws go through `fill`. */
export const NO_LIST = new Int32Array(0);

/**
 * One draw per row from row `from` on, for users synced by `Complement.prepareRows`; returns
 * the first row it cannot take (a dense user whose list has fewer than 2 items), or
 * `users.length`. Draws through the generator's state ({@link nextRandom}, inlined by the JIT)
 * rather than calling the generator itself.
 */
export function drawOnePerRow(
  users: Int32Array,
  positives: Int32Array,
  out: Int32Array,
  from: number,
  N: number,
  words: Int32Array,
  wpu: number,
  rest: (Int32Array | null)[],
  state: RngState,
): number {
  for (let r = from; r < users.length; r++) {
    const u = users[r];
    const p = positives[r];
    const free = rest[u];
    if (free === null) {
      // Sparse user (2c <= N, N >= 3): at least one candidate; a user without positives has a zero row.
      const base = u * wpu;
      let i = (nextRandom(state) * N) | 0;
      while (i === p || ((words[base + (i >>> 5)] >>> (i & 31)) & 1) === 1) i = (nextRandom(state) * N) | 0;
      out[r] = i;
    } else {
      const m = free.length;
      if (m < 2) return r;
      let i = free[(nextRandom(state) * m) | 0];
      while (i === p) i = free[(nextRandom(state) * m) | 0];
      out[r] = i;
    }
  }
  return users.length;
}

/**
 * `n` draws per row from row `from` on (row `r` at `out[r * n ..]`), for users synced by
 * `Complement.prepareRows`; returns the first row it cannot take (a dense user whose list has
 * fewer than 2 items), or `users.length`. Any {@link Rng}.
 */
export function drawPerRow(
  users: Int32Array,
  positives: Int32Array,
  n: number,
  out: Int32Array,
  from: number,
  N: number,
  words: Int32Array,
  wpu: number,
  rest: (Int32Array | null)[],
  rng: Rng,
): number {
  for (let r = from; r < users.length; r++) {
    const u = users[r];
    const p = positives[r];
    const off = r * n;
    const free = rest[u];
    if (free === null) {
      const base = u * wpu;
      for (let k = off, end = off + n; k < end; k++) {
        let i = (rng() * N) | 0;
        while (i === p || ((words[base + (i >>> 5)] >>> (i & 31)) & 1) === 1) i = (rng() * N) | 0;
        out[k] = i;
      }
    } else if (free.length >= 2) {
      drawFromList(free, p, out, off, off + n, rng);
    } else {
      return r;
    }
  }
  return users.length;
}

/** Writes draws from `free` (distinct items, at least one differing from `p`) into `out[off .. end)`, never `p`. */
export function drawFromList(free: Int32Array, p: number, out: Int32Array, off: number, end: number, rng: Rng): void {
  const m = free.length;
  for (let k = off; k < end; k++) {
    let i = free[(rng() * m) | 0];
    while (i === p) i = free[(rng() * m) | 0];
    out[k] = i;
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
