import { IdMap, assertInt, type Interactions } from '@memrec/core';
import { computeStats, interactionsOf, type DataLike, type LoadedDataset } from '../types';
import { indicesOf, take } from './columns';

/** Result of {@link kCore}: the filtered dataset with new dense ids, and where they came from. */
export interface KCoreResult extends LoadedDataset {
  /** `oldUserIds[newId]` = the user's dense id before filtering. */
  oldUserIds: Int32Array;
  /** `oldItemIds[newId]` = the item's dense id before filtering. */
  oldItemIds: Int32Array;
  /** Filtering rounds until the fixed point. */
  rounds: number;
}

/**
 * k-core filtering: repeatedly removes interactions of users and of items with fewer than `k`
 * interactions until every remaining user and item has at least `k` (a fixed point). Surviving
 * users and items get new dense ids 0..n-1 in their old order; the id maps follow (for bare
 * interactions, the raw ids of the new maps are the old dense ids).
 *
 * @example
 * ```ts
 * const core = kCore(await loadMovieLens('1m'), 10);
 * core.users.toRaw(0); // raw MovieLens user id of new user 0
 * ```
 */
export function kCore(data: DataLike, k: number): KCoreResult {
  assertInt('kCore', 'k', k, 1);
  const x = interactionsOf(data);
  const n = x.users.length;
  const alive = new Uint8Array(n).fill(1);
  const du = new Int32Array(x.numUsers);
  const di = new Int32Array(x.numItems);
  let rounds = 0;
  for (;;) {
    rounds++;
    du.fill(0);
    di.fill(0);
    for (let r = 0; r < n; r++) {
      if (alive[r]) {
        du[x.users[r]]++;
        di[x.items[r]]++;
      }
    }
    let removed = 0;
    for (let r = 0; r < n; r++) {
      if (alive[r] && (du[x.users[r]] < k || di[x.items[r]] < k)) {
        alive[r] = 0;
        removed++;
      }
    }
    if (removed === 0) break;
  }
  const kept = take(x, indicesOf(alive));
  const remap = (deg: Int32Array) => {
    const next = new Int32Array(deg.length).fill(-1);
    const old: number[] = [];
    for (let id = 0; id < deg.length; id++) if (deg[id] > 0) next[id] = old.push(id) - 1;
    return { next, old: Int32Array.from(old) };
  };
  const U = remap(du);
  const I = remap(di);
  for (let r = 0; r < kept.users.length; r++) {
    kept.users[r] = U.next[kept.users[r]];
    kept.items[r] = I.next[kept.items[r]];
  }
  const interactions: Interactions = { ...kept, numUsers: U.old.length, numItems: I.old.length };
  const srcUsers = 'interactions' in data ? data.users : null;
  const srcItems = 'interactions' in data ? data.items : null;
  const users = IdMap.from(Array.from(U.old, (id) => (srcUsers ? srcUsers.toRaw(id) : id)));
  const items = IdMap.from(Array.from(I.old, (id) => (srcItems ? srcItems.toRaw(id) : id)));
  return { interactions, users, items, stats: computeStats(interactions), oldUserIds: U.old, oldItemIds: I.old, rounds };
}
