import type { Interactions } from '@memrec/core';
import { computeStats, type DataLike, type LoadedDataset } from '../types';

/**
 * Rows `idx` of `x` (in that order), with the same `numUsers` / `numItems`.
 *
 * @example
 * ```ts
 * const firstTwo = take(data, Int32Array.of(0, 1));
 * ```
 */
export function take(x: Interactions, idx: Int32Array): Interactions {
  const n = idx.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    users[k] = x.users[idx[k]];
    items[k] = x.items[idx[k]];
  }
  const out: Interactions = { users, items, numUsers: x.numUsers, numItems: x.numItems };
  if (x.timestamps) {
    const t = new Float64Array(n);
    for (let k = 0; k < n; k++) t[k] = x.timestamps[idx[k]];
    out.timestamps = t;
  }
  if (x.ratings) {
    const r = new Float32Array(n);
    for (let k = 0; k < n; k++) r[k] = x.ratings[idx[k]];
    out.ratings = r;
  }
  return out;
}

/** Indices k where `keep[k]` is non-zero, in increasing order. */
export function indicesOf(keep: Uint8Array): Int32Array {
  let n = 0;
  for (let k = 0; k < keep.length; k++) n += keep[k] ? 1 : 0;
  const out = new Int32Array(n);
  let j = 0;
  for (let k = 0; k < keep.length; k++) if (keep[k]) out[j++] = k;
  return out;
}

/**
 * Row order grouped by user (stable counting sort); within a user, by time then row when
 * `byTime` and timestamps exist, else by row. `start[u]..start[u+1]` are user u's rows in `order`.
 *
 * @example
 * ```ts
 * const { start, order } = groupByUser(data, true);
 * const lastRowOfUser0 = order[start[1] - 1];
 * ```
 */
export function groupByUser(x: Interactions, byTime: boolean): { start: Int32Array; order: Int32Array } {
  const n = x.users.length;
  const start = new Int32Array(x.numUsers + 1);
  for (let k = 0; k < n; k++) start[x.users[k] + 1]++;
  for (let u = 0; u < x.numUsers; u++) start[u + 1] += start[u];
  const fill = start.slice(0, x.numUsers);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[fill[x.users[k]]++] = k;
  const t = x.timestamps;
  if (byTime && t) {
    for (let u = 0; u < x.numUsers; u++) {
      const seg = order.subarray(start[u], start[u + 1]);
      if (!isSortedBy(seg, t)) seg.sort((a, b) => t[a] - t[b] || a - b);
    }
  }
  return { start, order };
}

function isSortedBy(seg: Int32Array, t: Float64Array): boolean {
  for (let k = 1; k < seg.length; k++) if (t[seg[k]] < t[seg[k - 1]]) return false;
  return true;
}

/** Same shape as the input: new interactions inside a dataset (stats recomputed), or bare. */
export function rewrap<T extends DataLike>(data: T, x: Interactions): T {
  if ('interactions' in data) {
    const d = data as LoadedDataset;
    return { ...d, interactions: x, stats: computeStats(x) } as T;
  }
  return x as T;
}
