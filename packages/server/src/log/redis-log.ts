import { Redis } from 'ioredis';
import type { LoggedEvent } from '../events';
import { GroupCommit, type PendingAppend } from './group-commit';
import type { LogRecord } from './record';
import type { AppendResult, EventLog, LogReader } from './types';

type Entry = [id: string, fields: string[]];

function toRecord(fn: string, [id, fields]: Entry): LogRecord {
  const f: Record<string, string> = {};
  for (let k = 0; k + 1 < fields.length; k += 2) f[fields[k]] = fields[k + 1];
  const first = Number(f.first);
  let events: unknown;
  try {
    events = JSON.parse(f.events ?? '');
  } catch {
    events = undefined;
  }
  if (!Number.isInteger(first) || !Array.isArray(events)) throw new Error(`${fn}: stream entry ${id} must hold fields first and events (a JSON array), got ${JSON.stringify(fields).slice(0, 120)}`);
  return { first, events: events as LoggedEvent[], id };
}

/**
 * The event log on Redis Streams: one stream entry per record (`XADD`, fields `first` and
 * `events`), appends grouped while one is in flight. The checkpoint stores the stream id of the
 * last applied entry; recovery reads after it with `XRANGE`; read replicas follow the stream
 * with a consumer group each (`XREADGROUP`, `XACK`). Durability is Redis's: run it with
 * `appendonly yes` and `appendfsync always` for an fsync per acknowledged write.
 *
 * @example
 * ```ts
 * const log = await RedisLog.open('redis://127.0.0.1:6379', 'memrec:events');
 * await log.append([{ eventId: 'e1', user: 'alice', item: 'm1' }]);
 * await log.close();
 * ```
 */
export class RedisLog implements EventLog {
  private endOffset = 0;
  private readonly commits = new GroupCommit((group) => this.addGroup(group));
  private listeners: ((r: LogRecord) => void)[] = [];
  /** Stream ids of records by the offset they end at (for trimming behind a checkpoint). */
  private ends = new Map<number, string>();
  private readers: RedisReader[] = [];

  private constructor(readonly client: Redis, readonly stream: string) {}

  /** Connects and finds the log's end offset from the stream's last entry. */
  static async open(url: string, stream: string): Promise<RedisLog> {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await client.connect();
    } catch (e) {
      client.disconnect();
      throw new Error(`RedisLog.open: url must reach a Redis server, got ${JSON.stringify(url)}: ${(e as Error).message}`);
    }
    const log = new RedisLog(client, stream);
    const last = (await client.xrevrange(stream, '+', '-', 'COUNT', 1)) as Entry[];
    if (last.length > 0) {
      const r = toRecord('RedisLog.open', last[0]);
      log.endOffset = r.first + r.events.length;
      log.ends.set(log.endOffset, last[0][0]);
    }
    return log;
  }

  get end(): number {
    return this.endOffset;
  }

  onRecord(listener: (r: LogRecord) => void): void {
    this.listeners.push(listener);
  }

  append(events: LoggedEvent[]): Promise<AppendResult> {
    if (events.length === 0) return Promise.resolve({ first: this.endOffset, end: this.endOffset });
    return this.commits.append(events);
  }

  /** Adds a group of appends as one stream entry (XADD). */
  private async addGroup(group: PendingAppend[]): Promise<void> {
    const first = this.endOffset;
    const events = group.length === 1 ? group[0].events : group.flatMap((g) => g.events);
    let id: string;
    try {
      id = (await this.client.xadd(this.stream, '*', 'first', String(first), 'events', JSON.stringify(events))) as string;
    } catch (e) {
      const err = new Error(`RedisLog.append: events must be added to stream ${JSON.stringify(this.stream)}, got ${(e as Error).message}`);
      for (const g of group) g.reject(err);
      return;
    }
    this.endOffset = first + events.length;
    this.ends.set(this.endOffset, id);
    let at = first;
    for (const g of group) {
      g.resolve({ first: at, end: at + g.events.length, id });
      at += g.events.length;
    }
    const record: LogRecord = { first, events, id };
    for (const l of this.listeners) l(record);
  }

  async read(from: number, options: { follower?: boolean; position?: string } = {}): Promise<LogReader> {
    const reader = new RedisReader(this, from, options.position, options.follower ?? false);
    if (options.follower) await reader.createGroup();
    this.readers.push(reader);
    return reader;
  }

  /** Notes where a record ends (readers call it) so that a checkpoint there can trim. */
  noteEnd(end: number, id: string): void {
    this.ends.set(end, id);
  }

  /** Trims the stream's entries before the record that ends at `offset` (`XTRIM MINID`). */
  async truncateBefore(offset: number): Promise<number> {
    const id = this.ends.get(offset);
    if (id === undefined) return 0;
    for (const k of this.ends.keys()) if (k < offset) this.ends.delete(k);
    return Number(await this.client.xtrim(this.stream, 'MINID', id));
  }

  async close(): Promise<void> {
    await this.commits.drain();
    for (const r of this.readers) await r.close();
    this.client.disconnect();
  }
}

/** Reads a Redis stream log after a position: XRANGE for recovery, a consumer group for a follower. */
class RedisReader implements LogReader {
  private conn: Redis | null = null;
  private readonly group: string;

  constructor(private readonly log: RedisLog, public offset: number, private position: string | undefined, private readonly follower: boolean) {
    this.group = `memrec-replica-${process.pid}-${Date.now().toString(36)}`;
  }

  async createGroup(): Promise<void> {
    this.conn = this.log.client.duplicate();
    await this.conn.xgroup('CREATE', this.log.stream, this.group, this.position ?? '0', 'MKSTREAM');
  }

  async next(until = Infinity): Promise<LogRecord[]> {
    const fn = 'RedisReader.next';
    let entries: Entry[];
    if (this.follower) {
      const res = (await (this.conn as Redis).xreadgroup('GROUP', this.group, 'reader', 'COUNT', 1000, 'BLOCK', 100, 'STREAMS', this.log.stream, '>')) as [string, Entry[]][] | null;
      entries = res?.[0]?.[1] ?? [];
    } else {
      entries = (await this.log.client.xrange(this.log.stream, this.position === undefined ? '-' : `(${this.position}`, '+', 'COUNT', 1000)) as Entry[];
    }
    const out: LogRecord[] = [];
    for (const e of entries) {
      const r = toRecord(fn, e);
      if (r.first !== this.offset) throw new Error(`${fn}: stream entries must follow each other, got entry ${e[0]} at offset ${r.first} where ${this.offset} was expected`);
      if (this.offset >= until) break;
      out.push(r);
      this.offset += r.events.length;
      this.position = e[0];
      this.log.noteEnd(this.offset, e[0]);
    }
    if (this.follower && entries.length > 0) await (this.conn as Redis).xack(this.log.stream, this.group, ...entries.map((e) => e[0]));
    return out;
  }

  async close(): Promise<void> {
    if (this.conn) {
      await this.conn.xgroup('DESTROY', this.log.stream, this.group).catch(() => undefined);
      this.conn.disconnect();
      this.conn = null;
    }
  }
}
