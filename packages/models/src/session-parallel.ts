import type { Interactions } from '@memrec/core';

/** Sessions of a training set: CSR over rows in time order, the user of each, ordered by start time. */
export interface SessionIndex {
  /** `[sessions + 1]` offsets into `rows`. */
  offsets: Int32Array;
  /** Row indices of the source, session by session, in time order within a session. */
  rows: Int32Array;
  /** User of each session. */
  users: Int32Array;
}

/**
 * Each user's events in time order (row order breaks ties; without timestamps row order is time
 * order), cut into sessions at gaps longer than `gapSeconds` (0: one session per user), sessions
 * ordered by start time then user. The same segmentation as `@memrec/data`'s `sessions`.
 *
 * @example
 * ```ts
 * const s = sessionIndex(train, 1800);
 * ```
 */
export function sessionIndex(x: Interactions, gapSeconds: number): SessionIndex {
  const n = x.users.length;
  const start = new Int32Array(x.numUsers + 1);
  for (let k = 0; k < n; k++) start[x.users[k] + 1]++;
  for (let u = 0; u < x.numUsers; u++) start[u + 1] += start[u];
  const fill = start.slice(0, x.numUsers);
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[fill[x.users[k]]++] = k;
  const t = x.timestamps;
  if (t) for (let u = 0; u < x.numUsers; u++) order.subarray(start[u], start[u + 1]).sort((a, b) => t[a] - t[b] || a - b);
  const bounds: number[] = [];
  const owner: number[] = [];
  for (let u = 0; u < x.numUsers; u++) {
    for (let k = start[u]; k < start[u + 1]; k++) {
      const cut = k === start[u] || (gapSeconds > 0 && t != null && t[order[k]] - t[order[k - 1]] > gapSeconds);
      if (cut) {
        bounds.push(k);
        owner.push(u);
      }
    }
  }
  const m = bounds.length;
  bounds.push(n);
  const first = (s: number) => (t ? t[order[bounds[s]]] : order[bounds[s]]);
  const byStart = Int32Array.from({ length: m }, (_, s) => s).sort((a, b) => first(a) - first(b) || owner[a] - owner[b] || a - b);
  const offsets = new Int32Array(m + 1);
  const rows = new Int32Array(n);
  const users = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const s = byStart[j];
    rows.set(order.subarray(bounds[s], bounds[s + 1]), offsets[j]);
    offsets[j + 1] = offsets[j] + bounds[s + 1] - bounds[s];
    users[j] = owner[s];
  }
  return { offsets, rows, users };
}

/** One step of {@link sessionParallel}: one (input, target) pair per active lane. */
export interface LaneStep {
  /** Lane of each pair (its hidden state's slot). */
  lanes: Int32Array;
  users: Int32Array;
  inputs: Int32Array;
  targets: Int32Array;
  /** 1 where the lane's session starts at this input (its state must be reset to zeros). */
  starts: Uint8Array;
  /** 1 where the target is the last event of its session. */
  ends: Uint8Array;
  /** Session index of each pair (in {@link SessionIndex} order: later means a later start). */
  sessions: Int32Array;
}

/**
 * Session-parallel mini-batches (Hidasi et al., "Session-based Recommendations with Recurrent
 * Neural Networks", ICLR 2016): `lanes` sessions run side by side; at each step every active lane
 * gives its current item as input and the next one as target; a lane whose session ends takes the
 * next session (in start order) and resets. Sessions with one event give no pair and are skipped.
 * Yields views into reused arrays.
 *
 * @example
 * ```ts
 * for (const s of sessionParallel(train, sessionIndex(train, 0), 64)) model.step(s);
 * ```
 */
export function* sessionParallel(x: Interactions, index: SessionIndex, lanes: number): Generator<LaneStep> {
  const { offsets, rows, users } = index;
  const m = users.length;
  const session = new Int32Array(lanes).fill(-1);
  const pos = new Int32Array(lanes);
  let next = 0;
  const take = (l: number): void => {
    while (next < m && offsets[next + 1] - offsets[next] < 2) next++;
    if (next < m) {
      session[l] = next++;
      pos[l] = 0;
    } else session[l] = -1;
  };
  for (let l = 0; l < lanes; l++) take(l);
  const out: LaneStep = { lanes: new Int32Array(lanes), users: new Int32Array(lanes), inputs: new Int32Array(lanes), targets: new Int32Array(lanes), starts: new Uint8Array(lanes), ends: new Uint8Array(lanes), sessions: new Int32Array(lanes) };
  for (;;) {
    let b = 0;
    for (let l = 0; l < lanes; l++) {
      const s = session[l];
      if (s < 0) continue;
      const k = offsets[s] + pos[l];
      out.lanes[b] = l;
      out.users[b] = users[s];
      out.inputs[b] = x.items[rows[k]];
      out.targets[b] = x.items[rows[k + 1]];
      out.starts[b] = pos[l] === 0 ? 1 : 0;
      out.ends[b] = k + 2 === offsets[s + 1] ? 1 : 0;
      out.sessions[b] = s;
      b++;
    }
    if (b === 0) return;
    yield { lanes: out.lanes.subarray(0, b), users: out.users.subarray(0, b), inputs: out.inputs.subarray(0, b), targets: out.targets.subarray(0, b), starts: out.starts.subarray(0, b), ends: out.ends.subarray(0, b), sessions: out.sessions.subarray(0, b) };
    for (let l = 0; l < lanes; l++) {
      const s = session[l];
      if (s < 0) continue;
      pos[l]++;
      if (offsets[s] + pos[l] + 1 >= offsets[s + 1]) take(l);
    }
  }
}
