import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FitOptions } from '@memrec/core';
import { readFileBytes } from '@memrec/core/node';
import { OnlineRecommender } from '@memrec/models';
import { CheckpointStore, type Checkpoint } from './checkpoints';
import { Engine } from './engine';
import { FileLog } from './log/file-log';
import type { EventLog, LogReader } from './log/types';
import { Metrics } from './metrics';
import { loadTrainingEvents, makeModel, type TrainSpec } from './training';

/** How to build the first model when the data folder holds no checkpoint. */
export interface FirstModel {
  /** An `OnlineRecommender` checkpoint file (`saveCheckpoint` of `@memrec/models/node`) to start from instead of training. */
  checkpointFile?: string;
  train?: TrainSpec;
  model?: string;
  modelOptions?: Record<string, unknown>;
  fit?: FitOptions;
}

/**
 * The recommender bytes to start from: `path` is an `OnlineRecommender` checkpoint file, or a
 * folder: another server's data folder or its `checkpoints/` folder (its newest readable
 * checkpoint's recommender), else the newest `*.memrec` file in it (by modification time).
 */
export function startingCheckpoint(path: string, fn: string, warn: (line: string) => void): { bytes: Uint8Array; path: string } {
  let dir = false;
  try {
    dir = statSync(path).isDirectory();
  } catch (e) {
    throw new Error(`${fn}: the starting checkpoint must be an existing file or folder, got ${JSON.stringify(path)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!dir) return { bytes: readFileBytes(path, fn), path };
  for (const d of [join(path, 'checkpoints'), path]) {
    const found = new CheckpointStore(d, 2, warn).loadLatest();
    if (found) return { bytes: found.checkpoint.recommender, path: found.path };
  }
  const files = readdirSync(path)
    .filter((n) => n.endsWith('.memrec'))
    .map((n) => ({ p: join(path, n), t: statSync(join(path, n)).mtimeMs }))
    .filter((f) => statSync(f.p).isFile())
    .sort((a, b) => b.t - a.t || (a.p < b.p ? 1 : -1));
  if (files.length === 0) throw new Error(`${fn}: the starting checkpoint folder must hold a server's checkpoints or a *.memrec file, got none in ${JSON.stringify(path)}`);
  return { bytes: readFileBytes(files[0].p, fn), path: files[0].p };
}

/** Options of {@link openService}. */
export interface ServiceOptions {
  /** Holds `log/` and `checkpoints/` (the file log), or only `checkpoints/` with Redis. */
  dataDir: string;
  /** How to train when `dataDir` has no checkpoint; required then. */
  first?: FirstModel;
  /** Checkpoint every this many applied events (default 100,000; a checkpoint pauses the event loop while the model is encoded and reloaded). */
  checkpointEvery?: number;
  /**
   * Most events the trainer applies in one step (default 25; fixed when the data folder is
   * created, kept in its checkpoints): a larger request is applied in slices, with requests
   * answered between them. Smaller slices shorten the wait of a recommend request that
   * arrives during a step (measured: p99 18-20 ms at 25 against 23-27 ms at 256 under
   * 8-connection ingest) at the cost of ingest throughput (about 16,000 against 25,000
   * events/s on 2 cores) and recovery time.
   */
  maxBatch?: number;
  /** Checkpoints kept (default 2); the log is truncated only behind the oldest. */
  keepCheckpoints?: number;
  /** A log to use instead of the file log in `dataDir/log` (Redis Streams). */
  log?: EventLog;
  /** Segment size of the file log. */
  segmentBytes?: number;
  prequentialEvery?: number;
  /** Progress and warnings. */
  info?: (line: string) => void;
  warn?: (line: string) => void;
}

/** A running primary: the log, the trainer, and what recovery did. */
export interface Service {
  log: EventLog;
  engine: Engine;
  store: CheckpointStore;
  /** What happened at start: trained, or recovered (checkpoint offset and events replayed). */
  start: { trained: boolean; checkpointOffset: number; replayed: number; seconds: number };
  /** Stops the trainer after its current batch, checkpoints, closes the log. */
  close(): Promise<void>;
}

/** Replays every record the reader has into the engine and waits until they are applied (closing the reader unless `close` is false). */
export async function replay(engine: Engine, reader: LogReader, close = true): Promise<number> {
  let n = 0;
  for (let batch = await reader.next(); batch.length > 0; batch = await reader.next()) {
    for (const r of batch) {
      engine.enqueue(r);
      n += r.events.length;
    }
    await engine.drain();
    if (engine.error) throw engine.error;
  }
  if (close) await reader.close();
  return n;
}

/**
 * Opens a primary over `dataDir`: with a checkpoint there it recovers (newest readable
 * checkpoint, then replay of the log after it); otherwise it trains the first model, saves it
 * as the checkpoint at offset 0, and starts an empty log. New records go to the trainer.
 *
 * @example
 * ```ts
 * const svc = await openService({ dataDir: 'data', first: { train: { source: 'synthetic' } } });
 * await svc.log.append([{ eventId: 'e1', user: 'u1', item: 'i1' }]);
 * await svc.close();
 * ```
 */
export async function openService(options: ServiceOptions): Promise<Service> {
  const fn = 'openService';
  if (options.maxBatch !== undefined && (!Number.isInteger(options.maxBatch) || options.maxBatch < 1)) throw new Error(`${fn}: options.maxBatch must be an integer >= 1, got ${options.maxBatch}`);
  const t0 = performance.now();
  const info = options.info ?? (() => undefined);
  const warn = options.warn ?? ((l: string) => console.warn(l));
  const store = new CheckpointStore(join(options.dataDir, 'checkpoints'), options.keepCheckpoints ?? 2, warn);
  let found = store.loadLatest();
  let trained = false;
  if (!found) {
    if (!options.first) throw new Error(`${fn}: options.first must say how to train when ${JSON.stringify(options.dataDir)} holds no checkpoint, got nothing`);
    if (existsSync(join(options.dataDir, 'log')) && options.log === undefined) {
      const probe = await FileLog.open(join(options.dataDir, 'log'), { warn });
      const end = probe.end;
      await probe.close();
      if (end > 0) throw new Error(`${fn}: dataDir ${JSON.stringify(options.dataDir)} must hold a checkpoint when its log holds events, got ${end} logged events and no checkpoint`);
    }
    const { train, checkpointFile, model = 'nmrn', modelOptions = {}, fit = {} } = options.first;
    let rec: OnlineRecommender;
    if (checkpointFile !== undefined) {
      const { bytes, path } = startingCheckpoint(checkpointFile, fn, warn);
      info(`starting from ${path}`);
      rec = await OnlineRecommender.fromBytes(bytes);
    } else {
      if (!train) throw new Error(`${fn}: options.first must hold train or checkpointFile, got neither`);
      info(`training ${model} on ${train.source}`);
      const events = await loadTrainingEvents(train, info);
      rec = await OnlineRecommender.train(makeModel(model, modelOptions), events, fit);
    }
    const checkpoint: Checkpoint = { offset: 0, idHashes: new Uint32Array(0), recommender: rec.toBytes(), settings: { checkpointEvery: options.checkpointEvery ?? 100000, model, maxBatch: options.maxBatch ?? 25 } };
    rec.dispose();
    await store.save(checkpoint);
    trained = true;
    found = store.loadLatest();
  }
  const { checkpoint, path } = found as NonNullable<typeof found>;
  if (options.checkpointEvery !== undefined) checkpoint.settings = { ...checkpoint.settings, checkpointEvery: options.checkpointEvery };
  info(`loading checkpoint ${path} (offset ${checkpoint.offset})`);
  const rec = await OnlineRecommender.fromBytes(checkpoint.recommender);
  const log = options.log ?? (await FileLog.open(join(options.dataDir, 'log'), { warn, segmentBytes: options.segmentBytes }));
  const engine = new Engine({ rec, checkpoint, store, log, metrics: new Metrics(), prequentialEvery: options.prequentialEvery, warn });
  const replayed = await replay(engine, await log.read(checkpoint.offset, { position: checkpoint.position }));
  if (engine.applied !== log.end) throw new Error(`${fn}: replay must reach the log's end offset ${log.end}, got ${engine.applied}`);
  engine.live = true;
  log.onRecord((r) => engine.enqueue(r));
  const seconds = (performance.now() - t0) / 1000;
  info(trained ? `trained and saved the first checkpoint in ${seconds.toFixed(1)} s` : `recovered: checkpoint at offset ${checkpoint.offset}, replayed ${replayed} events in ${seconds.toFixed(1)} s`);
  let closed = false;
  return {
    log,
    engine,
    store,
    start: { trained, checkpointOffset: checkpoint.offset, replayed, seconds },
    async close() {
      if (closed) return;
      closed = true;
      await engine.stop();
      await log.close();
      engine.rec.dispose();
    },
  };
}
