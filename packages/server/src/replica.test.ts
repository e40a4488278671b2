import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@memrec/core';
import { fnv1a32 } from '@memrec/core/internal';
import type { LoggedEvent } from './events';
import { openReplica } from './replica';
import { openService } from './service';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
  dir = mkdtempSync(join(tmpdir(), 'memrec-replica-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ev = (k: number): LoggedEvent => ({ eventId: `e${k}`, user: String(k % 29), item: String((k * 7) % 41), timestamp: 1e9 + k });
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => ev(a + k));

it('follows the primary\'s file log read-only, across segments, to the primary\'s exact model at every offset', async () => {
  const quiet = { info: () => undefined, warn: () => undefined };
  const primary = await openService({
    dataDir: dir,
    first: { train: { source: 'synthetic', numUsers: 30, numItems: 40, numEvents: 600, seed: 3 }, modelOptions: { dim: 4, slots: 2, epochs: 1, batchSize: 64 } },
    checkpointEvery: 10,
    segmentBytes: 400,
    ...quiet,
  });
  await primary.log.append(range(0, 12));
  await primary.engine.drain();
  const replica = await openReplica({ primaryDir: dir, pollMs: 5, ...quiet });
  expect(replica.engine.applied).toBe(12);
  for (let k = 0; k < 6; k++) {
    await primary.log.append(range(12 + k * 5, 17 + k * 5));
    await primary.engine.drain();
    for (let t = 0; t < 300 && replica.engine.applied < primary.engine.applied; t++) await new Promise((r) => setTimeout(r, 5));
    expect(replica.engine.applied).toBe(primary.engine.applied);
    expect(fnv1a32(replica.engine.rec.toBytes())).toBe(fnv1a32(primary.engine.rec.toBytes()));
  }
  expect(replica.logEnd()).toBe(42);
  await replica.close();
  await primary.close();
  expect(tf.memory().numTensors).toBe(0);
});
