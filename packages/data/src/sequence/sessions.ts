import { assertFinite } from '@memrec/core';
import { checkOptionKeys } from '@memrec/core/internal';
import { groupByUser } from '../clean/columns';
import { interactionsOf, type DataLike } from '../types';
import { withColumns, type Sequences } from './sequences';

/** Sessions in CSR form (see {@link Sequences}), with each session's user and each row's session. */
export interface Sessions extends Sequences {
  /** The user of each session, `[numSessions]`. */
  users: Int32Array;
  /** The session of each source row, `[rows of the input]`. */
  sessionOfRow: Int32Array;
  numSessions: number;
}

/** Options of {@link sessions}. */
export interface SessionsOptions {
  /** A new session starts after more than `gapSeconds` without an event of that user (e.g. 1800). */
  gapSeconds: number;
}

/**
 * Splits each user's time-ordered events into sessions at every gap longer than `gapSeconds`
 * (the usual segmentation when the data has no session ids, e.g. 30 minutes). Sessions are
 * ordered by start time (ties by user), as GRU4Rec's session-parallel mini-batches take them;
 * within a session, events are in time order. Needs timestamps (in seconds).
 *
 * @example
 * ```ts
 * const s = sessions(stream, { gapSeconds: 1800 });
 * s.numSessions; // sessions of all users
 * s.items.subarray(s.offsets[0], s.offsets[1]); // the earliest session's items
 * ```
 */
export function sessions(data: DataLike, options: SessionsOptions): Sessions {
  const fn = 'sessions';
  checkOptionKeys(fn, options, ['gapSeconds']);
  assertFinite(fn, 'gapSeconds', options?.gapSeconds, 0);
  const gap = options.gapSeconds;
  const x = interactionsOf(data);
  const t = x.timestamps;
  if (!t) throw new Error(`${fn}: data must have timestamps, got interactions without a timestamps column`);
  const { start, order } = groupByUser(x, true);
  // session boundaries in user order
  const bounds: number[] = [];
  const owner: number[] = [];
  for (let u = 0; u < x.numUsers; u++) {
    for (let k = start[u]; k < start[u + 1]; k++) {
      if (k === start[u] || t[order[k]] - t[order[k - 1]] > gap) {
        bounds.push(k);
        owner.push(u);
      }
    }
  }
  const m = bounds.length;
  bounds.push(order.length);
  const byStart = Int32Array.from({ length: m }, (_, s) => s).sort((a, b) => t[order[bounds[a]]] - t[order[bounds[b]]] || owner[a] - owner[b] || a - b);
  const offsets = new Int32Array(m + 1);
  const rows = new Int32Array(order.length);
  const users = new Int32Array(m);
  const sessionOfRow = new Int32Array(x.users.length);
  for (let j = 0; j < m; j++) {
    const s = byStart[j];
    const seg = order.subarray(bounds[s], bounds[s + 1]);
    rows.set(seg, offsets[j]);
    offsets[j + 1] = offsets[j] + seg.length;
    users[j] = owner[s];
    for (let k = 0; k < seg.length; k++) sessionOfRow[seg[k]] = j;
  }
  return { ...withColumns(x, offsets, rows), users, sessionOfRow, numSessions: m };
}
