import type { Interactions } from '@memrec/core';
import { assertInt } from '@memrec/core';
import { checkOptionKeys } from '@memrec/core/internal';
import { groupByUser } from '../clean/columns';
import { interactionsOf, type DataLike } from '../types';

/**
 * Per-owner item sequences in CSR form: owner r's items are `items[offsets[r] .. offsets[r + 1])`,
 * oldest first; `rows` gives each entry's row in the source interactions, `timestamps` its time
 * (when the source has them).
 */
export interface Sequences {
  /** `[owners + 1]`. */
  offsets: Int32Array;
  items: Int32Array;
  rows: Int32Array;
  timestamps?: Float64Array;
  numItems: number;
}

/** Options of {@link sequences}. */
export interface SequencesOptions {
  /** Keep each user's latest `maxLength` items (default: all). */
  maxLength?: number;
}

/**
 * Each user's items in time order (equal timestamps keep row order; without timestamps, row
 * order is time order), one sequence per user id `0..numUsers-1` (empty for a user without
 * events), truncated to the latest `maxLength`. The input of sequential models (GRU4Rec, RUM,
 * STAMP): user u's history is `items.subarray(offsets[u], offsets[u + 1])`.
 *
 * @example
 * ```ts
 * const seq = sequences(train, { maxLength: 50 });
 * const last = seq.items[seq.offsets[1] - 1]; // user 0's latest item
 * ```
 */
export function sequences(data: DataLike, options: SequencesOptions = {}): Sequences {
  const fn = 'sequences';
  checkOptionKeys(fn, options, ['maxLength']);
  const x = interactionsOf(data);
  const maxLength = options.maxLength ?? Infinity;
  if (maxLength !== Infinity) assertInt(fn, 'maxLength', maxLength, 1);
  const { start, order } = groupByUser(x, true);
  const U = x.numUsers;
  const offsets = new Int32Array(U + 1);
  for (let u = 0; u < U; u++) offsets[u + 1] = offsets[u] + Math.min(start[u + 1] - start[u], maxLength);
  const n = offsets[U];
  const rows = new Int32Array(n);
  for (let u = 0; u < U; u++) {
    const keep = offsets[u + 1] - offsets[u];
    rows.set(order.subarray(start[u + 1] - keep, start[u + 1]), offsets[u]);
  }
  return withColumns(x, offsets, rows);
}

/** The CSR columns of `rows` of `x`. */
export function withColumns(x: Interactions, offsets: Int32Array, rows: Int32Array): Sequences {
  const items = Int32Array.from(rows, (r) => x.items[r]);
  const out: Sequences = { offsets, items, rows, numItems: x.numItems };
  const t = x.timestamps;
  if (t) out.timestamps = Float64Array.from(rows, (r) => t[r]);
  return out;
}
