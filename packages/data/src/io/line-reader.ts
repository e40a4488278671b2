import { createReadStream, promises as fsp } from 'node:fs';
import { LineSplitter } from './lines';

/** Called once per non-empty line with the bytes `buf[start, end)` (line end and `\r` removed). */
export type LineHandler = (buf: Buffer, start: number, end: number, lineNo: number) => void;

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** Called after each chunk with bytes read so far and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Chunk size in bytes (default 1 MiB). */
  chunkSize?: number;
  /** Called once, after the first chunk, with an estimate of the number of lines in the file. */
  onEstimate?: (lines: number) => void;
}

/**
 * Streams a text file as bytes and calls `onLine` for every non-empty line. Never builds the
 * file as one string: each 1 MiB chunk is scanned for `\n` natively; only a line that spans
 * two chunks is copied. Strips a UTF-8 BOM and `\r` before `\n`; the last line may lack `\n`.
 * Rejects files that contain a NUL byte (binary, UTF-16) with an error naming the file.
 * Node only (`@memrec/data/node`); the byte-level splitter under it is `LineSplitter`.
 *
 * @example
 * ```ts
 * import { readLines } from '@memrec/data/node';
 * let n = 0;
 * await readLines('u.data', 'count', () => n++);
 * ```
 */
export async function readLines(file: string, fn: string, onLine: LineHandler, options: ReadLinesOptions = {}): Promise<{ lines: number; bytes: number }> {
  const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  const split = new LineSplitter(fn, file, (b, s, e, lineNo) => onLine(asBuffer(b), s, e, lineNo));
  await streamFile(file, fn, options.chunkSize, (chunk, total) => {
    split.push(chunk);
    if (options.onEstimate && split.lineNo > 0) {
      options.onEstimate(Math.ceil((total / split.bytes) * split.lineNo * 1.02) + 16);
      options.onEstimate = undefined;
    }
    options.onProgress?.(split.bytes, total);
  });
  split.end();
  return { lines: split.lineNo, bytes: split.bytes };
}

/**
 * Streams a regular file in chunks (default 1 MiB) to `onChunk`, with the file's size; an
 * unreadable path fails with an error naming `fn` and the file.
 *
 * @example
 * ```ts
 * let bytes = 0;
 * await streamFile('u.data', 'count', undefined, (chunk) => (bytes += chunk.length));
 * ```
 */
export async function streamFile(file: string, fn: string, chunkSize: number | undefined, onChunk: (chunk: Buffer, totalBytes: number) => void): Promise<void> {
  let total = 0;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) throw new Error('not a regular file');
    total = st.size;
  } catch (err) {
    throw new Error(`${fn}: file must be a readable file, got ${JSON.stringify(file)} (${(err as Error).message})`);
  }
  const stream = createReadStream(file, { highWaterMark: chunkSize ?? 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) onChunk(chunk, total);
  } finally {
    stream.destroy();
  }
}
