/**
 * @memrec/server: an HTTP service (Fastify) over an online recommender (NMRN by default) that
 * learns from every event: a durable event log (segment files, or Redis Streams), one trainer
 * applying events in log order, checkpoints with the log offset inside, crash recovery, read
 * replicas, Prometheus metrics and an OpenAPI document. The `memrec-serve` bin runs it.
 */
export { type LoggedEvent, idProblem, MAX_ID_BYTES, MAX_EVENTS_PER_REQUEST } from './events';
export { encodeRecord, decodeRecordAt, type LogRecord, type DecodeResult } from './log/record';
export { FileLog, type FileLogOptions } from './log/file-log';
export { FileLogReader } from './log/file-reader';
export type { EventLog, LogReader, AppendResult } from './log/types';
export { CheckpointStore, encodeCheckpoint, decodeCheckpoint, type Checkpoint } from './checkpoints';
export { IdSet, idHash128 } from './id-set';
export { Metrics, LATENCY_BUCKETS } from './metrics';
export { Engine, type EngineOptions } from './engine';
export { makeModel, loadTrainingEvents, SERVER_MODELS, type ServerModel, type TrainSpec } from './training';
export { openService, replay, type Service, type ServiceOptions, type FirstModel } from './service';
export { buildApp, type AppOptions, type Serving } from './http/app';
export { openApiDocument, type RouteDoc } from './http/openapi';
export { Ingestor, type FeedbackResult } from './ingest';
export { SessionRecommender } from './session';
export { RedisLog } from './log/redis-log';
export { openReplica, type Replica, type ReplicaOptions } from './replica';
export { parseServeArgs, USAGE, type ServeConfig } from './cli-options';
export { startServer, type RunningServer } from './serve';
