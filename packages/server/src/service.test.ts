import { existsSync, mkdirSync, mkdtempSync, stat, readdirSync, readFileSync, rmSync, writeFileSync, cpSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@memrec/core';
import { fnv1a32 } from '@memrec/core/internal';
import type { LoggedEvent } from './events';
import { openService, type Service, type ServiceOptions } from './service';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'memrec-svc-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const first: ServiceOptions['first'] = {
  train: { source: 'synthetic', numUsers: 30, numItems: 40, numEvents: 600, seed: 3 },
  modelOptions: { dim: 4, slots: 2, epochs: 1, batchSize: 64 },
};
const ev = (k: number): LoggedEvent => ({ eventId: `e${k}`, user: String(k % 37), item: String((k * 7) % 45), timestamp: 1e9 + k });
const quiet = { info: () => undefined, warn: () => undefined };

describe('openService', () => {
  it('trains once, applies appended events, checkpoints every N events and truncates nothing still needed', async () => {
    const a = await openService({ dataDir: dir, first, checkpointEvery: 10, ...quiet });
    expect(a.start).toMatchObject({ trained: true, checkpointOffset: 0, replayed: 0 });
    for (let k = 0; k < 5; k++) await a.log.append(Array.from({ length: 6 }, (_, j) => ev(k * 6 + j)));
    await a.engine.drain();
    expect(a.engine.applied).toBe(30);
    expect(a.engine.rec.eventsIngested).toBe(30);
    // checkpoints after the records ending at 12, 24 (each >= 10 events after the previous); 2 kept
    expect(readdirSync(join(dir, 'checkpoints')).sort()).toEqual(['ckpt-00000000000000000012.memrec', 'ckpt-00000000000000000024.memrec']);
    expect(a.engine.lastCheckpointOffset).toBe(24);
    await a.close();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('answers concurrent recommend requests in one batch, with the lists of one call each; a bad request fails alone', async () => {
    const a = await openService({ dataDir: dir, first, checkpointEvery: 1000, ...quiet });
    const rec = a.engine.rec;
    let batches = 0;
    const many = rec.recommendMany.bind(rec);
    rec.recommendMany = (requests) => {
      batches++;
      return many(requests);
    };
    const users = ['1', '2', 'nobody', '1', '5'];
    const answers = await Promise.all(users.map((u, r) => a.engine.recommend(u, 3 + (r % 2), true)));
    expect(batches).toBe(1);
    users.forEach((u, r) => {
      expect(answers[r].items).toEqual(rec.recommend(u, 3 + (r % 2), { excludeSeen: true }));
      expect(answers[r].coldStart).toBe(u === 'nobody');
      expect(answers[r].offset).toBe(a.engine.applied);
    });
    const mixed = await Promise.allSettled([a.engine.recommend('1', 2, true), a.engine.recommend('2', 0, true)]);
    expect(mixed[0]).toMatchObject({ status: 'fulfilled' });
    expect(mixed[1]).toMatchObject({ status: 'rejected', reason: { message: 'OnlineRecommender.recommend: k must be an integer >= 1, got 0' } });
    expect(batches).toBe(2);
    await a.close();
  });

  /**
   * Applies 200 events in micro-batches of 20 with the trainer live and records the order of
   * things: `ingest k` as micro-batch k starts, and whatever `onRequest` records; during the first
   * micro-batch, a stat callback (an I/O callback, taken in the event loop's poll phase, as a request
   * from the network is, after the trainer has queued its next step) records `stat` and calls
   * `onRequest`, while the batch holds the loop for 20 ms.
   */
  const traceMicroBatches = async (onRequest: (a: Service, order: string[]) => void): Promise<string[]> => {
    const a = await openService({ dataDir: dir, first, checkpointEvery: 1000, maxBatch: 20, ...quiet });
    a.engine.live = true;
    const order: string[] = [];
    const rec = a.engine.rec;
    const ingest = rec.ingest.bind(rec);
    let calls = 0;
    rec.ingest = async (events) => {
      const k = ++calls;
      order.push(`ingest ${k}`);
      if (k === 1) {
        stat(dir, () => {
          order.push('stat');
          onRequest(a, order);
        });
        for (const until = performance.now() + 20; performance.now() < until; );
      }
      return ingest(events);
    };
    await a.log.append(Array.from({ length: 200 }, (_, j) => ev(j)));
    await a.engine.drain();
    expect(order.filter((o) => o.startsWith('ingest'))).toHaveLength(10);
    await a.close();
    return order;
  };

  it('answers a recommend request that arrives during a micro-batch before the next micro-batch', async () => {
    const order = await traceMicroBatches((a, o) => void a.engine.recommend('1', 3, true).then(() => o.push('answer')));
    // the request is taken between two micro-batches and answered before the next one starts
    const at = order.indexOf('stat');
    expect(at).toBeGreaterThan(0);
    expect(order[at + 1]).toBe('answer');
    expect(order[at + 2]).toMatch(/^ingest \d+$/);
  });

  it('lets the answers of a batch be written (promise steps after the request resolves) before the next micro-batch', async () => {
    // what an HTTP handler does after its request resolves: several promise steps, then the write
    const handler = async (a: Service, order: string[], user: string) => {
      const r = await a.engine.recommend(user, 3, true);
      for (let step = 0; step < 20; step++) await Promise.resolve();
      order.push(`written ${user} (${r.items.length} items)`);
    };
    const order = await traceMicroBatches((a, o) => {
      void handler(a, o, '1');
      void handler(a, o, '2');
    });
    const at = order.indexOf('stat');
    expect(at).toBeGreaterThan(0);
    expect(order.slice(at + 1, at + 4)).toEqual(['written 1 (3 items)', 'written 2 (3 items)', expect.stringMatching(/^ingest \d+$/)]);
  });

  it('starts from a checkpoint file or folder (another server\'s data or checkpoints folder, or the newest *.memrec), and says what is missing', async () => {
    const a = await openService({ dataDir: dir, first, checkpointEvery: 1000, ...quiet });
    for (let k = 0; k < 3; k++) await a.log.append(Array.from({ length: 5 }, (_, j) => ev(k * 5 + j)));
    await a.engine.drain();
    const want = a.engine.rec.recommend('3', 5);
    const bytesA = a.engine.rec.toBytes();
    await a.close(); // checkpoints at 15
    const startFrom = async (path: string) => {
      const d = mkdtempSync(join(tmpdir(), 'memrec-svc-from-'));
      try {
        const b = await openService({ dataDir: d, first: { checkpointFile: path }, ...quiet });
        const got = { recs: b.engine.rec.recommend('3', 5), events: b.engine.rec.eventsIngested, applied: b.engine.applied };
        await b.close();
        return got;
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    };
    for (const path of [dir, join(dir, 'checkpoints')]) {
      const got = await startFrom(path);
      expect(got.recs).toEqual(want);
      expect(got.applied).toBe(0); // a new data folder: its own log starts at 0
    }
    // a folder of OnlineRecommender files: the newest by modification time
    const files = mkdtempSync(join(tmpdir(), 'memrec-svc-files-'));
    try {
      const older = join(files, 'b-older.memrec');
      writeFileSync(older, Buffer.from(bytesA).subarray(0, 10)); // a corrupt file, older
      writeFileSync(join(files, 'a-newer.memrec'), bytesA);
      const past = new Date(Date.now() - 60_000);
      utimesSync(older, past, past);
      expect((await startFrom(files)).recs).toEqual(want);
      expect((await startFrom(join(files, 'a-newer.memrec'))).recs).toEqual(want);
      rmSync(join(files, 'a-newer.memrec'));
      rmSync(older);
      await expect(startFrom(files)).rejects.toThrow(`openService: the starting checkpoint folder must hold a server's checkpoints or a *.memrec file, got none in ${JSON.stringify(files)}`);
      await expect(startFrom(join(files, 'nope'))).rejects.toThrow(`openService: the starting checkpoint must be an existing file or folder, got ${JSON.stringify(join(files, 'nope'))} (ENOENT)`);
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });

  it('recovers from the last checkpoint plus the log to the same state as a replay of the whole log from the first model', async () => {
    const a = await openService({ dataDir: dir, first, checkpointEvery: 10, ...quiet });
    const first0 = readFileSync(join(dir, 'checkpoints', 'ckpt-00000000000000000000.memrec'));
    for (let k = 0; k < 7; k++) await a.log.append(Array.from({ length: 4 }, (_, j) => ev(k * 4 + j)));
    await a.engine.drain();
    // a crash: nothing more is checkpointed (close() would checkpoint at 28); drop the process state
    const live = fnv1a32(a.engine.rec.toBytes());
    a.engine.rec.dispose();
    await a.log.close();
    const b = await openService({ dataDir: dir, ...quiet });
    expect(b.start).toMatchObject({ trained: false, checkpointOffset: 24, replayed: 4 });
    expect(fnv1a32(b.engine.rec.toBytes())).toBe(live);
    // the clean run: the first model and the whole log, the same checkpoint interval
    const clean = join(dir, 'clean');
    mkdirSync(join(clean, 'checkpoints'), { recursive: true });
    writeFileSync(join(clean, 'checkpoints', 'ckpt-00000000000000000000.memrec'), first0);
    cpSync(join(dir, 'log'), join(clean, 'log'), { recursive: true });
    const c = await openService({ dataDir: clean, ...quiet });
    expect(c.start).toMatchObject({ checkpointOffset: 0, replayed: 28 });
    expect(fnv1a32(c.engine.rec.toBytes())).toBe(live);
    await b.close();
    await c.close();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('applies a large record in slices of maxBatch (answering between them), kept in the checkpoints, and recovery reaches the same state', async () => {
    const a = await openService({ dataDir: dir, first, checkpointEvery: 200, maxBatch: 64, ...quiet });
    a.engine.live = true; // yield between slices as a serving engine does
    const seen: number[] = [];
    const watch = [64, 128, 192, 250].map((o) => a.engine.waitFor(o, 10000).then(() => seen.push(a.engine.applied)));
    await a.log.append(Array.from({ length: 250 }, (_, j) => ev(j)));
    await a.log.append(Array.from({ length: 30 }, (_, j) => ev(250 + j)));
    await Promise.all(watch);
    await a.engine.drain();
    // each waiter ran when its slice was applied, before the rest of the record
    expect(seen).toEqual([64, 128, 192, 250]);
    expect(a.engine.applied).toBe(280);
    // a checkpoint only at a record's end (250), never inside the record
    expect(a.engine.lastCheckpointOffset).toBe(250);
    const live = fnv1a32(a.engine.rec.toBytes());
    a.engine.rec.dispose();
    await a.log.close();
    // recovery from the checkpoint at 250: the setting comes from the checkpoint, not the options
    const b = await openService({ dataDir: dir, ...quiet });
    expect(b.start).toMatchObject({ trained: false, checkpointOffset: 250, replayed: 30 });
    expect(fnv1a32(b.engine.rec.toBytes())).toBe(live);
    await b.close();
    // the slicing changes the state: one step per record reaches another one
    const whole = await openService({ dataDir: join(dir, 'whole'), first, checkpointEvery: 200, maxBatch: 10000, ...quiet });
    await whole.log.append(Array.from({ length: 250 }, (_, j) => ev(j)));
    await whole.log.append(Array.from({ length: 30 }, (_, j) => ev(250 + j)));
    await whole.engine.drain();
    expect(fnv1a32(whole.engine.rec.toBytes())).not.toBe(live);
    await whole.close();
    await expect(openService({ dataDir: join(dir, 'bad'), first, maxBatch: 0, ...quiet })).rejects.toThrow('openService: options.maxBatch must be an integer >= 1, got 0');
    expect(existsSync(join(dir, 'bad'))).toBe(false); // nothing trained or written
  });

  it('falls back to the previous checkpoint when the newest is corrupt, with a warning, reaching the same state', async () => {
    const a = await openService({ dataDir: dir, first, checkpointEvery: 10, ...quiet });
    for (let k = 0; k < 7; k++) await a.log.append(Array.from({ length: 4 }, (_, j) => ev(k * 4 + j)));
    await a.engine.drain();
    const live = fnv1a32(a.engine.rec.toBytes());
    a.engine.rec.dispose();
    await a.log.close();
    const newest = join(dir, 'checkpoints', 'ckpt-00000000000000000024.memrec');
    const bytes = readFileSync(newest);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(newest, bytes);
    const warnings: string[] = [];
    const b = await openService({ dataDir: dir, info: () => undefined, warn: (l) => warnings.push(l) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^CheckpointStore\.loadLatest: checkpoint ".*ckpt-00000000000000000024\.memrec" is unreadable \(.*checksum.*\); trying the previous one$/);
    expect(b.start).toMatchObject({ checkpointOffset: 12, replayed: 16 });
    expect(fnv1a32(b.engine.rec.toBytes())).toBe(live);
    await b.close();
  });

  it('refuses a data folder whose log holds events but has no checkpoint', async () => {
    const a = await openService({ dataDir: dir, first, ...quiet });
    await a.log.append([ev(1)]);
    await a.close();
    rmSync(join(dir, 'checkpoints'), { recursive: true });
    await expect(openService({ dataDir: dir, first, ...quiet })).rejects.toThrow(`openService: dataDir ${JSON.stringify(dir)} must hold a checkpoint when its log holds events, got 1 logged events and no checkpoint`);
    await expect(openService({ dataDir: join(dir, 'empty'), ...quiet })).rejects.toThrow('openService: options.first must say how to train when');
  });
});
