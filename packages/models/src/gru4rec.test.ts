import * as tf from '@tensorflow/tfjs-core';
import type { Interactions } from '@memrec/core';
import { streamSplit, syntheticStream } from '@memrec/data';
import { expectClose, useCpuBackend } from '@memrec/test-helpers';
import { Gru4Rec } from './gru4rec';
import { recommenderFromBytes } from './registry';
import { sessionIndex, sessionParallel } from './session-parallel';

useCpuBackend();

/** Every user walks a cycle of the catalogue from its own start: the next item is (item + step) mod N. */
function cycles(numUsers: number, numItems: number, length: number, stepOf: (u: number) => number): Interactions {
  const users: number[] = [];
  const items: number[] = [];
  const times: number[] = [];
  for (let t = 0; t < length; t++) {
    for (let u = 0; u < numUsers; u++) {
      users.push(u);
      items.push((u * 7 + t * stepOf(u)) % numItems);
      times.push(t * 1000 + u);
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items), timestamps: Float64Array.from(times), numUsers, numItems };
}

describe('session-parallel mini-batches', () => {
  it('run sessions side by side in start order, skip one-event sessions, reset a lane when it takes a new session', () => {
    // user 0: items 1, 2, 3 at t 0, 10, 20; user 1: 4 at t 5, then 5, 6 at t 500, 510; user 2: 7, 8 at t 1, 2
    const x: Interactions = {
      users: Int32Array.of(0, 1, 2, 0, 2, 0, 1, 1),
      items: Int32Array.of(1, 4, 7, 2, 8, 3, 5, 6),
      timestamps: Float64Array.of(0, 5, 1, 10, 2, 20, 500, 510),
      numUsers: 3,
      numItems: 9,
    };
    const idx = sessionIndex(x, 100);
    expect(Array.from(idx.users)).toEqual([0, 2, 1, 1]); // starts 0, 1, 5, 500
    const steps = Array.from(sessionParallel(x, idx, 2), (s) => ({ lanes: Array.from(s.lanes), inputs: Array.from(s.inputs), targets: Array.from(s.targets), starts: Array.from(s.starts), ends: Array.from(s.ends) }));
    expect(steps).toEqual([
      { lanes: [0, 1], inputs: [1, 7], targets: [2, 8], starts: [1, 1], ends: [0, 1] },
      // lane 1 finished user 2's session; user 1's one-event session is skipped: it takes 5 -> 6
      { lanes: [0, 1], inputs: [2, 5], targets: [3, 6], starts: [0, 1], ends: [1, 1] },
    ]);
    expect(Array.from(sessionIndex(x, 0).users)).toEqual([0, 2, 1]);
  });
});

describe('Gru4Rec', () => {
  it('a training step returns the cross-entropy of the target among the batch targets and negatives, computed by hand', async () => {
    const x = cycles(3, 10, 4, () => 1);
    const m = new Gru4Rec({ hidden: 4, negatives: 0, epochs: 0, loss: 'ce' });
    await m.fit(x, { seed: 1 });
    const inputs = Int32Array.of(1, 2, 3);
    const targets = Int32Array.of(2, 2, 5); // rows 0 and 1 share a target: it is not a negative of either
    const hPrev = Float32Array.of(0.1, -0.2, 0.3, 0, 0.5, 0.5, -0.5, 0.1, 0, 0, 0, 0);
    const H = 4;
    const gru = m.gru;
    if (!gru) throw new Error('no gru');
    const h = gru.stepHost(inputs, hPrev, new Float32Array(12));
    const score = (r: number, i: number) => {
      const o = m.out.row(i);
      let s = o[H];
      for (let d = 0; d < H; d++) s += h[r * H + d] * o[d];
      return s;
    };
    // candidates = targets [2, 2, 5]; row r keeps its own column and columns with another item
    const keep = [[0, 2], [1, 2], [0, 1, 2]];
    const want = keep.reduce((acc, cols, r) => acc + Math.log(cols.reduce((z, c) => z + Math.exp(score(r, targets[c])), 0)) - score(r, targets[r]), 0) / 3;
    const { loss, hNext } = m.trainPairs(inputs, targets, hPrev);
    expect(loss).toBeCloseTo(want, 5);
    expectClose(hNext, h, 1e-6, 1e-6);
    m.dispose();
  });

  it('learns each user\'s next item in a cyclic sequence (HR@5 of the next item above 0.9)', async () => {
    const x = cycles(40, 30, 25, (u) => 1 + (u % 3));
    const m = new Gru4Rec({ hidden: 24, epochs: 12, batchSize: 16, negatives: 8, learningRate: 0.02 });
    await m.fit(x, { seed: 3 });
    let hits = 0;
    for (let u = 0; u < 40; u++) {
      const next = (u * 7 + 25 * (1 + (u % 3))) % 30;
      const top = m.recommend(u, 5, { excludeSeen: false }).items;
      if (top.includes(next)) hits++;
    }
    expect(hits / 40).toBeGreaterThan(0.9);
    m.dispose();
  }, 60000);

  it('streams (observe moves the users\' states), round-trips through bytes to the same scores, and keeps the tensor count flat over 20 blocks', async () => {
    const data = syntheticStream({ seed: 5, numUsers: 60, numItems: 40, numEvents: 3000 });
    const { train, blocks } = streamSplit(data, { trainRatio: 0.6, blocks: 20 });
    const m = new Gru4Rec({ hidden: 8, epochs: 1, sessionGap: 3600 });
    await m.fit(train, { seed: 2 });
    const users = Int32Array.from({ length: 10 }, (_, k) => k);
    const before = m.scoreAll(users);
    await m.observe(blocks[0]);
    const after = m.scoreAll(users);
    expect(after.some((v, k) => Math.abs(v - before[k]) > 1e-6)).toBe(true);
    const again = recommenderFromBytes(m.toBytes()) as Gru4Rec;
    expect(Array.from(again.scoreAll(users))).toEqual(Array.from(after));
    expect(again.toBytes()).toEqual(m.toBytes());
    again.dispose();
    const count = tf.memory().numTensors;
    for (const b of blocks.slice(2)) await m.observe(b);
    expect(tf.memory().numTensors).toBe(count);
    m.dispose();
  });

  it('is seeded: the same seed gives the same scores, bpr and ce both train', async () => {
    const x = cycles(10, 12, 6, () => 1);
    const scores = async (loss: 'bpr' | 'ce', seed: number) => {
      const m = new Gru4Rec({ hidden: 6, epochs: 2, loss, batchSize: 4 });
      const losses: number[] = [];
      await m.fit(x, { seed, onLoss: (_x, l) => losses.push(l) });
      const s = Array.from(m.scoreAll(Int32Array.of(0, 1)));
      m.dispose();
      expect(losses.every(Number.isFinite)).toBe(true);
      return s;
    };
    expect(await scores('bpr', 4)).toEqual(await scores('bpr', 4));
    expect(await scores('ce', 4)).not.toEqual(await scores('ce', 5));
  });
});
