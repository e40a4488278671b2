/**
 * @memrec/data: loaders (MovieLens, NCF, delimited text, JSON Lines, RecBole), cleaning,
 * seeded splits with leakage reports, mini-batching and a synthetic drifting stream.
 */
export { computeStats, interactionsOf, type DatasetStats, type LoadedDataset, type DataLike } from './types';
export { loadDelimited, type DelimitedOptions, type ColumnRef } from './io/delimited';
export { loadJsonLines, type JsonLinesOptions } from './io/json-lines';
export { loadRecBoleInter, type RecBoleOptions } from './io/recbole';
export { loadNcf, type NcfDataset } from './io/ncf';
export { loadMovieLens, MOVIELENS, type MovieLensVariant, type MovieLensOptions, type MovieLensSource, type LoadProgress } from './io/movielens';
export { loadFile, FILE_FORMATS, type FileFormat } from './io/formats';
export { downloadVerified, unzipEntry, defaultCacheDir, type DownloadOptions } from './io/download';
export { readLines, type LineHandler, type ReadLinesOptions } from './io/line-reader';
export { toImplicit } from './clean/to-implicit';
export { dedupe, type DedupePolicy } from './clean/dedupe';
export { kCore, type KCoreResult } from './clean/k-core';
export { sortByTime, timeOrder } from './clean/sort-by-time';
export { take, groupByUser } from './clean/columns';
export { leaveLastOut, type LeaveLastOutOptions } from './split/leave-last-out';
export { stratifiedSplit, type RatioSplitOptions } from './split/stratified';
export { randomSplit } from './split/random';
export { temporalSplit, type TemporalSplitOptions } from './split/temporal';
export { streamSplit, type StreamSplit, type StreamSplitOptions } from './split/stream';
export type { SplitReport, SplitResult, SplitProtocol } from './split/report';
export { shuffledBatches, timeOrderedBatches, type Batch, type ShuffledBatchOptions, type TimeBatchOptions } from './batches';
export { syntheticStream, userClusterAt, type SyntheticStream, type SyntheticStreamOptions, type SyntheticTruth } from './synthetic';
