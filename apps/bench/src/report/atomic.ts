import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** What {@link writeFileAtomic} writes: a whole string, or chunks produced one after another. */
export type AtomicContent = string | Iterable<string> | AsyncIterable<string>;

/**
 * Writes `content` to `file` atomically: the bytes go to a temporary file in the same directory,
 * which is flushed to disk and then renamed over `file`. Readers see either the old file or the
 * whole new one, never a partial write; if producing or writing the content fails, the temporary
 * file is removed, the old `file` is left as it was, and the error is rethrown.
 *
 * @example
 * ```ts
 * await writeFileAtomic('runs/x/results.json', JSON.stringify(results, null, 2));
 * // chunks: a throwing generator leaves any existing results.json untouched
 * await writeFileAtomic('runs/x/big.txt', (function* () { yield 'a'; yield 'b'; })());
 * ```
 */
export async function writeFileAtomic(file: string, content: AtomicContent): Promise<void> {
  if (typeof file !== 'string' || file.length === 0) {
    throw new Error(`writeFileAtomic: file must be a non-empty path, got ${JSON.stringify(file)}`);
  }
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx');
  let closed = false;
  try {
    if (typeof content === 'string') {
      await handle.writeFile(content, 'utf8');
    } else {
      for await (const chunk of content) await handle.writeFile(chunk, 'utf8');
    }
    await handle.sync();
    await handle.close();
    closed = true;
    await fs.rename(tmp, file);
  } catch (e) {
    if (!closed) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
