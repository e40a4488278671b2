import { seededRng, shuffleInPlace, type FitProgress, type Interactions } from '@memrec/core';

/**
 * Seeded shuffled mini-batches of (user, item) over `data`, for static training. Yields views
 * into reused arrays: copy them if you keep them.
 *
 * @example
 * ```ts
 * for (const { users, items } of epochBatches(train, 1024, 1)) model.step(users, items);
 * ```
 */
export function* epochBatches(data: Interactions, batchSize: number, seed: number): Generator<{ users: Int32Array; items: Int32Array }> {
  const order = shuffleInPlace(Int32Array.from({ length: data.users.length }, (_, k) => k), seededRng(seed));
  const users = new Int32Array(batchSize);
  const items = new Int32Array(batchSize);
  for (let start = 0; start < order.length; start += batchSize) {
    const n = Math.min(batchSize, order.length - start);
    for (let k = 0; k < n; k++) {
      users[k] = data.users[order[start + k]];
      items[k] = data.items[order[start + k]];
    }
    yield { users: users.subarray(0, n), items: items.subarray(0, n) };
  }
}

/**
 * Time-ordered mini-batches of a block (streaming updates keep event order): views, no copies.
 *
 * @example
 * ```ts
 * for (const b of orderedBatches(block, 64)) model.step(b.users, b.items);
 * ```
 */
export function* orderedBatches(data: Interactions, batchSize: number): Generator<{ users: Int32Array; items: Int32Array }> {
  for (let start = 0; start < data.users.length; start += batchSize) {
    const end = Math.min(start + batchSize, data.users.length);
    yield { users: data.users.subarray(start, end), items: data.items.subarray(start, end) };
  }
}

const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/**
 * Yields to the event loop (lets progress bars redraw and servers answer during long loops):
 * `setImmediate` under Node, `setTimeout(0)` in a browser or a Web Worker, which lack it.
 *
 * @example
 * ```ts
 * for (const batch of batches) { step(batch); await tick(); }
 * ```
 */
export const tick = (): Promise<void> => new Promise((r) => (immediate ? immediate(r) : setTimeout(r, 0)));

/** Resolved options of one training run (see {@link trainLoop}). */
export interface TrainLoopOptions {
  batchSize: number;
  seed: number;
  onProgress?: FitProgress;
  onLoss?: (x: number, loss: number) => void;
  /** After each epoch, with its mean loss; `true` stops the loop (see `FitOptions.onEpochEnd`). */
  onEpochEnd?: (info: { epoch: number; loss: number }) => boolean | void | Promise<boolean | void>;
}

/** What {@link trainLoop} needs from a model. */
export interface TrainLoopSpec {
  epochs: number;
  /** Shuffled batches (static models; seeded by `seed * 1000 + epoch`) or time order (streaming models). */
  order: 'shuffled' | 'time';
  /** Progress phase name of epoch e. */
  phase: (epoch: number) => string;
  /** Runs before each epoch (e.g. reset a memory, merge pre-trained heads). */
  beforeEpoch?: (epoch: number) => void;
  /** One training step; returns the batch loss. */
  step: (users: Int32Array, items: Int32Array, epoch: number) => number;
}

/**
 * The epoch loop every model shares: batches (seeded shuffle or time order), one step each, loss
 * and progress callbacks, a yield to the event loop between batches, and an end-of-epoch hook
 * that can stop training (early stopping).
 *
 * @example
 * ```ts
 * await trainLoop(train, { batchSize: 1024, seed: 1 }, {
 *   epochs: 3, order: 'shuffled', phase: () => 'train', step: (u, i) => myStep(u, i),
 * });
 * ```
 */
export async function trainLoop(train: Interactions, options: TrainLoopOptions, spec: TrainLoopSpec): Promise<void> {
  const total = spec.epochs * train.users.length;
  let done = 0;
  for (let e = 0; e < spec.epochs; e++) {
    spec.beforeEpoch?.(e);
    const batches = spec.order === 'time' ? orderedBatches(train, options.batchSize) : epochBatches(train, options.batchSize, options.seed * 1000 + e);
    let lossSum = 0;
    let events = 0;
    for (const b of batches) {
      const loss = spec.step(b.users, b.items, e);
      done += b.users.length;
      lossSum += loss * b.users.length;
      events += b.users.length;
      options.onLoss?.(done, loss);
      options.onProgress?.({ phase: spec.phase(e), done, total, loss });
      await tick();
    }
    if (options.onEpochEnd && (await options.onEpochEnd({ epoch: e, loss: events > 0 ? lossSum / events : 0 })) === true) return;
  }
}
