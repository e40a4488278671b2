import type { Interactions, StateBlock } from '@memrec/core';
import type { SessionIndex } from './session-parallel';

/** What {@link SequenceStates} needs from a recurrent layer: a host step `h' = f(item, h)`. */
export interface HostRecurrentStep {
  stepHost(ids: Int32Array, h: Float32Array, out: Float32Array): Float32Array;
}

type TypedBlockFn = <T extends StateBlock>(blocks: Record<string, StateBlock>, name: string, type: { new (n: number): T; name: string }, fn: string, length?: number) => T;

/**
 * Per-user state of a recurrent sequential model in a stream: the state before the user's last
 * item (`prev`), that item (`last`, -1 when none), the state after it (`cur`, what scores the
 * next item), and the time of the last event (for session gaps). `prev` and `last` are what a
 * training step on the user's next event needs (the gradient goes one step back through
 * `cur = step(last, prev)`).
 *
 * @example
 * ```ts
 * const states = new SequenceStates(numUsers, 64);
 * states.advance(gru, users, items, times, continues);
 * states.currentOf(0); // [64]
 * ```
 */
export class SequenceStates {
  readonly hidden: number;
  prev: Float32Array;
  cur: Float32Array;
  last: Int32Array;
  lastTime: Float64Array;
  private recorded: Int32Array;
  private count: number;

  constructor(numUsers: number, hidden: number) {
    this.hidden = hidden;
    this.count = numUsers;
    this.prev = new Float32Array(numUsers * hidden);
    this.cur = new Float32Array(numUsers * hidden);
    this.last = new Int32Array(numUsers).fill(-1);
    this.lastTime = new Float64Array(numUsers).fill(NaN);
    this.recorded = new Int32Array(numUsers).fill(-1);
  }

  /** Adds users without history up to `numUsers`. */
  grow(numUsers: number): void {
    if (numUsers <= this.count) return;
    const H = this.hidden;
    const grow32 = (a: Float32Array) => {
      const b = new Float32Array(numUsers * H);
      b.set(a);
      return b;
    };
    this.prev = grow32(this.prev);
    this.cur = grow32(this.cur);
    const last = new Int32Array(numUsers).fill(-1);
    last.set(this.last);
    this.last = last;
    const t = new Float64Array(numUsers).fill(NaN);
    t.set(this.lastTime);
    this.lastTime = t;
    const rec = new Int32Array(numUsers).fill(-1);
    rec.set(this.recorded);
    this.recorded = rec;
    this.count = numUsers;
  }

  prevOf(user: number): Float32Array {
    return this.prev.subarray(user * this.hidden, (user + 1) * this.hidden);
  }

  currentOf(user: number): Float32Array {
    return this.cur.subarray(user * this.hidden, (user + 1) * this.hidden);
  }

  /** Training: a lane finished session `session` of `user` (sessions in start order); the latest one wins. */
  endSession(user: number, session: number, hAfterInput: Float32Array, target: number): void {
    if (session < this.recorded[user]) return;
    this.recorded[user] = session;
    this.prev.set(hAfterInput, user * this.hidden);
    this.last[user] = target;
  }

  /**
   * After training: every user whose latest session gave no recorded state (one event, or no
   * epoch ran) starts that session afresh from its last item; last times are the users' latest.
   */
  finishFit(train: Interactions, index: SessionIndex): void {
    const latest = new Int32Array(this.count).fill(-1);
    for (let s = 0; s < index.users.length; s++) latest[index.users[s]] = s;
    for (let u = 0; u < this.count; u++) {
      const s = latest[u];
      if (s < 0 || this.recorded[u] === s) continue;
      this.prev.fill(0, u * this.hidden, (u + 1) * this.hidden);
      this.last[u] = train.items[index.rows[index.offsets[s + 1] - 1]];
    }
    const t = train.timestamps;
    if (t) for (let k = 0; k < train.users.length; k++) if (!(t[k] <= this.lastTime[train.users[k]])) this.lastTime[train.users[k]] = t[k];
    this.recorded.fill(-1);
  }

