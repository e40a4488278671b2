import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@memrec/core';
import { fnv1a32 } from '@memrec/core/internal';
import type { LoggedEvent } from '../events';
import { buildApp } from '../http/app';
import { openReplica } from '../replica';
import { openService, type ServiceOptions } from '../service';
import { startRedis } from '@memrec/test-helpers';
import { RedisLog } from './redis-log';

let redis: Awaited<ReturnType<typeof startRedis>>;
let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'memrec-redis-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ev = (k: number): LoggedEvent => ({ eventId: `e${k}`, user: String(k % 29), item: String((k * 7) % 41), timestamp: 1e9 + k });
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => ev(a + k));
const first: ServiceOptions['first'] = { train: { source: 'synthetic', numUsers: 30, numItems: 40, numEvents: 600, seed: 3 }, modelOptions: { dim: 4, slots: 2, epochs: 1, batchSize: 64 } };
const quiet = { info: () => undefined, warn: () => undefined };

describe('RedisLog (a real redis-server)', () => {
  it('appends stream entries with offsets, reads them back after an id, and finds its end when reopened', async () => {
    const log = await RedisLog.open(redis.url, 's1');
    expect(await log.append(range(0, 3))).toMatchObject({ first: 0, end: 3 });
    const second = await log.append(range(3, 5));
    expect(second).toMatchObject({ first: 3, end: 5 });
    await log.close();
    const again = await RedisLog.open(redis.url, 's1');
    expect(again.end).toBe(5);
    const all = await again.read(0);
    expect((await all.next()).flatMap((r) => r.events)).toEqual(range(0, 5));
    const firstId = (await again.client.xrange('s1', '-', '+', 'COUNT', 1))[0][0];
    const after = await again.read(3, { position: firstId });
    expect((await after.next()).map((r) => [r.first, r.id])).toEqual([[3, second.id]]);
    await again.close();
  });

  it('names the URL when no Redis answers there', async () => {
    await expect(RedisLog.open('redis://127.0.0.1:1', 's')).rejects.toThrow('RedisLog.open: url must reach a Redis server, got "redis://127.0.0.1:1"');
  });

  it('recovers a crashed primary from the checkpoint\'s stream id to the same state, and trims the stream behind the oldest kept checkpoint', async () => {
    const a = await openService({ dataDir: dir, first, checkpointEvery: 10, log: await RedisLog.open(redis.url, 's2'), ...quiet });
    for (let k = 0; k < 7; k++) await a.log.append(range(k * 4, k * 4 + 4));
    await a.engine.drain();
    const live = fnv1a32(a.engine.rec.toBytes());
    expect(a.engine.lastCheckpointOffset).toBe(24);
    const log = a.log as RedisLog;
    // checkpoints at 12 and 24 are kept: entries before the one ending at 12 are trimmed
    expect((await log.client.xrange('s2', '-', '+')).map((e) => JSON.parse(e[1][1]) as number)).toEqual([8, 12, 16, 20, 24]);
    a.engine.rec.dispose(); // a crash: no closing checkpoint
    await log.close();
    const b = await openService({ dataDir: dir, log: await RedisLog.open(redis.url, 's2'), ...quiet });
    expect(b.start).toMatchObject({ checkpointOffset: 24, replayed: 4 });
    expect(fnv1a32(b.engine.rec.toBytes())).toBe(live);
    await b.close();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('lets a read replica follow the stream with a consumer group, with the primary\'s exact model, and refuse feedback', async () => {
    const primary = await openService({ dataDir: dir, first, checkpointEvery: 10, log: await RedisLog.open(redis.url, 's3'), ...quiet });
    await primary.log.append(range(0, 6));
    await primary.engine.drain();
    const replicaLog = await RedisLog.open(redis.url, 's3');
    const replica = await openReplica({ primaryDir: dir, log: replicaLog, pollMs: 5, ...quiet });
    for (let k = 0; k < 5; k++) await primary.log.append(range(6 + k * 5, 11 + k * 5));
    await primary.engine.drain();
    for (let t = 0; t < 200 && replica.engine.applied < 31; t++) await new Promise((r) => setTimeout(r, 10));
    expect(replica.engine.applied).toBe(31);
    expect(fnv1a32(replica.engine.rec.toBytes())).toBe(fnv1a32(primary.engine.rec.toBytes()));
    const groups = (await (primary.log as RedisLog).client.xinfo('GROUPS', 's3')) as unknown[];
    expect(groups).toHaveLength(1);
    const app = buildApp({ serving: { engine: replica.engine, log: null, logEnd: replica.logEnd }, apiKey: 'replica-key-1' });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const r = await fetch(`${address}/v1/feedback`, { method: 'POST', headers: { authorization: 'Bearer replica-key-1', 'content-type': 'application/json' }, body: JSON.stringify({ events: [ev(99)] }) });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { message: string }).message).toBe('POST /v1/feedback: this server must be the primary to take feedback, got a read replica (send feedback to the primary)');
    const rec = await fetch(`${address}/v1/recommend/3?n=5`, { headers: { authorization: 'Bearer replica-key-1' } });
    expect(((await rec.json()) as { items: { item: string }[] }).items.map((x) => x.item)).toEqual(primary.engine.rec.recommend('3', 5).map((x) => String(x.item)));
    await app.close();
    await replica.close();
    await replicaLog.close();
    await primary.close();
    expect(tf.memory().numTensors).toBe(0);
  });
});
