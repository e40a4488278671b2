import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoggedEvent } from '../events';
import { FileLogReader } from './file-reader';
import { GroupCommit, type PendingAppend } from './group-commit';
import { decodeRecordAt, encodeRecord, type LogRecord } from './record';
import { listSegments, segmentName } from './segments';
import type { AppendResult, EventLog } from './types';

/** Options of {@link FileLog.open}. */
export interface FileLogOptions {
  /** Start a new segment file once the current one reaches this size (default 64 MiB). */
  segmentBytes?: number;
  /** Where warnings go (a cut torn tail); default `console.warn`. */
  warn?: (line: string) => void;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The embedded event log: append-only segment files in one folder, each named by the log
 * offset of its first event. An append is acknowledged only after `fdatasync`; appends that
 * arrive while a sync runs are written together with one sync (group commit), one record each.
 * Opening the log checks every record of the last segment and cuts a torn or corrupt tail
 * (a crash mid-write) with a warning.
 *
 * @example
 * ```ts
 * const log = await FileLog.open('data/log');
 * const { first, end } = await log.append([{ eventId: 'e1', user: 'alice', item: 'm1' }]); // durable now
 * await log.close();
 * ```
 */
export class FileLog implements EventLog {
  private fh: FileHandle;
  private size: number;
  private base: number;
  private endOffset: number;
  private readonly commits = new GroupCommit((group) => this.writeGroup(group));
  private failed: Error | null = null;
  private listeners: ((r: LogRecord) => void)[] = [];

  private constructor(readonly dir: string, fh: FileHandle, base: number, size: number, end: number, private readonly segmentBytes: number) {
    this.fh = fh;
    this.base = base;
    this.size = size;
    this.endOffset = end;
  }

  /** Opens (creating when missing) the log in `dir`, cutting a torn tail of its last segment. */
  static async open(dir: string, options: FileLogOptions = {}): Promise<FileLog> {
    const fn = 'FileLog.open';
    const segmentBytes = options.segmentBytes ?? 64 << 20;
    if (!Number.isInteger(segmentBytes) || segmentBytes < 1) throw new Error(`${fn}: options.segmentBytes must be a positive integer, got ${segmentBytes}`);
    const warn = options.warn ?? ((l: string) => console.warn(l));
    mkdirSync(dir, { recursive: true });
    let segments = listSegments(dir);
    if (segments.length === 0) {
      closeSync(openSync(join(dir, segmentName(0)), 'a'));
      fsyncDir(dir);
      segments = listSegments(dir);
    }
    const last = segments[segments.length - 1];
    const buf = readFileSync(last.path);
    let pos = 0;
    let end = last.base;
    while (pos < buf.length) {
      const r = decodeRecordAt(buf, pos);
      if (r.kind === 'record' && r.record.first !== end) {
        throw new Error(`${fn}: segment ${JSON.stringify(last.path)} must hold consecutive records, got offset ${r.record.first} at byte ${pos} where ${end} was expected`);
      }
      if (r.kind !== 'record') {
        const why = r.kind === 'partial' ? 'an incomplete record' : r.reason;
        warn(`${fn}: segment ${JSON.stringify(last.path)} ends with a torn record at byte ${pos} of ${buf.length} (${why}); cut ${buf.length - pos} bytes, the log ends at offset ${end}`);
        truncateSync(last.path, pos);
        break;
      }
      end += r.record.events.length;
      pos += r.size;
    }
    const fh = await open(last.path, 'a');
    await fh.datasync();
    return new FileLog(dir, fh, last.base, pos, end, segmentBytes);
  }

  get end(): number {
    return this.endOffset;
  }

  /** The oldest offset still in the log. */
  get start(): number {
    return listSegments(this.dir)[0]?.base ?? this.base;
  }

  onRecord(listener: (r: LogRecord) => void): void {
    this.listeners.push(listener);
  }

  append(events: LoggedEvent[]): Promise<AppendResult> {
    if (this.failed) return Promise.reject(new Error(`FileLog.append: the log must be writable, got an earlier write failure: ${this.failed.message}`));
    if (events.length === 0) return Promise.resolve({ first: this.endOffset, end: this.endOffset });
    return this.commits.append(events);
  }

  /** Writes a group of appends: one record per append (what one request brought), one write and one sync for all. */
  private async writeGroup(group: PendingAppend[]): Promise<void> {
    const records: LogRecord[] = [];
    let at = this.endOffset;
    for (const g of group) {
      records.push({ first: at, events: g.events });
      at += g.events.length;
    }
    const bytes = records.length === 1 ? encodeRecord(records[0]) : Buffer.concat(records.map(encodeRecord));
    try {
      await this.fh.write(bytes, 0, bytes.length, null);
      await this.fh.datasync();
    } catch (e) {
      this.failed = e as Error;
      const err = new Error(`FileLog.append: events must be written to ${JSON.stringify(this.dir)}, got ${(e as Error).message}`);
      for (const g of group) g.reject(err);
      this.commits.rejectQueued(err);
      return;
    }
    this.size += bytes.length;
    this.endOffset = at;
    group.forEach((g, k) => g.resolve({ first: records[k].first, end: records[k].first + g.events.length }));
    for (const record of records) for (const l of this.listeners) l(record);
    if (this.size >= this.segmentBytes) await this.roll();
  }

  private async roll(): Promise<void> {
    await this.fh.close();
    this.base = this.endOffset;
    this.fh = await open(join(this.dir, segmentName(this.base)), 'a');
    this.size = 0;
    fsyncDir(this.dir);
  }

  read(from: number, options: { follower?: boolean; position?: string } = {}): Promise<FileLogReader> {
    return FileLogReader.open(this.dir, from, { follower: options.follower });
  }

  /** Deletes the segments that end at or before `offset` (never the one being written). */
  async truncateBefore(offset: number): Promise<number> {
    const segments = listSegments(this.dir);
    let removed = 0;
    for (let k = 0; k + 1 < segments.length; k++) {
      if (segments[k + 1].base > offset || segments[k].base === this.base) break;
      unlinkSync(segments[k].path);
      removed++;
    }
    if (removed > 0) fsyncDir(this.dir);
    return removed;
  }

  async close(): Promise<void> {
    await this.commits.drain();
    await this.fh.close();
  }
}
