import { createReadStream, promises as fsp } from 'node:fs';

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
 *
 * @example
 * ```ts
 * let n = 0;
 * await readLines('u.data', 'count', () => n++);
 * ```
 */
export async function readLines(file: string, fn: string, onLine: LineHandler, options: ReadLinesOptions = {}): Promise<{ lines: number; bytes: number }> {
  let total = 0;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) throw new Error('not a regular file');
    total = st.size;
  } catch (err) {
    throw new Error(`${fn}: file must be a readable file, got ${JSON.stringify(file)} (${(err as Error).message})`);
  }
  const stream = createReadStream(file, { highWaterMark: options.chunkSize ?? 1 << 20 });
  let carry: Buffer | null = null;
  let lineNo = 0;
  let bytes = 0;
  let first = true;
  const emit = (buf: Buffer, s: number, e: number): void => {
    lineNo++;
    if (e > s && buf[e - 1] === 13) e--;
    if (e > s) onLine(buf, s, e, lineNo);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let pos = 0;
      if (first) {
        first = false;
        if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) pos = 3;
      }
      const nul = chunk.indexOf(0);
      if (nul !== -1) {
        throw new Error(`${fn}: ${file} is not a text file (NUL byte at offset ${bytes + nul})`);
      }
      bytes += chunk.length;
      if (carry !== null) {
        const nl = chunk.indexOf(10, pos);
        if (nl === -1) {
          carry = Buffer.concat([carry, chunk]);
          continue;
        }
        const joined: Buffer = Buffer.concat([carry, chunk.subarray(0, nl)]);
        carry = null;
        emit(joined, 0, joined.length);
        pos = nl + 1;
      }
      for (;;) {
        const nl = chunk.indexOf(10, pos);
        if (nl === -1) break;
        emit(chunk, pos, nl);
        pos = nl + 1;
      }
      if (pos < chunk.length) carry = Buffer.from(chunk.subarray(pos));
      if (options.onEstimate && lineNo > 0) {
        options.onEstimate(Math.ceil((total / bytes) * lineNo * 1.02) + 16);
        options.onEstimate = undefined;
      }
      options.onProgress?.(bytes, total);
    }
    if (carry !== null) emit(carry, 0, carry.length);
  } finally {
    stream.destroy();
  }
  return { lines: lineNo, bytes };
}
