import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@memrec/core';
import { syntheticStream } from '@memrec/data';
import { Session } from './session';

describe('Session (the worker-side logic of the page, under Node)', () => {
  let session: Session;
  const data = syntheticStream({ seed: 4, numUsers: 120, numItems: 90, numEvents: 2400 });

  beforeAll(async () => {
    await initBackend({ backend: 'cpu', log: false });
    session = await Session.create(data, { trainRatio: 0.5, seed: 2, bprEpochs: 5 });
  });
  afterAll(() => session.dispose());

  it('plays test-then-train: scores exactly the events whose user and item came before and whose item is new to the user', async () => {
    const x = session.data;
    // the expected count, from the stream alone: known users / items and per-user seen items up to each event
    const known = { u: new Set<number>(), i: new Set<number>() };
    const seen = new Set<string>();
    for (let k = 0; k < session.trainSize; k++) {
      known.u.add(x.users[k]);
      known.i.add(x.items[k]);
      seen.add(`${x.users[k]}:${x.items[k]}`);
    }
    let expected = 0;
    for (let k = session.trainSize; k < session.trainSize + 300; k++) {
      const [u, i] = [x.users[k], x.items[k]];
      if (known.u.has(u) && known.i.has(i) && !seen.has(`${u}:${i}`)) expected++;
      known.u.add(u);
      known.i.add(i);
      seen.add(`${u}:${i}`);
    }
    const before = tf.memory().numTensors;
    expect(await session.step(300)).toBe(300);
    expect(tf.memory().numTensors).toBe(before); // no tensor leaks across 300 events
    expect(session.processed).toBe(300);
    const m = session.metrics();
    for (const name of ['NMRN', 'BPR-MF', 'ItemPop'] as const) {
      expect(m[name].scored).toBe(expected);
      expect(m[name]['hr@10']).toBeGreaterThanOrEqual(0);
      expect(m[name]['hr@10']).toBeLessThanOrEqual(1);
      expect(m[name]['ndcg@10']).toBeLessThanOrEqual(m[name]['hr@10']); // each hit adds at most 1 to NDCG's sum
    }
    expect(expected).toBeGreaterThan(50);
  });

  it('recommends 10 distinct unseen items by raw id; NMRN attention is a distribution over its 10 slots', () => {
    const user = session.activeUsers(1)[0];
    const top = session.recommend('NMRN', user, 10);
    expect(top).toHaveLength(10);
    const seen = new Set(Array.from(session.models.get('NMRN')!.seenItems(user), (i) => session.items.toRaw(i)));
    for (const r of top) expect(seen.has(r.item)).toBe(false);
    expect(new Set(top.map((r) => r.item)).size).toBe(10);
    const w = session.attention(user);
    expect(w).toHaveLength(10);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('an exported model imports beside the live ones with the same top 10, and keeps learning from the stream', async () => {
    const user = session.activeUsers(1)[0];
    const raw = session.users.toRaw(user);
    expect(session.importedRecommend(raw)).toBeNull();
    expect(await session.importModel(session.exportModel('NMRN'))).toBe('nmrn');
    expect(session.importedRecommend(raw, 10)!.map((r) => r.item)).toEqual(session.recommend('NMRN', user, 10).map((r) => r.item));
    await session.step(5);
    expect(session.processed).toBe(305);
    await expect(session.importModel(Uint8Array.of(1, 2, 3))).rejects.toThrow(/OnlineRecommender\.fromBytes/);
  });

  it('rejects a training share outside (0, 1)', async () => {
    await expect(Session.create(data, { trainRatio: 1 })).rejects.toThrow('Session.create: options.trainRatio must be in (0, 1), got 1');
  });
});
