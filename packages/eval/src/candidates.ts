import { randInt, seededRng, UserItemSet, type Interactions, type Rng } from '@memrec/core';

/**
 * Candidate negatives of each sampled-N test case, stored with a run so it can be repeated.
 * Case c is (users[c], items[c]) with negatives `negatives[offsets[c] .. offsets[c + 1])`.
 */
export interface SampledCandidates {
  /** `'sampled'` (drawn by {@link sampleCandidates}) or `'predefined'` (e.g. an NCF `.test.negative` file). */
  source: 'sampled' | 'predefined';
  /** Negatives requested per case (N). */
  n: number;
  /** Seed of the draw (`null` for predefined lists). */
  seed: number | null;
  numUsers: number;
  numItems: number;
  users: Int32Array;
  items: Int32Array;
  /** Length cases + 1. */
  offsets: Int32Array;
  negatives: Int32Array;
  /** Cases whose list lost a duplicate or the held-out item itself when de-duplicated. */
  dedupedCases: number;
}

function inSorted(list: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Draws `n` distinct items uniformly from `[0, numItems)` minus `exclude` (sorted ascending,
 * duplicate free) and minus `alsoExclude` (-1 for none); writes them ascending into `out`.
 * Rejection sampling while the excluded share is small, else a partial Fisher-Yates shuffle of
 * the allowed items. Returns false when fewer than `n` items are allowed.
 *
 * @example
 * ```ts
 * const out = new Int32Array(2);
 * sampleExcluding(seededRng(1), 2, 10, Int32Array.from([0, 1]), 5, out); // true; out holds 2 of {2,3,4,6,7,8,9}
 * ```
 */
export function sampleExcluding(rng: Rng, n: number, numItems: number, exclude: Int32Array, alsoExclude: number, out: Int32Array): boolean {
  const extra = alsoExclude >= 0 && alsoExclude < numItems && !inSorted(exclude, alsoExclude) ? 1 : 0;
  let excluded = extra;
  for (let e = 0; e < exclude.length; e++) if (exclude[e] < numItems) excluded++;
  const allowed = numItems - excluded;
  if (allowed < n) return false;
  if (excluded + n <= numItems / 2) {
    const chosen = new Set<number>();
    while (chosen.size < n) {
      const j = randInt(rng, numItems);
      if (j === alsoExclude || chosen.has(j) || inSorted(exclude, j)) continue;
      chosen.add(j);
    }
    let w = 0;
    for (const j of chosen) out[w++] = j;
  } else {
    const pool = new Int32Array(allowed);
    let w = 0;
    let e = 0;
    for (let j = 0; j < numItems; j++) {
      while (e < exclude.length && exclude[e] < j) e++;
      if ((e < exclude.length && exclude[e] === j) || j === alsoExclude) continue;
      pool[w++] = j;
    }
    for (let i = 0; i < n; i++) {
      const r = i + randInt(rng, allowed - i);
      const t = pool[i];
      pool[i] = pool[r];
      pool[r] = t;
      out[i] = pool[i];
    }
  }
  out.subarray(0, n).sort();
  return true;
}

/** Options of {@link sampleCandidates}. */
export interface SampleCandidatesOptions {
  /** Training items of each user. */
  seen: UserItemSet;
  /** Negatives per test case (e.g. 100 for sampled-100, 99 for the NCF protocol). */
  n: number;
  seed: number;
}

/**
 * Draws, for every test case (u, i) in order, `n` distinct items uniformly from the items user u
 * never interacted with (neither in training, `seen`, nor anywhere in `test`), with one seeded
 * generator. The same seed, data and order give the same candidates.
 *
 * @example
 * ```ts
 * const cands = sampleCandidates(test, { seen: UserItemSet.fromInteractions(train), n: 100, seed: 1 });
 * ```
 */
export function sampleCandidates(test: Interactions, options: SampleCandidatesOptions): SampledCandidates {
  const fn = 'sampleCandidates';
  const { seen, n, seed } = options;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${fn}: n must be an integer >= 1, got ${n}`);
  if (!Number.isFinite(seed)) throw new Error(`${fn}: seed must be a finite number, got ${seed}`);
  const numItems = Math.max(test.numItems, seen.numItems);
  let numUsers = Math.max(test.numUsers, seen.numUsers);
  for (let r = 0; r < test.users.length; r++) numUsers = Math.max(numUsers, test.users[r] + 1);
  const testSet = UserItemSet.fromInteractions({ users: test.users, items: test.items, numUsers, numItems });
  const rng = seededRng(seed);
  const cases = test.users.length;
  const negatives = new Int32Array(cases * n);
  const offsets = new Int32Array(cases + 1);
  for (let c = 0; c < cases; c++) {
    const u = test.users[c];
    const a = seen.itemsOf(u);
    const b = testSet.itemsOf(u);
    const union = mergeSorted(a, b);
    if (!sampleExcluding(rng, n, numItems, union, -1, negatives.subarray(c * n, (c + 1) * n))) {
      throw new Error(`${fn}: user ${u} must have at least n = ${n} items it never interacted with, got ${numItems - union.length}`);
    }
    offsets[c + 1] = (c + 1) * n;
  }
  return { source: 'sampled', n, seed, numUsers, numItems, users: test.users.slice(), items: test.items.slice(), offsets, negatives, dedupedCases: 0 };
}

/** Sorted union of two sorted, duplicate-free lists. */
export function mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out[w++] = a[i++];
    else if (i >= a.length || b[j] < a[i]) out[w++] = b[j++];
    else {
      out[w++] = a[i++];
      j++;
    }
  }
  return out.subarray(0, w);
}

/** Input of {@link candidatesFromLists}. */
export interface PredefinedCandidates {
  users: ArrayLike<number>;
  items: ArrayLike<number>;
  /** Negatives of each case, as listed (duplicates and the held-out item allowed). */
  negatives: ArrayLike<number>[];
  numUsers: number;
  numItems: number;
}

/**
 * Builds candidates from predefined lists (e.g. the NCF `ml-1m.test.negative` file: 99 negatives
 * per (user, item)) and de-duplicates them as the NCF reference evaluator does: it appends the
 * held-out item to the negatives and keys scores by item in a dict, so a repeated negative, or the
 * held-out item listed among its own negatives (156 users of ml-1m), counts once.
 *
 * @example
 * ```ts
 * const c = candidatesFromLists({ users: [0], items: [5], negatives: [[1, 5, 2, 2]], numUsers: 1, numItems: 9 });
 * // c.negatives = [1, 2], c.dedupedCases = 1
 * ```
 */
export function candidatesFromLists(lists: PredefinedCandidates): SampledCandidates {
  const fn = 'candidatesFromLists';
  const { users, items, negatives, numUsers, numItems } = lists;
  if (users.length !== items.length || users.length !== negatives.length) {
    throw new Error(`${fn}: users, items and negatives must have equal length, got ${users.length}, ${items.length} and ${negatives.length}`);
  }
  const offsets = new Int32Array(users.length + 1);
  const out: number[] = [];
  let dedupedCases = 0;
  let n = 0;
  for (let c = 0; c < users.length; c++) {
    const list = negatives[c];
    n = Math.max(n, list.length);
    const set = new Set<number>();
    for (let j = 0; j < list.length; j++) {
      const x = list[j];
      if (!Number.isInteger(x) || x < 0 || x >= numItems) throw new Error(`${fn}: negatives[${c}][${j}] must be an item id in [0, ${numItems}), got ${x}`);
      if (x !== items[c]) set.add(x);
    }
    if (set.size !== list.length) dedupedCases++;
    out.push(...[...set].sort((a, b) => a - b));
    offsets[c + 1] = out.length;
  }
  return { source: 'predefined', n, seed: null, numUsers, numItems, users: Int32Array.from(users), items: Int32Array.from(items), offsets, negatives: Int32Array.from(out), dedupedCases };
}
