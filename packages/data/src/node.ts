/**
 * @memrec/data/node: the Node-only part of @memrec/data (node:fs, node:crypto). File loaders
 * (MovieLens, NCF, delimited text, JSON Lines, RecBole, named layouts), verified downloads and
 * zip extraction, and the streaming line reader. The main entry `@memrec/data` stays
 * browser-safe; this one is for Node programs.
 *
 * @example
 * ```ts
 * import { loadDelimited } from '@memrec/data/node';
 * const d = await loadDelimited('ratings.csv', { header: true, columns: { user: 'userId', item: 'movieId' } });
 * ```
 */
export { loadDelimited } from './io/delimited-file';
export { loadJsonLines, type JsonLinesOptions } from './io/json-lines';
export { loadRecBoleInter, type RecBoleOptions } from './io/recbole';
export { loadNcf, type NcfDataset } from './io/ncf';
export { loadMovieLens, type MovieLensOptions, type LoadProgress } from './io/movielens';
export { loadFile, FILE_FORMATS, type FileFormat } from './io/formats';
export { downloadVerified, unzipEntry, defaultCacheDir, type DownloadOptions } from './io/download';
export { readLines, streamFile, type LineHandler, type ReadLinesOptions } from './io/line-reader';
