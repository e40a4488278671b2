import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding } from '@memrec/core';
import { useCpuBackend, expectNoLeak, expectClose, testFloats } from '@memrec/test-helpers';
import { KeyValueMemory } from './key-value-memory';
import { dotAt, hostAddress, hostDistances, hostRead, sqDist } from './kv-host';
import { kvAddress, kvDistance, kvRead } from './kv-ops';

useCpuBackend();

describe('host kernels', () => {
  it('sqDist and dotAt by hand, with offsets and a dimension that is not a multiple of 4', () => {
    const a = Float32Array.of(9, 1, 2, 3, 4, 5, 6, 7);
    const b = Float32Array.of(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1);
    expect(sqDist(Float32Array.of(0, 0), 0, Float32Array.of(3, 4), 0, 2)).toBe(25);
    // a[1..7] = 1..7 against b[6..12] = 1: squares 0 + 1 + 4 + 9 + 16 + 25 + 36 = 91
    expect(sqDist(a, 1, b, 6, 7)).toBe(91);
    expect(dotAt(a, 1, b, 6, 7)).toBe(28);
    expect(dotAt(a, 1, a, 1, 5)).toBe(1 + 4 + 9 + 16 + 25);
  });

  it('hostAddress, hostRead, hostDistances equal kvAddress, kvRead, kvDistance (shared and per-row memory)', async () => {
    const b = 5;
    const H = 3;
    const D = 7;
    const n = 4;
    const u = testFloats(b * D, 1);
    const keys = testFloats(H * D, 2);
    const mem = testFloats(2 * H * D, 3); // two memories
    const memIds = Int32Array.of(1, 0, 1, 1, 0);
    const table = testFloats(9 * D, 4);
    const ids = Int32Array.from({ length: b * n }, (_, k) => (k * 5) % 9);
    await expectNoLeak(() => {
      for (const metric of ['euclidean', 'dot'] as const) {
        for (const temp of [1, 0.6]) {
          const w = hostAddress(u, b, keys, H, D, metric, temp, new Float32Array(b * H));
          const wRef = tf.tidy(() => kvAddress(tf.tensor2d(u, [b, D]), tf.tensor2d(keys, [H, D]), metric, temp).dataSync());
          expectClose(w, wRef, 1e-6, 1e-5);
          const sShared = hostRead(w, b, mem, null, H, D, new Float32Array(b * D));
          expectClose(sShared, tf.tidy(() => kvRead(tf.tensor2d(w, [b, H]), tf.tensor2d(mem.subarray(0, H * D), [H, D])).dataSync()), 1e-6, 1e-5);
          const perRow = Float32Array.from(Array.from(memIds).flatMap((id) => Array.from(mem.subarray(id * H * D, (id + 1) * H * D))));
          const s = hostRead(w, b, mem, memIds, H, D, new Float32Array(b * D));
          expectClose(s, tf.tidy(() => kvRead(tf.tensor2d(w, [b, H]), tf.tensor3d(perRow, [b, H, D])).dataSync()), 1e-6, 1e-5);
          const v = Float32Array.from(Array.from(ids).flatMap((i) => Array.from(table.subarray(i * D, (i + 1) * D))));
          const d = hostDistances(s, b, table, ids, n, D, new Float32Array(b * n));
          expectClose(d, tf.tidy(() => kvDistance(tf.tensor2d(s, [b, D]), tf.tensor3d(v, [b, n, D])).dataSync()), 1e-6, 1e-5);
        }
      }
    });
  });
});

