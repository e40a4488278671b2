import { checkOptionKeys } from '@memrec/core/internal';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { LoadedDataset } from '../types';
import { loadDelimited } from './delimited-file';
import { MOVIELENS, type MovieLensVariant } from './movielens-formats';
import { defaultCacheDir, downloadVerified, sha256File, unzipEntry } from './download';

/** Progress of {@link loadMovieLens}: which phase and bytes done / total (0 when unknown). */
export interface LoadProgress {
  phase: 'download' | 'unzip' | 'parse';
  bytes: number;
  total: number;
}

/** Options of {@link loadMovieLens}. */
export interface MovieLensOptions {
  /** A folder holding the ratings file (directly or in the release's sub-folder); nothing is downloaded. */
  dir?: string;
  /** Cache folder (default `$MEMREC_DATA`, else the user cache folder; see `defaultCacheDir`). */
  cacheDir?: string;
  /** Download when the cache lacks the release (default true). */
  download?: boolean;
  /** Replaces `https://files.grouplens.org/datasets/movielens` (mirrors, tests). */
  baseUrl?: string;
  /** A fetch implementation (default Node's global fetch). */
  fetch?: typeof fetch;
  /** Pins the zip's SHA-256 (overrides the table and the recorded value). */
  sha256?: string;
  /** Overrides the publisher's MD5 from the table (`null`: do not check, e.g. a local mirror with other files). */
  md5?: string | null;
  skipBadLines?: boolean;
  onProgress?: (p: LoadProgress) => void;
}

/**
 * Loads a MovieLens ratings file with timestamps and ratings. From `dir` when given; otherwise
 * from the cache, downloading the publisher's zip on first use (SHA-256 checked, written via
 * temporary file + rename, the ratings file extracted with fflate) and reusing it afterwards.
 * The zip's SHA-256 is recorded on first use (`<zip>.sha256`): a later download that differs
 * (the file changed at the mirror) is an error and leaves the cache as it was, and a cached zip
 * is checked against it before it is unzipped (a corrupt one is an error naming the file). A
 * cached zip is unzipped even with `download: false`.
 *
 * @example
 * ```ts
 * const ml = await loadMovieLens('100k');             // cached download
 * const local = await loadMovieLens('1m', { dir: './ml-1m' });
 * local.stats.numUsers; // 6040
 * ```
 */
export async function loadMovieLens(variant: MovieLensVariant, options: MovieLensOptions = {}): Promise<LoadedDataset> {
  const fn = 'loadMovieLens';
  checkOptionKeys(fn, options, ['dir', 'cacheDir', 'download', 'baseUrl', 'fetch', 'sha256', 'md5', 'skipBadLines', 'onProgress']);
  if (!Object.prototype.hasOwnProperty.call(MOVIELENS, variant)) {
    throw new Error(`${fn}: variant must be one of ${Object.keys(MOVIELENS).join(', ')}, got ${JSON.stringify(variant)}`);
  }
  const src = MOVIELENS[variant];
  const zipName = src.url.slice(src.url.lastIndexOf('/') + 1);
  const url = options.baseUrl ? `${options.baseUrl.replace(/\/$/, '')}/${zipName}` : src.url;
  const parse = (file: string) =>
    loadDelimited(file, { ...src.format, skipBadLines: options.skipBadLines, onProgress: (bytes, total) => options.onProgress?.({ phase: 'parse', bytes, total }) }, { fn });

  if (options.dir !== undefined) {
    for (const candidate of [join(options.dir, src.file), join(options.dir, src.folder, src.file)]) {
      if (existsSync(candidate)) return parse(candidate);
    }
    throw new Error(`${fn}: dir must contain ${src.file} or ${src.folder}/${src.file}, got ${JSON.stringify(options.dir)}; download ${src.url} and unzip it there`);
  }

  const root = options.cacheDir ?? defaultCacheDir();
  const target = join(root, src.folder, src.file);
  if (existsSync(target)) return parse(target);
  const zip = join(root, zipName);
  const cached = existsSync(zip);
  if (!cached && options.download === false) {
    throw new Error(`${fn}: ${target} is missing and download is false; download ${src.url} and unzip it into ${root} (so that ${src.folder}/${src.file} is there), or pass { dir }`);
  }
  const record = `${zip}.sha256`;
  const recorded = existsSync(record) ? (await fsp.readFile(record, 'utf8')).trim() : null;
  const pinned = options.sha256 ?? src.sha256;
  const expected = pinned ?? recorded;
  const source = pinned ? 'pinned' : `recorded on first use in ${record}`;
  const folder = join(root, src.folder);
  const hadFolder = existsSync(folder);
  await fsp.mkdir(folder, { recursive: true });
  try {
    let sha: string;
    if (cached) {
      // A cached zip is checked before it is unzipped: a file changed on disk is never read as the release.
      sha = await sha256File(zip);
      if (expected && sha !== expected.toLowerCase()) {
        throw new Error(`${fn}: cached ${zip} must have SHA-256 ${expected} (${source}), got ${sha} (not unzipped; delete it to download again)`);
      }
    } else {
      sha = await downloadVerified(url, zip, {
        sha256: expected,
        sha256Source: pinned ? undefined : source,
        md5: options.md5 === undefined ? src.md5 : options.md5,
        fetch: options.fetch,
        fn,
        hint: `Offline? Download ${src.url} by hand and unzip it into ${root} (so that ${src.folder}/${src.file} is there), or pass { dir }`,
        onProgress: (bytes, total) => options.onProgress?.({ phase: 'download', bytes, total }),
      });
    }
    options.onProgress?.({ phase: 'unzip', bytes: 0, total: 0 });
    await unzipEntry(zip, `${src.folder}/${src.file}`, target, fn).catch((err: Error) => {
      throw cached ? new Error(`${err.message} (cached ${zip}: delete it to download again)`) : err;
    });
    // Trust on first use: record the hash of a zip that verified (or had nothing to verify
    // against) and unzipped cleanly; later downloads and cached copies must match it.
    if (recorded !== sha) await fsp.writeFile(record, `${sha}\n`);
  } catch (err) {
    // Leave the cache as it was: remove only what this call made (a downloaded zip, a new
    // release folder). A cached zip that fails its check stays, for the user to inspect.
    if (!cached) await fsp.rm(zip, { force: true });
    if (!hadFolder) await fsp.rm(folder, { recursive: true, force: true });
    throw err;
  }
  return parse(target);
}