  /** Recomputes every `cur` from `prev` and `last` with the layer's current weights. */
  refresh(layer: HostRecurrentStep): void {
    const H = this.hidden;
    const users: number[] = [];
    for (let u = 0; u < this.count; u++) if (this.last[u] >= 0) users.push(u);
    const ids = Int32Array.from(users, (u) => this.last[u]);
    const h = new Float32Array(users.length * H);
    users.forEach((u, r) => h.set(this.prevOf(u), r * H));
    const out = layer.stepHost(ids, h, new Float32Array(users.length * H));
    this.cur.fill(0);
    users.forEach((u, r) => this.cur.set(out.subarray(r * H, (r + 1) * H), u * H));
  }

  /** Time-ordered batches in which no user occurs twice: {@link distinctUserBatches}. */
  *distinctUserBatches(events: Interactions, size: number): Generator<{ users: Int32Array; items: Int32Array; times: Float64Array | null }> {
    yield* distinctUserBatches(events, size);
  }

  /** Which events continue their user's session (a last item, and no gap longer than `gap` seconds when gap > 0). */
  continuing(users: Int32Array, times: Float64Array | null, gap: number): { rows: number[]; continues: Uint8Array } {
    const continues = new Uint8Array(users.length);
    const rows: number[] = [];
    for (let k = 0; k < users.length; k++) {
      const u = users[k];
      const gapOk = gap <= 0 || times == null || !(times[k] - this.lastTime[u] > gap);
      if (this.last[u] >= 0 && gapOk) {
        continues[k] = 1;
        rows.push(k);
      }
    }
    return { rows, continues };
  }

  /**
   * The events enter their users' sequences: `prev <- cur` (or zeros where a session starts),
   * `last <- item`, `cur <- step(item, prev)` with the layer's current weights.
   */
  advance(layer: HostRecurrentStep, users: Int32Array, items: Int32Array, times: Float64Array | null, continues: Uint8Array): void {
    const H = this.hidden;
    const h = new Float32Array(users.length * H);
    for (let k = 0; k < users.length; k++) {
      const u = users[k];
      if (continues[k]) h.set(this.currentOf(u), k * H);
      this.prev.set(h.subarray(k * H, (k + 1) * H), u * H);
      this.last[u] = items[k];
      if (times) this.lastTime[u] = times[k];
    }
    const out = layer.stepHost(items, h, new Float32Array(users.length * H));
    for (let k = 0; k < users.length; k++) this.cur.set(out.subarray(k * H, (k + 1) * H), users[k] * H);
  }

  /** The state as named blocks of a saved model. */
  toBlocks(): Record<string, StateBlock> {
    const n = this.count;
    const H = this.hidden;
    return { seqPrev: this.prev.subarray(0, n * H), seqCur: this.cur.subarray(0, n * H), seqLast: this.last.subarray(0, n), seqTime: this.lastTime.subarray(0, n) };
  }

  /** Reverses {@link SequenceStates.toBlocks}. */
  static fromBlocks(blocks: Record<string, StateBlock>, numUsers: number, hidden: number, fn: string, typedBlock: TypedBlockFn): SequenceStates {
    const s = new SequenceStates(numUsers, hidden);
    s.prev.set(typedBlock(blocks, 'seqPrev', Float32Array, fn, numUsers * hidden));
    s.cur.set(typedBlock(blocks, 'seqCur', Float32Array, fn, numUsers * hidden));
    s.last.set(typedBlock(blocks, 'seqLast', Int32Array, fn, numUsers));
    s.lastTime.set(typedBlock(blocks, 'seqTime', Float64Array, fn, numUsers));
    return s;
  }
}

/**
 * Time-ordered batches of at most `size` events in which no user occurs twice, so that a batch
 * step that reads each user's state before the batch is exact.
 *
 * @example
 * ```ts
 * for (const b of distinctUserBatches(block, 256)) model.step(b.users, b.items);
 * ```
 */
export function* distinctUserBatches(events: Interactions, size: number): Generator<{ users: Int32Array; items: Int32Array; times: Float64Array | null }> {
  const n = events.users.length;
  const inBatch = new Set<number>();
  let start = 0;
  for (let k = 0; k <= n; k++) {
    if (k === n || inBatch.has(events.users[k]) || k - start >= size) {
      if (k > start) yield { users: events.users.subarray(start, k), items: events.items.subarray(start, k), times: events.timestamps ? events.timestamps.subarray(start, k) : null };
      inBatch.clear();
      start = k;
    }
    if (k < n) inBatch.add(events.users[k]);
  }
}
