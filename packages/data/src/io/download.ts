import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomicAsync } from '@memrec/core/node';
import { Unzip, UnzipInflate } from 'fflate';

/**
 * The data cache folder: `$MEMREC_DATA`, else the platform's user cache folder + `memrec`
 * (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows).
 *
 * @example
 * ```ts
 * defaultCacheDir(); // '/home/me/.cache/memrec'
 * ```
 */
export function defaultCacheDir(): string {
  if (process.env.MEMREC_DATA) return process.env.MEMREC_DATA;
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'memrec');
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches', 'memrec');
  return join(process.env.XDG_CACHE_HOME ?? join(home, '.cache'), 'memrec');
}

/** Options of {@link downloadVerified}. */
export interface DownloadOptions {
  /** Expected SHA-256 (hex). `null`/absent: accept and return whatever arrives. */
  sha256?: string | null;
  /** Where `sha256` came from, named in the mismatch error (e.g. `recorded on first use in /cache/x.zip.sha256`). */
  sha256Source?: string;
  /** Expected MD5 (hex), for publishers that list MD5 sums only. `null`/absent: not checked. */
  md5?: string | null;
  /** A fetch implementation (default: Node's global `fetch`). */
  fetch?: typeof fetch;
  /** Bytes received so far and the announced length (0 when unknown). */
  onProgress?: (bytes: number, total: number) => void;
  /** Function name for error messages. */
  fn?: string;
  /**
   * Advice appended to errors of the transfer (no connection, an HTTP error, a broken body), not
   * to checksum mismatches: e.g. where to download the file by hand.
   */
  hint?: string;
}

/**
 * Downloads `url` to `dest` atomically: the body streams into a temporary file beside `dest`
 * while being hashed; on a checksum mismatch or any error the temporary file is removed and
 * nothing is left at `dest`; otherwise it is renamed into place. Returns the SHA-256.
 *
 * @example
 * ```ts
 * await downloadVerified('https://files.grouplens.org/datasets/movielens/ml-100k.zip', '/tmp/ml-100k.zip');
 * ```
 */
export async function downloadVerified(url: string, dest: string, options: DownloadOptions = {}): Promise<string> {
  const fn = options.fn ?? 'downloadVerified';
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const withHint = (message: string) => (options.hint ? `${message}. ${options.hint}` : message);
  let res: Response;
  try {
    res = await fetchImpl(url);
  } catch (err) {
    throw new Error(withHint(`${fn}: could not download ${url} (${(err as Error).message})`));
  }
  if (!res.ok || !res.body) throw new Error(withHint(`${fn}: could not download ${url} (HTTP ${res.status} ${res.statusText})`));
  const total = Number(res.headers.get('content-length') ?? 0);
  const hash = createHash('sha256');
  const md5 = createHash('md5');
  const body = res.body as unknown as AsyncIterable<Uint8Array>;
  let got = '';
  async function* hashed(): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      md5.update(chunk);
      bytes += chunk.length;
      yield chunk;
      options.onProgress?.(bytes, total);
    }
  }
  let mismatch: Error | null = null;
  try {
    await writeFileAtomicAsync(dest, hashed(), {
      beforeRename: () => {
        got = hash.digest('hex');
        if (options.sha256 && got !== options.sha256.toLowerCase()) {
          const source = options.sha256Source ? ` (${options.sha256Source})` : '';
          throw (mismatch = new Error(`${fn}: checksum of ${url} must be SHA-256 ${options.sha256}${source}, got ${got} (download removed)`));
        }
        const gotMd5 = md5.digest('hex');
        if (options.md5 && gotMd5 !== options.md5.toLowerCase()) {
          throw (mismatch = new Error(`${fn}: checksum of ${url} must be MD5 ${options.md5} (the publisher's), got ${gotMd5} (download removed)`));
        }
      },
    });
  } catch (err) {
    if (err === mismatch) throw err;
    throw new Error(withHint((err as Error).message), { cause: err });
  }
  return got;
}

/**
 * The SHA-256 (hex) of the file at `path`, read as a stream.
 *
 * @example
 * ```ts
 * await sha256File('ml-100k.zip'); // '9f1c...'
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Extracts one entry of a zip file to `dest` (streaming inflate with fflate; temporary file +
 * rename, so a failure leaves nothing at `dest`).
 *
 * @example
 * ```ts
 * await unzipEntry('ml-100k.zip', 'ml-100k/u.data', './ml-100k/u.data');
 * ```
 */
export async function unzipEntry(zipPath: string, entry: string, dest: string, fn = 'unzipEntry'): Promise<void> {
  let found = false;
  let done = false;
  let failure: Error | null = null;
  const out: Uint8Array[] = [];
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (file) => {
    if (file.name !== entry) return;
    found = true;
    file.ondata = (err, data, final) => {
      if (err) {
        failure = new Error(`${fn}: ${zipPath} is not a valid zip (${err.message})`);
        return;
      }
      out.push(data);
      if (final) done = true;
    };
    file.start();
  };
  async function* inflated(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of createReadStream(zipPath) as AsyncIterable<Buffer>) {
        unzip.push(chunk);
        if (failure) throw failure;
        yield* out.splice(0);
      }
      unzip.push(new Uint8Array(0), true);
    } catch (err) {
      throw failure ?? new Error(`${fn}: ${zipPath} is not a valid zip (${(err as Error).message})`);
    }
    if (failure) throw failure;
    yield* out.splice(0);
  }
  await writeFileAtomicAsync(dest, inflated(), {
    beforeRename: () => {
      if (!found || !done) throw new Error(`${fn}: ${zipPath} must contain ${entry}, got ${found ? 'a truncated entry' : 'no such entry'}`);
    },
  });
}
