import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@memrec/core';
import { fnv1a32 } from '@memrec/core/internal';
import { openService } from './service';
import { SessionRecommender } from './session';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
  dir = mkdtempSync(join(tmpdir(), 'memrec-session-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('answers a session of a model without scoreSession (itempop) from a scratch copy, leaving the served model as it was', async () => {
  const svc = await openService({ dataDir: dir, first: { train: { source: 'synthetic', numUsers: 20, numItems: 15, numEvents: 300, seed: 4 }, model: 'itempop' }, info: () => undefined, warn: () => undefined });
  const rec = svc.engine.rec;
  expect(rec.scoresSessions).toBe(false);
  const before = fnv1a32(rec.toBytes());
  const top = rec.coldStart(15).map((s) => String(s.item));
  const sessions = new SessionRecommender(svc.engine);
  const r = await sessions.recommend([{ item: top[0] }, { item: top[1] }], 4, true);
  expect(r.offset).toBe(0);
  expect(r.items).toHaveLength(4);
  expect(r.items.map((s) => String(s.item))).not.toContain(top[0]);
  expect(r.items.map((s) => String(s.item))).not.toContain(top[1]);
  expect(svc.engine.rec).toBe(rec);
  expect(fnv1a32(rec.toBytes())).toBe(before);
  expect(rec.numUsers).toBe(20);
  await svc.close();
  expect(tf.memory().numTensors).toBe(0);
});
