import { initBackend } from '@memrec/core';
import type { FastifyInstance } from 'fastify';
import type { ServeConfig } from './cli-options';
import type { Engine } from './engine';
import { buildApp, type Serving } from './http/app';
import { RedisLog } from './log/redis-log';
import { openReplica } from './replica';
import { openService } from './service';

/** A started server: its address, the trainer, and a graceful stop. */
export interface RunningServer {
  app: FastifyInstance;
  address: string;
  engine: Engine;
  backend: string;
  /** What recovery did at start (primary only). */
  start?: { trained: boolean; checkpointOffset: number; replayed: number; seconds: number };
  /** Stops accepting requests, finishes the batch being applied, checkpoints (primary), closes the log. */
  stop(): Promise<void>;
}

/**
 * Starts a primary (or, with `replicaOf`, a read replica) from a parsed configuration: picks the
 * tfjs backend, recovers or trains, then listens.
 *
 * @example
 * ```ts
 * const server = await startServer(parseServeArgs(['--data-dir', 'data', '--api-key', 'k3y-k3y-k3y', '--train', 'synthetic', '--port', '0'], {}));
 * await server.stop();
 * ```
 */
export async function startServer(config: ServeConfig, log: (line: string) => void = (l) => console.error(l)): Promise<RunningServer> {
  const choice = await initBackend({ backend: config.backend, log: false });
  log(`memrec-serve: tfjs backend ${choice.backend}`);
  // listen first: /v1/health/live answers at once, /v1/health/ready says 503 until recovery is done
  let serving: Serving | null = null;
  const app = buildApp({ serving: () => serving, apiKey: config.apiKey });
  const address = await app.listen({ port: config.port, host: config.host });
  const role = config.replicaOf !== undefined ? 'read replica' : 'primary';
  log(`memrec-serve: listening on ${address} (${role}; loading the model)`);
  let closeSource: () => Promise<void>;
  let start: RunningServer['start'];
  let redis: RedisLog | undefined;
  try {
    redis = config.redis ? await RedisLog.open(config.redis.url, config.redis.stream) : undefined;
    if (config.replicaOf !== undefined) {
      const replica = await openReplica({ primaryDir: config.replicaOf, log: redis, info: log, warn: log });
      serving = { engine: replica.engine, log: null, logEnd: replica.logEnd };
      closeSource = async () => {
        await replica.close();
        await redis?.close();
      };
    } else {
      const fit = config.epochs === undefined ? {} : { epochs: config.epochs };
      const svc = await openService({
        dataDir: config.dataDir,
        first: config.train || config.checkpointFile ? { train: config.train, checkpointFile: config.checkpointFile, model: config.model, modelOptions: config.modelOptions, fit } : undefined,
        checkpointEvery: config.checkpointEvery,
        maxBatch: config.maxBatch,
        log: redis,
        segmentBytes: config.segmentBytes,
        info: log,
        warn: log,
      });
      serving = { engine: svc.engine, log: svc.log, logEnd: () => svc.log.end };
      closeSource = () => svc.close();
      start = svc.start;
    }
  } catch (e) {
    await app.close();
    await redis?.close();
    throw e;
  }
  const ready = serving as Serving;
  log(`memrec-serve: ready on ${address} (${role}, log offset ${ready.logEnd()})`);
  let stopping: Promise<void> | null = null;
  return {
    app,
    address,
    engine: ready.engine,
    backend: choice.backend,
    start,
    stop() {
      stopping ??= (async () => {
        await app.close();
        await closeSource();
      })();
      return stopping;
    },
  };
}
