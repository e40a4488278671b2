/**
 * @memrec/data: loaders (MovieLens, NCF, delimited text, JSON Lines, RecBole), cleaning,
 * seeded splits with leakage reports, mini-batching and a synthetic drifting stream.
 *
 * This entry is browser-safe (no Node built-ins): it parses delimited text from bytes or a
 * stream (`parseDelimited`). Reading files and downloading live in `@memrec/data/node`.
 */
export { computeStats, interactionsOf, type DatasetStats, type LoadedDataset, type DataLike } from './types';
export { parseDelimited, delimitedParser, type ParseDelimitedOptions, type DelimitedParser, type DelimitedOptions, type ColumnRef } from './io/delimited';
export { LineSplitter, type ByteLineHandler } from './io/lines';
export { MOVIELENS, type MovieLensVariant, type MovieLensSource } from './io/movielens-formats';
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
export { sequences, type Sequences, type SequencesOptions } from './sequence/sequences';
export { sessions, type Sessions, type SessionsOptions } from './sequence/sessions';
export { movieLensGenres, itemAttributes, MOVIELENS_GENRES, type ItemAttributes, type ItemAttributesOptions } from './sequence/attributes';