describe('KeyValueMemory host paths', () => {
  const D = 6;
  const H = 4;
  function make(metric: 'euclidean' | 'dot', valueMemory: 'shared' | 'per-user') {
    const users = new SparseEmbedding({ rows: 7, dim: D, init: { kind: 'normal', std: 0.5 }, seed: 21 });
    const items = new SparseEmbedding({ rows: 11, dim: D, init: { kind: 'normal', std: 0.5 }, seed: 22 });
    const kv = new KeyValueMemory({ users, items, slots: H, metric, valueMemory, temperature: 0.7, seed: 5, valueInitStd: 0.5 });
    // a few writes, so that the per-user memories differ
    kv.write(Int32Array.of(0, 3, 3, 6, 2), Int32Array.of(1, 4, 9, 10, 0));
    return kv;
  }

  for (const metric of ['euclidean', 'dot'] as const) {
    for (const valueMemory of ['shared', 'per-user'] as const) {
      it(`${metric}, ${valueMemory}: readHost and distanceHost equal read and distance to 1e-5, make no tensors`, async () => {
        const kv = make(metric, valueMemory);
        const us = Int32Array.of(3, 0, 6, 3, 2);
        const one = Int32Array.of(4, 4, 0, 10, 7);
        const three = Int32Array.from({ length: 15 }, (_, k) => (k * 4 + 1) % 11);
        const ref = tf.tidy(() => ({ s: kv.read(us).dataSync(), d1: kv.distance(us, one).dataSync(), d3: kv.distance(us, three).dataSync() }));
        await expectNoLeak(() => {
          const before = tf.memory().numTensors;
          expectClose(kv.readHost(us), ref.s, 1e-5, 0);
          expectClose(kv.distanceHost(us, one), ref.d1, 1e-5, 0);
          const out = new Float32Array(20).fill(-1);
          expect(kv.distanceHost(us, three, out)).toBe(out);
          expectClose(out.subarray(0, 15), ref.d3, 1e-5, 0);
          expect(Array.from(out.subarray(15))).toEqual([-1, -1, -1, -1, -1]);
          // a scorer made once answers for any of its users, in any order, with repeats
          const score = kv.scorerFor(us);
          expectClose(score(us, three), ref.d3, 1e-5, 0);
          const sub = Int32Array.of(6, 3, 6);
          expectClose(score(sub, Int32Array.of(1, 2, 8)), tf.tidy(() => kv.distance(sub, Int32Array.of(1, 2, 8)).dataSync()), 1e-5, 0);
          expect(tf.memory().numTensors).toBe(before);
        });
        kv.dispose();
      });
    }
  }

  it('errors name the function, the argument and the bad value', () => {
    const kv = make('euclidean', 'per-user');
    expect(() => kv.distanceHost(Int32Array.of(0, 1), Int32Array.of(1, 2, 3))).toThrow('KeyValueMemory.distanceHost: items must have length users.length * n (a positive multiple of 2), got 3');
    expect(() => kv.distanceHost(Int32Array.of(0), Int32Array.of(11))).toThrow('KeyValueMemory.distanceHost: items[0] must be an integer id in [0, 11), got 11');
    expect(() => kv.distanceHost(Int32Array.of(0), Int32Array.of(1, 2), new Float32Array(1))).toThrow('KeyValueMemory.distanceHost: out must be a Float32Array of length >= 2, got Float32Array(1)');
    expect(() => kv.readHost(Int32Array.of(7))).toThrow('KeyValueMemory.readHost: users[0] must be an integer id in [0, 7), got 7');
    expect(() => kv.readHost(Int32Array.of(1), [0] as unknown as Float32Array)).toThrow('KeyValueMemory.readHost: out must be a Float32Array of length >= 6, got array(1)');
    const score = kv.scorerFor(Int32Array.of(0, 2));
    expect(() => score(Int32Array.of(2, 4), Int32Array.of(1, 1))).toThrow('KeyValueMemory.scorerFor: users[1] must be one of the users the scorer was made for, got 4');
    expect(() => score(Int32Array.of(2), Int32Array.of(1), new Float32Array(0))).toThrow('KeyValueMemory.scorerFor: out must be a Float32Array of length >= 1, got Float32Array(0)');
    kv.dispose();
  });

  it('a scorer is a snapshot of its users\' reads: a write after it changes distanceHost, not the scorer', () => {
    const kv = make('euclidean', 'per-user');
    const us = Int32Array.of(2, 4);
    const its = Int32Array.of(3, 8);
    const score = kv.scorerFor(us);
    const before = kv.distanceHost(us, its);
    kv.write(us, Int32Array.of(5, 6));
    const after = kv.distanceHost(us, its);
    expect(Math.max(...after.map((d, k) => Math.abs(d - before[k])))).toBeGreaterThan(1e-4);
    expect(Array.from(score(us, its))).toEqual(Array.from(before));
    kv.dispose();
  });
});
