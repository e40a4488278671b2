import { open, type FileHandle } from 'node:fs/promises';
import { decodeRecordAt, type LogRecord } from './record';
import { listSegments, type Segment } from './segments';

const CHUNK = 8 << 20;

/**
 * Reads a file log's records in order from a record boundary, across segments. `next()`
 * returns the complete records written since the last call (an empty array when there are
 * none yet), so the same reader serves recovery (read to the end) and read replicas (poll).
 *
 * @example
 * ```ts
 * const reader = await FileLogReader.open('data/log', 0);
 * for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) apply(batch);
 * await reader.close();
 * ```
 */
export class FileLogReader {
  private fh: FileHandle | null = null;
  private segment: Segment;
  private filePos = 0;
  private pending: Buffer = Buffer.alloc(0);
  /** The log offset the next record must start at. */
  offset: number;

  private constructor(private readonly dir: string, segment: Segment, offset: number, private readonly follower: boolean) {
    this.segment = segment;
    this.offset = offset;
  }

  /**
   * Opens a reader at log offset `from`, which must be a record boundary still in the log.
   * With `follower`, bytes at the end that are not (yet) a valid record are left for a later
   * call instead of being an error (the writer may be mid-write, or about to cut a torn tail).
   */
  static async open(dir: string, from: number, options: { follower?: boolean } = {}): Promise<FileLogReader> {
    const fn = 'FileLogReader.open';
    const segments = listSegments(dir);
    const seg = [...segments].reverse().find((s) => s.base <= from);
    if (!seg) {
      throw new Error(`${fn}: from must be an offset still in the log at ${JSON.stringify(dir)}, got ${from} (the log starts at ${segments[0]?.base ?? 'nothing: no segment files'})`);
    }
    const reader = new FileLogReader(dir, seg, seg.base, options.follower ?? false);
    await reader.openSegment(seg);
    try {
      while (reader.offset < from) {
        const records = await reader.next(from);
        if (records.length === 0) throw new Error(`${fn}: from must be at most the log's end offset ${reader.offset}, got ${from}`);
      }
      if (reader.offset !== from) throw new Error(`${fn}: from must be a record boundary, got ${from} (a record spans it; the next boundary is ${reader.offset})`);
    } catch (e) {
      await reader.close();
      throw e;
    }
    return reader;
  }

  /** The complete records after the last one returned (stopping before offset `until` when given). */
  async next(until = Infinity): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    for (;;) {
      let pos = 0;
      while (this.offset < until) {
        const r = decodeRecordAt(this.pending, pos);
        if (r.kind === 'partial') break;
        if (r.kind === 'corrupt') {
          if (this.follower) break;
          throw new Error(`FileLogReader.next: segment ${JSON.stringify(this.segment.path)} must hold valid records, got a corrupt record at byte ${this.filePos - this.pending.length + pos}: ${r.reason}`);
        }
        if (r.record.first !== this.offset) {
          throw new Error(`FileLogReader.next: records must follow each other, got a record at offset ${r.record.first} where ${this.offset} was expected in ${JSON.stringify(this.segment.path)}`);
        }
        out.push(r.record);
        this.offset += r.record.events.length;
        pos += r.size;
      }
      this.pending = this.pending.subarray(pos);
      if (this.offset >= until) return out;
      const read = await this.readMore();
      if (read > 0) continue;
      // end of the file for now: unread tail bytes are read again next time (a writer may be
      // mid-write, or may cut a torn tail and write new records there)
      const leftover = this.pending.length;
      this.filePos -= leftover;
      this.pending = Buffer.alloc(0);
      const nextSeg = listSegments(this.dir).find((s) => s.base > this.segment.base);
      if (nextSeg && nextSeg.base === this.offset && leftover === 0) {
        await this.openSegment(nextSeg);
        continue;
      }
      return out;
    }
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = null;
  }

  private async openSegment(seg: Segment): Promise<void> {
    await this.fh?.close();
    this.fh = await open(seg.path, 'r');
    this.segment = seg;
    this.filePos = 0;
    this.pending = Buffer.alloc(0);
  }

  private async readMore(): Promise<number> {
    const buf = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await (this.fh as FileHandle).read(buf, 0, CHUNK, this.filePos);
    if (bytesRead === 0) return 0;
    this.filePos += bytesRead;
    this.pending = this.pending.length === 0 ? buf.subarray(0, bytesRead) : Buffer.concat([this.pending, buf.subarray(0, bytesRead)]);
    return bytesRead;
  }
}
