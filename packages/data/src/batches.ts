import { assertFinite, assertInt, deriveSeed, seededRng, shuffleInPlace } from '@memrec/core';
import { timeOrder } from './clean/sort-by-time';
import { interactionsOf, type DataLike } from './types';

/** A mini-batch of interactions: typed arrays of equal length. */
export interface Batch {
  users: Int32Array;
  items: Int32Array;
  timestamps?: Float64Array;
}

/** Options of {@link shuffledBatches}. */
export interface ShuffledBatchOptions {
  batchSize: number;
  seed: number;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/**
 * One epoch of seeded shuffled mini-batches for static training. Iterating the returned
 * iterable again starts a new epoch with a new (seeded) permutation: epoch e uses
 * `deriveSeed(seed, 'epoch' + e)`, so runs repeat exactly.
 *
 * @example
 * ```ts
 * const batches = shuffledBatches(train, { batchSize: 256, seed: 1 });
 * for (const { users, items } of batches) model.step(users, items); // epoch 0
 * for (const b of batches) model.step(b.users, b.items);           // epoch 1, another order
 * ```
 */
export function shuffledBatches(data: DataLike, options: ShuffledBatchOptions): Iterable<Batch> {
  assertInt('shuffledBatches', 'batchSize', options?.batchSize, 1);
  assertFinite('shuffledBatches', 'seed', options.seed);
  const x = interactionsOf(data);
  const n = x.users.length;
  let epoch = 0;
  return {
    *[Symbol.iterator]() {
      const order = new Int32Array(n);
      for (let k = 0; k < n; k++) order[k] = k;
      shuffleInPlace(order, seededRng(deriveSeed(options.seed, `epoch${epoch++}`)));
      yield* gatherBatches(x, order, options.batchSize, !!options.dropLast);
    },
  };
}

/** Options of {@link timeOrderedBatches}. */
export interface TimeBatchOptions {
  batchSize: number;
}

/**
 * Mini-batches in time order (stable; row order without timestamps) for streaming updates.
 * The last batch may be smaller.
 *
 * @example
 * ```ts
 * for (const batch of timeOrderedBatches(block, { batchSize: 128 })) model.observe(batch);
 * ```
 */
export function timeOrderedBatches(data: DataLike, options: TimeBatchOptions): Iterable<Batch> {
  assertInt('timeOrderedBatches', 'batchSize', options?.batchSize, 1);
  const x = interactionsOf(data);
  const order = timeOrder(x);
  return { [Symbol.iterator]: () => gatherBatches(x, order, options.batchSize, false) };
}

function* gatherBatches(x: ReturnType<typeof interactionsOf>, order: Int32Array, size: number, dropLast: boolean): Generator<Batch> {
  const n = order.length;
  for (let lo = 0; lo < n; lo += size) {
    const hi = Math.min(n, lo + size);
    if (dropLast && hi - lo < size) return;
    const users = new Int32Array(hi - lo);
    const items = new Int32Array(hi - lo);
    for (let k = lo; k < hi; k++) {
      users[k - lo] = x.users[order[k]];
      items[k - lo] = x.items[order[k]];
    }
    const batch: Batch = { users, items };
    if (x.timestamps) {
      const t = new Float64Array(hi - lo);
      for (let k = lo; k < hi; k++) t[k - lo] = x.timestamps[order[k]];
      batch.timestamps = t;
    }
    yield batch;
  }
}
