import type { Scorer, UserItemSet } from '@memrec/core';
import { topKRow } from '@memrec/eval';

/**
 * Top-k items for one user over the whole catalogue, best first, skipping the items in
 * `exclude` (typically the user's training items). Works with any `Scorer` (scores or distances).
 *
 * @example
 * ```ts
 * const { items, scores } = await recommend(model, 42, 10, { exclude: seen });
 * ```
 */
export async function recommend(
  scorer: Scorer,
  user: number,
  k: number,
  options: { exclude?: UserItemSet } = {},
): Promise<{ items: Int32Array; scores: Float32Array }> {
  if (!Number.isInteger(k) || k < 1) throw new Error(`recommend: k must be an integer >= 1, got ${k}`);
  if (!Number.isInteger(user) || user < 0) throw new Error(`recommend: user must be a dense user id >= 0, got ${user}`);
  const row = await scorer.scoreAll(Int32Array.of(user));
  const out = new Int32Array(Math.min(k, scorer.numItems));
  const n = topKRow(row, out.length, options.exclude?.itemsOf(user) ?? new Int32Array(0), scorer.kind === 'distance', out);
  const items = out.subarray(0, n);
  return { items, scores: Float32Array.from(items, (i) => row[i]) };
}
