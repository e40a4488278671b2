/**
 * Ranking metrics for one user: pure functions of a ranked list and a relevant set.
 *
 * Conventions (all metrics):
 * - `ranked` is the user's recommendation list, best first (a top-k list or the full ranking).
 * - `relevant` is the set of relevant items (binary relevance), as a `Set` or an `Int32Array`.
 * - `k` truncates the list to its first `k` entries; a list shorter than `k` is not padded
 *   (its missing entries count as misses; Precision@k still divides by `k`).
 * - Metrics that are not truncated (`mrr`, `averagePrecision`) are exact only when `ranked` is
 *   the full ranking; relevant items missing from `ranked` count as never retrieved.
 * - An empty relevant set gives 0 for every metric.
 */

/** Relevant items, as a set or a list of item ids. */
export type RelevantItems = Int32Array | ReadonlySet<number>;

function toSet(relevant: RelevantItems): ReadonlySet<number> {
  return relevant instanceof Int32Array ? new Set(relevant) : relevant;
}

function checkK(fn: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be an integer >= 1, got ${k}`);
}

/**
 * 0-based positions (ascending) of the relevant items within `ranked`, looking at the first
 * `limit` entries (default: all).
 *
 * @example
 * ```ts
 * relevantPositions(Int32Array.from([7, 3, 9]), new Set([9, 7])); // Int32Array [0, 2]
 * ```
 */
export function relevantPositions(ranked: Int32Array, relevant: RelevantItems, limit = ranked.length): Int32Array {
  const set = toSet(relevant);
  const n = Math.min(limit, ranked.length);
  const out: number[] = [];
  for (let p = 0; p < n; p++) if (set.has(ranked[p])) out.push(p);
  return Int32Array.from(out);
}

function relevantSize(relevant: RelevantItems): number {
  return relevant instanceof Int32Array ? new Set(relevant).size : relevant.size;
}

/**
 * Hit rate HR@k: 1 when at least one relevant item is in the top k, else 0.
 *
 * @example
 * ```ts
 * hitRate(Int32Array.from([4, 2, 8]), new Set([8]), 3); // 1
 * hitRate(Int32Array.from([4, 2, 8]), new Set([8]), 2); // 0
 * ```
 */
export function hitRate(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  checkK('hitRate', k);
  return relevantPositions(ranked, relevant, k).length > 0 ? 1 : 0;
}

/**
 * Precision@k: relevant items in the top k, divided by k.
 *
 * @example
 * ```ts
 * precision(Int32Array.from([4, 2, 8]), new Set([8, 4]), 3); // 2/3
 * ```
 */
export function precision(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  checkK('precision', k);
  return relevantPositions(ranked, relevant, k).length / k;
}

/**
 * Recall@k: relevant items in the top k, divided by the number of relevant items.
 *
 * @example
 * ```ts
 * recall(Int32Array.from([4, 2, 8]), new Set([8, 5]), 3); // 1/2
 * ```
 */
export function recall(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  checkK('recall', k);
  const r = relevantSize(relevant);
  return r === 0 ? 0 : relevantPositions(ranked, relevant, k).length / r;
}

/** Ideal DCG of `m` relevant items: sum_{p < m} 1 / log2(p + 2). */
export function idealDcg(m: number): number {
  let s = 0;
  for (let p = 0; p < m; p++) s += 1 / Math.log2(p + 2);
  return s;
}

/**
 * NDCG@k with binary relevance and a log2 discount (Järvelin & Kekäläinen, 2002):
 * DCG = sum over relevant items at 0-based position p < k of 1 / log2(p + 2), divided by the
 * ideal DCG of min(k, |relevant|) items.
 *
 * @example
 * ```ts
 * ndcg(Int32Array.from([4, 2, 8]), new Set([2]), 3); // 1 / log2(3) = 0.6309
 * ```
 */
export function ndcg(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  checkK('ndcg', k);
  const r = relevantSize(relevant);
  if (r === 0) return 0;
  let dcg = 0;
  for (const p of relevantPositions(ranked, relevant, k)) dcg += 1 / Math.log2(p + 2);
  return dcg / idealDcg(Math.min(k, r));
}

/**
 * Reciprocal rank: 1 / (1-based position of the first relevant item), 0 when none is listed.
 * The mean over users is MRR.
 *
 * @example
 * ```ts
 * mrr(Int32Array.from([4, 2, 8]), new Set([8, 2])); // 1/2
 * ```
 */
export function mrr(ranked: Int32Array, relevant: RelevantItems): number {
  const pos = relevantPositions(ranked, relevant);
  return pos.length > 0 ? 1 / (pos[0] + 1) : 0;
}

/**
 * Truncated average precision AP@k (the mean over users is MAP@k, named `map@k`):
 * sum over relevant items at position p < k of Precision@(p+1), divided by min(k, |relevant|).
 *
 * @example
 * ```ts
 * // hits at positions 0 and 2: (1/1 + 2/3) / min(3, 2) = 0.8333
 * mapAtK(Int32Array.from([4, 2, 8]), new Set([4, 8]), 3);
 * ```
 */
export function mapAtK(ranked: Int32Array, relevant: RelevantItems, k: number): number {
  checkK('mapAtK', k);
  const r = relevantSize(relevant);
  if (r === 0) return 0;
  const pos = relevantPositions(ranked, relevant, k);
  let s = 0;
  for (let h = 0; h < pos.length; h++) s += (h + 1) / (pos[h] + 1);
  return s / Math.min(k, r);
}

/**
 * Un-truncated average precision (the mean over users is MAP, named `map`): sum over every
 * relevant item of the precision at its position, divided by |relevant|. Exact when `ranked`
 * is the full ranking.
 *
 * @example
 * ```ts
 * // hits at positions 1 and 3, 3 relevant: (1/2 + 2/4 + 0) / 3 = 0.3333
 * averagePrecision(Int32Array.from([4, 2, 8, 6]), new Set([2, 6, 9]));
 * ```
 */
export function averagePrecision(ranked: Int32Array, relevant: RelevantItems): number {
  const r = relevantSize(relevant);
  if (r === 0) return 0;
  const pos = relevantPositions(ranked, relevant);
  let s = 0;
  for (let h = 0; h < pos.length; h++) s += (h + 1) / (pos[h] + 1);
  return s / r;
}

/**
 * AUC of one user, as in the NeuMF chapter of Dive into Deep Learning (Zhang et al., 2021):
 * the share of the user's unobserved items ranked below the held-out item.
 *
 * Exactly which items count: `ranked` is the user's **full** ranking of every candidate item
 * (for the full protocol: every item not in the user's training set; for sampled-N: the held-out
 * item and its N candidates). The negatives are the ranked items that are not relevant. For each
 * relevant item, AUC counts the negatives ranked after it and divides by the number of
 * negatives; the user's AUC is the mean over the relevant items found in `ranked`. With one
 * held-out item at 0-based position p among n ranked items this is (n - 1 - p) / (n - 1), the
 * d2l formula. Returns 0 when there are no negatives or no relevant item is ranked.
 *
 * @example
 * ```ts
 * auc(Int32Array.from([4, 2, 8, 6, 1]), new Set([8])); // (5 - 1 - 2) / 4 = 0.5
 * ```
 */
export function auc(ranked: Int32Array, relevant: RelevantItems): number {
  const pos = relevantPositions(ranked, relevant);
  return aucFromPositions(pos, ranked.length);
}

/**
 * AUC from the sorted 0-based positions of the relevant items in a full ranking of
 * `numRanked` items (see {@link auc} for the definition).
 *
 * @example
 * ```ts
 * aucFromPositions(Int32Array.from([2]), 5); // 0.5
 * ```
 */
export function aucFromPositions(positions: Int32Array, numRanked: number): number {
  const m = positions.length;
  const neg = numRanked - m;
  if (m === 0 || neg <= 0) return 0;
  let s = 0;
  // The h-th relevant item (0-based) at position p has p - h negatives above it.
  for (let h = 0; h < m; h++) s += neg - (positions[h] - h);
  return s / (m * neg);
}

/**
 * Catalogue coverage@k: distinct items appearing in any user's top k, divided by `numItems`.
 *
 * @example
 * ```ts
 * coverage([Int32Array.from([0, 1]), Int32Array.from([1, 2])], 10, 2); // 3 / 10
 * ```
 */
export function coverage(lists: Iterable<Int32Array>, numItems: number, k: number): number {
  checkK('coverage', k);
  if (!Number.isInteger(numItems) || numItems < 1) throw new Error(`coverage: numItems must be an integer >= 1, got ${numItems}`);
  const seen = new Uint8Array(numItems);
  let count = 0;
  for (const list of lists) {
    const n = Math.min(k, list.length);
    for (let p = 0; p < n; p++) {
      const i = list[p];
      if (i < 0 || i >= numItems || !Number.isInteger(i)) throw new Error(`coverage: item ids must be integers in [0, ${numItems}), got ${i}`);
      if (!seen[i]) {
        seen[i] = 1;
        count++;
      }
    }
  }
  return count / numItems;
}
