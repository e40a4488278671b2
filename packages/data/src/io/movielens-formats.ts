import type { DelimitedOptions } from './delimited';

/** The MovieLens releases `loadMovieLens` (`@memrec/data/node`) knows. */
export type MovieLensVariant = '100k' | '1m' | '10m' | '20m' | '25m' | 'latest-small';

/** Where a MovieLens release lives and how its ratings file is laid out. */
export interface MovieLensSource {
  /** The publisher's (GroupLens) download URL. */
  url: string;
  /** Folder inside the zip (and inside a `dir` given by the caller). */
  folder: string;
  /** Ratings file inside `folder`. */
  file: string;
  /**
   * Pinned SHA-256 of the zip, or `null` when not pinned. Unpinned: the first download records
   * its hash beside the zip in the cache (`<zip>.sha256`); later downloads must match it, and so
   * must the cached zip before it is unzipped again. Pass `sha256` to {@link loadMovieLens} to pin one.
   */
  sha256: string | null;
  /**
   * The publisher's MD5 of the zip (GroupLens lists `<zip>.md5` beside each release), checked on
   * every download, or `null` for releases that change over time (latest-small).
   */
  md5: string | null;
  /** How the ratings file is parsed. */
  format: Omit<DelimitedOptions, 'onProgress' | 'skipBadLines'>;
}

const BASE = 'https://files.grouplens.org/datasets/movielens';
const TAB = { delimiter: '\t', header: false, columns: { user: 0, item: 1, rating: 2, timestamp: 3 } };
const DAT = { delimiter: '::', header: false, columns: { user: 0, item: 1, rating: 2, timestamp: 3 } };
const CSV = { delimiter: ',', header: true, columns: { user: 'userId', item: 'movieId', rating: 'rating', timestamp: 'timestamp' } };

/**
 * The MovieLens releases (F. M. Harper and J. A. Konstan, "The MovieLens Datasets: History and
 * Context", ACM TiiS 2015). Each download is checked against the publisher's MD5 ({@link MovieLensSource.md5}) and
 * a SHA-256 (pinned by the caller, or recorded on first use: {@link MovieLensSource.sha256}).
 *
 * @example
 * ```ts
 * MOVIELENS['1m'].url; // 'https://files.grouplens.org/datasets/movielens/ml-1m.zip'
 * ```
 */
export const MOVIELENS: Readonly<Record<MovieLensVariant, MovieLensSource>> = {
  '100k': { url: `${BASE}/ml-100k.zip`, folder: 'ml-100k', file: 'u.data', sha256: null, md5: '0e33842e24a9c977be4e0107933c0723', format: TAB },
  '1m': { url: `${BASE}/ml-1m.zip`, folder: 'ml-1m', file: 'ratings.dat', sha256: null, md5: 'c4d9eecfca2ab87c1945afe126590906', format: DAT },
  '10m': { url: `${BASE}/ml-10m.zip`, folder: 'ml-10M100K', file: 'ratings.dat', sha256: null, md5: 'ce571fd55effeba0271552578f2648bd', format: DAT },
  '20m': { url: `${BASE}/ml-20m.zip`, folder: 'ml-20m', file: 'ratings.csv', sha256: null, md5: 'cd245b17a1ae2cc31bb14903e1204af3', format: CSV },
  '25m': { url: `${BASE}/ml-25m.zip`, folder: 'ml-25m', file: 'ratings.csv', sha256: null, md5: '6b51fb2759a8657d3bfcbfc42b592ada', format: CSV },
  'latest-small': { url: `${BASE}/ml-latest-small.zip`, folder: 'ml-latest-small', file: 'ratings.csv', sha256: null, md5: null, format: CSV },
};
