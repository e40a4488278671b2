import type { IdMap, Interactions } from '@memrec/core';

/**
 * Summary statistics of a loaded dataset.
 *
 * @example
 * ```ts
 * import { loadMovieLens } from '@memrec/data/node';
 * const { stats } = await loadMovieLens('100k', { dir: './ml-100k' });
 * console.log(stats.numUsers, stats.density); // 943 0.063
 * ```
 */
export interface DatasetStats {
  numUsers: number;
  numItems: number;
  numInteractions: number;
  /** numInteractions / (numUsers * numItems); 0 for an empty catalogue. */
  density: number;
  /** Distinct (user, item) pairs. */
  numPairs: number;
  /** [earliest, latest] timestamp, when the data has timestamps. */
  timeRange?: [number, number];
  /** [lowest, highest] rating, when the data has ratings. */
  ratingRange?: [number, number];
  /** Lines skipped as malformed (only with `skipBadLines`). */
  skippedLines: number;
  /** Up to 5 skipped lines as `file:line: reason`. */
  skippedExamples: string[];
}

/**
 * What every loader returns: columnar interactions, the raw-id maps and statistics.
 *
 * @example
 * ```ts
 * const data: LoadedDataset = await loadDelimited('ratings.csv', { delimiter: ',', header: true, columns: { user: 'userId', item: 'movieId' } });
 * data.users.toRaw(data.interactions.users[0]); // the raw user id of row 0
 * ```
 */
export interface LoadedDataset {
  interactions: Interactions;
  users: IdMap;
  items: IdMap;
  stats: DatasetStats;
}

/** Interactions, or a loaded dataset whose `interactions` are used. */
export type DataLike = Interactions | LoadedDataset;

/**
 * The interactions of a {@link DataLike}.
 *
 * @example
 * ```ts
 * const x = interactionsOf(await loadMovieLens('100k')); // Interactions
 * ```
 */
export function interactionsOf(data: DataLike): Interactions {
  return 'interactions' in data ? data.interactions : data;
}

/**
 * Computes {@link DatasetStats} for interactions.
 *
 * @example
 * ```ts
 * computeStats({ users: Int32Array.of(0, 1), items: Int32Array.of(0, 0), numUsers: 2, numItems: 1 }).density; // 1
 * ```
 */
export function computeStats(data: Interactions, skippedLines = 0, skippedExamples: string[] = []): DatasetStats {
  const n = data.users.length;
  const cells = data.numUsers * data.numItems;
  const stats: DatasetStats = {
    numUsers: data.numUsers,
    numItems: data.numItems,
    numInteractions: n,
    density: cells > 0 ? n / cells : 0,
    numPairs: countPairs(data),
    skippedLines,
    skippedExamples,
  };
  if (data.timestamps && n > 0) stats.timeRange = range(data.timestamps);
  if (data.ratings && n > 0) stats.ratingRange = range(data.ratings);
  return stats;
}

function range(a: Float64Array | Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Distinct (user, item) pairs, by a per-user counting sort and a marker array over items. */
function countPairs(data: Interactions): number {
  const { users, items, numUsers, numItems } = data;
  const n = users.length;
  if (n === 0) return 0;
  const start = new Int32Array(numUsers + 1);
  for (let k = 0; k < n; k++) start[users[k] + 1]++;
  for (let u = 0; u < numUsers; u++) start[u + 1] += start[u];
  const fill = start.slice(0, numUsers);
  const byUser = new Int32Array(n);
  for (let k = 0; k < n; k++) byUser[fill[users[k]]++] = items[k];
  const mark = new Int32Array(numItems).fill(-1);
  let pairs = 0;
  for (let u = 0; u < numUsers; u++) {
    for (let k = start[u]; k < start[u + 1]; k++) {
      const i = byUser[k];
      if (mark[i] !== u) {
        mark[i] = u;
        pairs++;
      }
    }
  }
  return pairs;
}
