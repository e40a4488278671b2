/**
 * @memrec/core/node: file helpers for Node.js (the main `@memrec/core` entry stays free of
 * `node:fs`, so it also loads in browsers).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open as openAsync, rename as renameAsync, rm as rmAsync } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { show } from '../assert';

let counter = 0;

/**
 * Writes `bytes` (or UTF-8 `text`, or chunks of either produced one after another) to `path`
 * so that readers see either the old file or the
 * whole new one, never a part: the data goes to a temporary file beside the target (same
 * directory, so the same file system), is flushed to disk (`fsync`), then renamed over the
 * target. When any step fails the temporary file is removed, the old file is left as it was
 * and the error names the path and the cause.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from '@memrec/core/node';
 * writeFileAtomic('model.bin', model.toBytes());
 * writeFileAtomic('report.json', JSON.stringify(report));
 * writeFileAtomic('big.csv', (function* () { yield 'a,b\n'; yield '1,2\n'; })()); // chunks
 * ```
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string | Iterable<Uint8Array | string>): void {
  const fn = 'writeFileAtomic';
  if (typeof path !== 'string' || path.length === 0) throw new Error(`${fn}: path must be a non-empty string, got ${show(path)}`);
  const chunked = typeof bytes !== 'string' && !(bytes instanceof Uint8Array);
  if (chunked && (bytes == null || typeof (bytes as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
    throw new Error(`${fn}: bytes must be a Uint8Array, a string or an iterable of them, got ${show(bytes)}`);
  }
  const chunks: Iterable<Uint8Array | string> = chunked ? (bytes as Iterable<Uint8Array | string>) : [bytes as Uint8Array | string];
  const encoder = new TextEncoder();
  const temp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    for (const chunk of chunks) {
      // a chunk producer that throws midway leaves the old file as it was (the temp is removed)
      const data = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      if (!(data instanceof Uint8Array)) throw new Error(`each chunk must be a Uint8Array or a string, got ${show(chunk)}`);
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing: report the first error */
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      /* the temporary file was never created */
    }
    throw new Error(`${fn}: path ${JSON.stringify(path)} could not be written, got ${(e as Error).message}`, { cause: e });
  }
}

/** Options of {@link writeFileAtomicAsync}. */
export interface AtomicWriteOptions {
  /** Runs after every chunk is on disk and before the rename; throwing here (e.g. a checksum check) leaves the old file. */
  beforeRename?: () => void | Promise<void>;
}

/**
 * {@link writeFileAtomic} for chunks that arrive asynchronously (a download, a decompressor):
 * the same temporary file beside the target, flushed, then renamed over it. An error from the
 * source or from `beforeRename` is rethrown as it is (after the temporary file is removed, the
 * old file untouched); a file-system error names the path.
 *
 * @example
 * ```ts
 * import { writeFileAtomicAsync } from '@memrec/core/node';
 * await writeFileAtomicAsync('data.zip', response.body, { beforeRename: () => checkDigest() });
 * ```
 */
export async function writeFileAtomicAsync(path: string, chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: AtomicWriteOptions = {}): Promise<void> {
  const fn = 'writeFileAtomicAsync';
  if (typeof path !== 'string' || path.length === 0) throw new Error(`${fn}: path must be a non-empty string, got ${show(path)}`);
  const iterable = chunks as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown } | null;
  if (iterable == null || (typeof iterable[Symbol.asyncIterator] !== 'function' && typeof iterable[Symbol.iterator] !== 'function')) {
    throw new Error(`${fn}: chunks must be an iterable or async iterable of Uint8Arrays or strings, got ${show(chunks)}`);
  }
  const temp = tempPathFor(path);
  const encoder = new TextEncoder();
  let handle: Awaited<ReturnType<typeof openAsync>> | undefined;
  let stage = 'open';
  try {
    handle = await openAsync(temp, 'wx');
    stage = 'source';
    for await (const chunk of chunks) {
      const data = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      if (!(data instanceof Uint8Array)) throw new Error(`${fn}: each chunk must be a Uint8Array or a string, got ${show(chunk)}`);
      stage = 'write';
      await handle.write(data);
      stage = 'source';
    }
    stage = 'sync';
    await handle.sync();
    await handle.close();
    handle = undefined;
    stage = 'check';
    await options.beforeRename?.();
    stage = 'rename';
    await renameAsync(temp, path);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await rmAsync(temp, { force: true }).catch(() => undefined);
    if (stage === 'source' || stage === 'check') throw e;
    throw new Error(`${fn}: path ${JSON.stringify(path)} could not be written, got ${(e as Error).message}`, { cause: e });
  }
}

/** A temporary file name beside `path` (same directory, unique per process, thread and call). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${threadId}-${++counter}.tmp`);
}

/**
 * The bytes of the file at `path`; a missing file or a directory is an error that names `fn`
 * (the caller) and the path.
 *
 * @example
 * ```ts
 * import { readFileBytes } from '@memrec/core/node';
 * const table = SparseEmbedding.fromBytes(readFileBytes('users.bin', 'loadTables'));
 * ```
 */
export function readFileBytes(path: string, fn: string): Uint8Array {
  if (typeof path !== 'string' || path.length === 0) throw new Error(`${fn}: path must be a non-empty string, got ${show(path)}`);
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${fn}: path ${JSON.stringify(path)} must name an existing file, got nothing there`, { cause: e });
    throw new Error(`${fn}: path ${JSON.stringify(path)} could not be read, got ${(e as Error).message}`, { cause: e });
  }
  if (!isFile) throw new Error(`${fn}: path ${JSON.stringify(path)} must name a file, got a directory or another kind of entry`);
  const buf = readFileSync(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
