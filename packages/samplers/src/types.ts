import { assertInt, type UserItemSet } from '@memrec/core';
import { show } from '@memrec/core/internal';

/**
 * Draws negative items for (user, positive) rows.
 *
 * `sample(users, positives, n)` returns `users.length * n` item ids, row-major: the `n`
 * negatives of row `r` are at `[r * n, (r + 1) * n)`. A negative is never one of the user's
 * training positives (read live from the sampler's `UserItemSet`) and never the row's own
 * positive. Pass `out` to reuse a buffer (length at least `users.length * n`).
 *
 * @example
 * ```ts
 * const seen = UserItemSet.fromInteractions(train);
 * const sampler: NegativeSampler = uniformSampler({ seen, seed: 1 });
 * const negs = sampler.sample(batchUsers, batchItems, 4); // 4 negatives per positive
 * ```
 */
export interface NegativeSampler {
  sample(users: Int32Array, positives: Int32Array, n: number, out?: Int32Array): Int32Array;
}

/** Checks a `sample` call's arguments (O(batch)); returns the output buffer to fill. */
export function checkSampleArgs(
  fn: string,
  seen: UserItemSet,
  users: Int32Array,
  positives: Int32Array,
  n: number,
  out: Int32Array | undefined,
): Int32Array {
  if (!(users instanceof Int32Array)) throw new Error(`${fn}: users must be an Int32Array, got ${show(users)}`);
  if (!(positives instanceof Int32Array)) throw new Error(`${fn}: positives must be an Int32Array, got ${show(positives)}`);
  if (users.length !== positives.length) {
    throw new Error(`${fn}: users and positives must have equal length, got ${users.length} and ${positives.length}`);
  }
  assertInt(fn, 'n', n, 1);
  const numItems = seen.numItems;
  for (let r = 0; r < users.length; r++) {
    const u = users[r];
    if (!(u >= 0)) throw new Error(`${fn}: users[${r}] must be a non-negative integer id, got ${u}`);
    const p = positives[r];
    if (!(p >= 0 && p < numItems)) throw new Error(`${fn}: positives[${r}] must be an integer id in [0, ${numItems}), got ${p}`);
  }
  const need = users.length * n;
  if (out === undefined) return new Int32Array(need);
  if (!(out instanceof Int32Array) || out.length < need) {
    throw new Error(`${fn}: out must be an Int32Array of length >= users.length * n = ${need}, got ${show(out)}`);
  }
  return out;
}

/** Checks the `seen` option of a sampler factory. */
export function checkSeen(fn: string, seen: unknown): asserts seen is UserItemSet {
  const s = seen as UserItemSet | null;
  if (s == null || typeof s !== 'object' || typeof s.has !== 'function' || typeof s.itemsOf !== 'function') {
    throw new Error(`${fn}: seen must be a UserItemSet, got ${show(seen)}`);
  }
}

/** Error for a row whose user has no item left to draw. */
export function noNegativeError(fn: string, u: number, p: number, seen: UserItemSet): Error {
  return new Error(
    `${fn}: user ${u} has no possible negative (has seen ${seen.count(u)} of ${seen.numItems} items; row positive ${p})`,
  );
}
