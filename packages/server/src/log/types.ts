import type { LoggedEvent } from '../events';
import type { LogRecord } from './record';

/** Where an append put its events: log offsets `[first, end)`; `id` is the backend's record id. */
export interface AppendResult {
  first: number;
  end: number;
  id?: string;
}

/** A reader of a log's records in order; `next()` returns what is new (maybe nothing). */
export interface LogReader {
  next(until?: number): Promise<LogRecord[]>;
  close(): Promise<void>;
}

/**
 * An append-only, durable event log with one writer: the file log or Redis Streams. Offsets
 * count events from 0 since the log was created.
 *
 * @example
 * ```ts fragment
 * const { end } = await log.append(events); // durable when it resolves
 * const reader = await log.read(checkpointOffset);
 * ```
 */
export interface EventLog {
  /** The offset after the last durable event. */
  readonly end: number;
  append(events: LoggedEvent[]): Promise<AppendResult>;
  /** Called with each record once it is durable (in log order). */
  onRecord(listener: (r: LogRecord) => void): void;
  /**
   * A reader from record boundary `from` (whose backend position is `position`, as a
   * checkpoint stores it); a follower polls a log that another process writes.
   */
  read(from: number, options?: { follower?: boolean; position?: string }): Promise<LogReader>;
  /** Drops what lies wholly before `offset` (behind the oldest kept checkpoint). */
  truncateBefore(offset: number): Promise<number>;
  close(): Promise<void>;
}
