import { join } from 'node:path';
import { OnlineRecommender } from '@memrec/models';
import { CheckpointStore } from './checkpoints';
import { Engine } from './engine';
import { FileLogReader } from './log/file-reader';
import type { EventLog, LogReader } from './log/types';
import { Metrics } from './metrics';
import { replay } from './service';

/** Options of {@link openReplica}. */
export interface ReplicaOptions {
  /** The primary's data folder (shared storage): its newest checkpoint is where the replica starts. */
  primaryDir: string;
  /** The primary's Redis log, when it uses one; else the file log in `primaryDir/log` is followed. */
  log?: EventLog;
  /** How often to look for new records (default 20 ms). */
  pollMs?: number;
  info?: (line: string) => void;
  warn?: (line: string) => void;
}

/** A running read replica. */
export interface Replica {
  engine: Engine;
  /** The log offset after the last record the replica has read. */
  logEnd(): number;
  close(): Promise<void>;
}

/**
 * A read replica: loads the primary's newest checkpoint, replays the primary's log after it,
 * then keeps following the log read-only (it never appends, checkpoints or truncates). It
 * continues from each checkpoint's bytes at the same offsets as the primary, so its model is
 * bit-identical to the primary's at every offset.
 *
 * @example
 * ```ts
 * const replica = await openReplica({ primaryDir: '/shared/memrec' });
 * replica.engine.rec.recommend('alice', 10);
 * ```
 */
export async function openReplica(options: ReplicaOptions): Promise<Replica> {
  const warn = options.warn ?? ((l: string) => console.warn(l));
  const store = new CheckpointStore(join(options.primaryDir, 'checkpoints'), 1_000_000, warn);
  const found = store.loadLatest();
  if (!found) throw new Error(`openReplica: primaryDir ${JSON.stringify(options.primaryDir)} must hold a checkpoint of the primary, got none`);
  const { checkpoint } = found;
  const rec = await OnlineRecommender.fromBytes(checkpoint.recommender);
  const engine = new Engine({ rec, checkpoint, metrics: new Metrics(), warn });
  const reader: LogReader = options.log
    ? await options.log.read(checkpoint.offset, { follower: true, position: checkpoint.position })
    : await FileLogReader.open(join(options.primaryDir, 'log'), checkpoint.offset, { follower: true });
  const replayed = await replay(engine, reader, false);
  options.info?.(`replica: checkpoint at offset ${checkpoint.offset}, replayed ${replayed} events`);
  engine.live = true;
  let stopped = false;
  const poll = (async () => {
    try {
      while (!stopped) {
        const records = await reader.next();
        for (const r of records) engine.enqueue(r);
        if (records.length === 0) await new Promise((res) => setTimeout(res, options.pollMs ?? 20));
      }
    } catch (e) {
      warn(`openReplica: following the log stopped at offset ${engine.received}: ${(e as Error).message}`);
    }
  })();
  return {
    engine,
    logEnd: () => engine.received,
    async close() {
      stopped = true;
      await poll;
      await engine.stop();
      await reader.close();
      engine.rec.dispose();
    },
  };
}
