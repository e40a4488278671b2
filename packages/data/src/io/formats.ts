import { checkOptionKeys } from '@memrec/core/internal';
import type { LoadedDataset } from '../types';
import { loadDelimited } from './delimited-file';
import { MOVIELENS } from './movielens-formats';
import { loadRecBoleInter } from './recbole';

const LAYOUTS = {
  'movielens-100k': (f: string, skip: boolean) => loadDelimited(f, { ...MOVIELENS['100k'].format, skipBadLines: skip }, { fn: 'loadFile' }),
  'movielens-dat': (f: string, skip: boolean) => loadDelimited(f, { ...MOVIELENS['1m'].format, skipBadLines: skip }, { fn: 'loadFile' }),
  'movielens-csv': (f: string, skip: boolean) => loadDelimited(f, { ...MOVIELENS['25m'].format, skipBadLines: skip }, { fn: 'loadFile' }),
  'ncf-rating': (f: string, skip: boolean) =>
    loadDelimited(f, { delimiter: '\t', columns: { user: 0, item: 1, rating: 2, timestamp: 3 }, skipBadLines: skip }, { fn: 'loadFile' }),
  'recbole-inter': (f: string, skip: boolean) => loadRecBoleInter(f, { skipBadLines: skip }),
} as const;

/** The named file layouts {@link loadFile} reads. */
export type FileFormat = keyof typeof LAYOUTS;

/** Names accepted by {@link loadFile}. */
export const FILE_FORMATS = Object.keys(LAYOUTS) as FileFormat[];

/**
 * Loads a file in a named layout: `movielens-100k` (`u.data`), `movielens-dat` (1M / 10M
 * `ratings.dat`), `movielens-csv` (20M / 25M / latest `ratings.csv`), `ncf-rating`
 * (`NAME.train.rating`), `recbole-inter` (RecBole `.inter`). For other layouts use
 * `loadDelimited` or `loadJsonLines`.
 *
 * @example
 * ```ts
 * const d = await loadFile('ml-1m/ratings.dat', 'movielens-dat');
 * ```
 */
export function loadFile(file: string, format: FileFormat, options: { skipBadLines?: boolean } = {}): Promise<LoadedDataset> {
  if (!Object.prototype.hasOwnProperty.call(LAYOUTS, format)) {
    return Promise.reject(new Error(`loadFile: format must be one of ${FILE_FORMATS.join(', ')}, got ${JSON.stringify(format)}`));
  }
  try {
    checkOptionKeys('loadFile', options, ['skipBadLines']);
  } catch (e) {
    return Promise.reject(e);
  }
  return LAYOUTS[format](file, !!options.skipBadLines);
}
