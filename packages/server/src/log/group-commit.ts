import type { LoggedEvent } from '../events';
import type { AppendResult } from './types';

/** One `append` call waiting for its group's write. */
export interface PendingAppend {
  events: LoggedEvent[];
  resolve: (r: AppendResult) => void;
  reject: (e: Error) => void;
}

/**
 * Group commit for an append-only log: appends queue while a write is in flight; each write
 * takes every append queued so far (`flush(group)`, which resolves or rejects each of them).
 * One flush runs at a time, in append order.
 *
 * @example
 * ```ts
 * const commits = new GroupCommit(async (group) => { await writeAll(group); group.forEach(settle); });
 * const { first, end } = await commits.append(events);
 * ```
 */
export class GroupCommit {
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly flush: (group: PendingAppend[]) => Promise<void>) {}

  /** Queues `events`; answers once `flush` settles their group. */
  append(events: LoggedEvent[]): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.flushing ??= this.loop();
    });
  }

  /** Rejects every append still queued (after a failure that leaves the log unwritable). */
  rejectQueued(err: Error): void {
    for (const g of this.queue) g.reject(err);
    this.queue = [];
  }

  /** Waits until nothing is queued or being written. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      await this.flush(group);
    }
    this.flushing = null;
  }
}
