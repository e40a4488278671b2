/**
 * Exactly-once across the whole life of a data folder: an event id whose log segment is long
 * gone (truncated behind the checkpoints) is still a duplicate, after a crash (checkpoint +
 * replay), after a clean restart, and on a read replica. The ids live in the checkpoints'
 * `idHashes`, not in a window (id-set.test.ts holds 1,100,000 ids, beyond the former window of
 * 1,000,000). ItemPop keeps the events cheap to apply.
 */
import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@memrec/core';
import { CheckpointStore } from './checkpoints';
import type { LoggedEvent } from './events';
import { Ingestor } from './ingest';
import { FileLogReader } from './log/file-reader';
import { openReplica } from './replica';
import { openService, type ServiceOptions } from './service';

const N = 30_000;
const CHUNK = 1_000;
const quiet = { info: () => undefined, warn: () => undefined };
const first: ServiceOptions['first'] = { train: { source: 'synthetic', numUsers: 30, numItems: 40, numEvents: 300, seed: 3 }, model: 'itempop' };
const ev = (k: number): LoggedEvent => ({ eventId: `evt-${k}`, user: `u${k % 997}`, item: `i${k % 101}` });
const options = { checkpointEvery: 10_000, segmentBytes: 64 << 10, ...quiet };

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
  dir = mkdtempSync(join(tmpdir(), 'memrec-dedupe-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function firstLogged(): Promise<number> {
  const reader = await FileLogReader.open(join(dir, 'log'), Number(readdirSync(join(dir, 'log')).sort()[0].replace(/\D/g, '')));
  const records = await reader.next();
  await reader.close();
  return records[0].first;
}

it('counts an eventId as a duplicate after its log segment is truncated, across a crash, a restart and on a replica', async () => {
  const a = await openService({ dataDir: dir, first, ...options });
  const ingest = new Ingestor(a.log, a.engine);
  for (let k = 0; k < N; k += CHUNK) {
    const r = await ingest.accept(Array.from({ length: CHUNK }, (_, j) => ev(k + j)));
    expect(r.duplicates).toBe(0);
  }
  await a.engine.drain();
  expect(a.engine.applied).toBe(N);
  // checkpoints at 20,000 and 30,000 are kept; the segments wholly before 20,000 are gone
  const oldest = await firstLogged();
  expect(oldest).toBeGreaterThan(10_000);
  // retries: the first id (no longer in the log), one still in the log, and a new id twice
  expect(await ingest.accept([ev(0), ev(oldest - 1), ev(N - 1), ev(N), ev(N)])).toEqual({ accepted: 1, duplicates: 4, offset: N + 1 });
  await a.engine.drain();

  // a crash: nothing checkpointed after 30,000; recovery loads the ids of the checkpoint and replays the one record after it
  a.engine.rec.dispose();
  await a.log.close();
  const b = await openService({ dataDir: dir, ...quiet });
  expect(b.start).toMatchObject({ trained: false, checkpointOffset: N, replayed: 1 });
  const again = new Ingestor(b.log, b.engine);
  expect(await again.accept([ev(0), ev(9_999), ev(N), ev(N + 1)])).toEqual({ accepted: 1, duplicates: 3, offset: N + 2 });
  await b.close(); // SIGTERM's path: a checkpoint at N + 2 holding every id

  const saved = new CheckpointStore(join(dir, 'checkpoints')).loadLatest();
  expect(saved?.checkpoint.offset).toBe(N + 2);
  expect(saved?.checkpoint.idHashes.length).toBe((N + 2) * 4); // 16 bytes an id
  const c = await openService({ dataDir: dir, ...quiet });
  expect(c.start).toMatchObject({ checkpointOffset: N + 2, replayed: 0 });
  expect(await new Ingestor(c.log, c.engine).accept([ev(0), ev(N + 1), ev(N + 2)])).toEqual({ accepted: 1, duplicates: 2, offset: N + 3 });
  await c.engine.drain();
  const replica = await openReplica({ primaryDir: dir, ...quiet });
  expect(replica.engine.applied).toBe(N + 3);
  for (const k of [0, 1, 19_999, N + 2]) expect(replica.engine.hasEventId(`evt-${k}`)).toBe(true);
  expect(replica.engine.hasEventId(`evt-${N + 3}`)).toBe(false);
  await replica.close();
  await c.close();
}, 120_000);

it('a checkpoint holds the ids of the applied events only: a stop leaves the queued record for the replay', async () => {
  const d = join(dir, 'queued');
  const svc = await openService({ dataDir: d, first, checkpointEvery: 1_000_000, ...quiet });
  const rec = svc.engine.rec;
  const ingest = rec.ingest.bind(rec);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  rec.ingest = async (events) => {
    await gate; // the trainer is busy with the first record
    return ingest(events);
  };
  await svc.log.append([ev(1), ev(2)]);
  await svc.log.append([ev(3)]); // queued behind it
  expect(svc.engine.hasEventId('evt-3')).toBe(true);
  const closing = svc.close(); // SIGTERM: finish the record being applied, checkpoint, leave the rest in the log
  release();
  await closing;
  const saved = new CheckpointStore(join(d, 'checkpoints')).loadLatest()?.checkpoint;
  expect(saved?.offset).toBe(2);
  expect(saved?.idHashes.length).toBe(2 * 4);
  const back = await openService({ dataDir: d, ...quiet });
  expect(back.start).toMatchObject({ checkpointOffset: 2, replayed: 1 });
  expect(['evt-1', 'evt-2', 'evt-3', 'evt-4'].map((id) => back.engine.hasEventId(id))).toEqual([true, true, true, false]);
  await back.close();
});
