import type { Recommendation, Scorer, UserItemSet } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { topKRow } from '@memrec/eval';

/**
 * Top-k items for one dense user id over the whole catalogue of any {@link Scorer} (scores or
 * distances), best first, skipping the items of `exclude` (typically the user's seen items).
 * A `Recommender` has its own `recommend`; this helper serves scorers you compose yourself.
 *
 * @example
 * ```ts
 * import { recommend } from '@memrec/models';
 * const scorer = { numItems: 3, scoreAll: (users: Int32Array) => new Float32Array(users.length * 3).fill(1) };
 * const { items, scores } = await recommend(scorer, 0, 2);
 * ```
 */
export async function recommend(scorer: Scorer, user: number, k: number, options: { exclude?: UserItemSet } = {}): Promise<Recommendation> {
  if (!Number.isInteger(k) || k < 1) throw new Error(`recommend: k must be an integer >= 1, got ${show(k)}`);
  if (!Number.isInteger(user) || user < 0) throw new Error(`recommend: user must be a dense user id >= 0, got ${show(user)}`);
  const row = await scorer.scoreAll(Int32Array.of(user));
  if (!(row instanceof Float32Array) || row.length !== scorer.numItems) throw new Error(`recommend: scoreAll must return ${scorer.numItems} scores for one user, got ${show(row)}`);
  const out = new Int32Array(Math.min(k, scorer.numItems));
  const exclude = options.exclude && user < options.exclude.numUsers ? options.exclude.itemsOf(user) : new Int32Array(0);
  const n = topKRow(row, out.length, exclude, scorer.kind === 'distance', out);
  const items = out.slice(0, n);
  return { items, scores: Float32Array.from(items, (i) => row[i]) };
}

/**
 * Median and 99th-percentile wall time (ms) of `model.recommend(user, k)` over `reps` users
 * spread across the id range (after one warm-up call).
 *
 * @example
 * ```ts
 * const { median, p99 } = recommendLatency(model, 100);
 * ```
 */
export function recommendLatency(model: { numUsers: number; recommend(user: number, k: number): Recommendation }, reps: number, k = 10): { median: number; p99: number } {
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`recommendLatency: reps must be an integer >= 1, got ${show(reps)}`);
  if (model.numUsers < 1) throw new Error(`recommendLatency: model must know at least one user, got ${model.numUsers}`);
  model.recommend(0, k);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    model.recommend((r * 7919) % model.numUsers, k);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { median: q(0.5), p99: q(0.99) };
}
