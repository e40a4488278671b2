import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding } from '@memrec/core';
import { describeWithBackends, expectNoLeak, expectClose, finiteDiffGrad } from '@memrec/test-helpers';
import { KeyValueMemory, type KeyValueMemoryOptions } from './key-value-memory';

// ---- naive reference: loops over samples and slots, float64 ----
type Vec = number[];
const sig = (x: number) => 1 / (1 + Math.exp(-x));
function refAddress(u: Vec, K: Vec[], metric: 'euclidean' | 'dot', temp: number): Vec {
  const logits = K.map((k) => {
    let acc = 0;
    for (let d = 0; d < u.length; d++) acc += metric === 'dot' ? u[d] * k[d] : (u[d] - k[d]) ** 2;
    return (metric === 'dot' ? acc : -Math.sqrt(acc)) / temp;
  });
  const mx = Math.max(...logits);
  const ex = logits.map((l) => Math.exp(l - mx));
  const z = ex.reduce((a, b) => a + b, 0);
  return ex.map((x) => x / z);
}
function refRead(w: Vec, M: Vec[]): Vec {
  const s = new Array(M[0].length).fill(0);
  for (let j = 0; j < w.length; j++) for (let d = 0; d < s.length; d++) s[d] += w[j] * M[j][d];
  return s;
}
const refDist = (s: Vec, v: Vec) => Math.sqrt(s.reduce((acc, x, d) => acc + (x - v[d]) ** 2, 0));
function refEraseAdd(v: Vec, We: Vec[], be: Vec, Wa: Vec[], ba: Vec): [Vec, Vec] {
  const e = be.map((b, d) => sig(v.reduce((acc, x, k) => acc + x * We[k][d], b)));
  const a = ba.map((b, d) => Math.tanh(v.reduce((acc, x, k) => acc + x * Wa[k][d], b)));
  return [e, a];
}
function refWrite(M: Vec[], w: Vec, e: Vec, a: Vec): void {
  for (let j = 0; j < M.length; j++) for (let d = 0; d < e.length; d++) M[j][d] = M[j][d] * (1 - w[j] * e[d]) + w[j] * a[d];
}
const rows = (data: ArrayLike<number>, n: number, D: number, off = 0): Vec[] =>
  Array.from({ length: n }, (_, r) => Array.from({ length: D }, (_, d) => data[off + r * D + d]));
const flat = (a: Vec[]) => a.flat();

const D = 5;
const H = 4;
function make(extra: Partial<KeyValueMemoryOptions> = {}, nu = 6, ni = 9) {
  const sgd = { kind: 'sgd' as const, learningRate: 1 };
  const users = new SparseEmbedding({ rows: nu, dim: D, optimizer: sgd, init: { kind: 'normal', std: 0.5 }, seed: 11 });
  const items = new SparseEmbedding({ rows: ni, dim: D, optimizer: sgd, init: { kind: 'normal', std: 0.5 }, seed: 12 });
  const kv = new KeyValueMemory({ users, items, slots: H, seed: 3, valueInitStd: 0.5, ...extra });
  return { users, items, kv };
}
const state = (kv: KeyValueMemory) => ({
  K: rows(kv.keys.dataSync(), H, D),
  We: rows(kv.We.dataSync(), D, D),
  be: Array.from(kv.be.dataSync()),
  Wa: rows(kv.Wa.dataSync(), D, D),
  ba: Array.from(kv.ba.dataSync()),
  mem: (id: number) => rows(kv.memory.data, H, D, id * H * D),
});

describeWithBackends('KeyValueMemory forward equals the per-example reference', () => {
  for (const metric of ['euclidean', 'dot'] as const) {
    for (const valueMemory of ['shared', 'per-user'] as const) {
      it(`${metric}, ${valueMemory}: address, read, distance, distanceAll`, async () => {
        const { users, items, kv } = make({ metric, valueMemory, temperature: 0.7 });
        const us = Int32Array.of(0, 3, 3, 5);
        const cands = Int32Array.of(1, 2, 8, 0, 4, 4, 7, 3);
        const st = state(kv);
        const ref = Array.from(us, (u, t) => {
          const w = refAddress(Array.from(users.row(u)), st.K, metric, 0.7);
          const s = refRead(w, st.mem(valueMemory === 'shared' ? 0 : u));
          const v = (i: number) => Array.from(items.row(i));
          return { w, s, d2: [refDist(s, v(cands[2 * t])), refDist(s, v(cands[2 * t + 1]))], all: Array.from({ length: 9 }, (_, i) => refDist(s, v(i))) };
        });
        await expectNoLeak(() => {
          const w = tf.tidy(() => kv.address(users.lookup(us)).dataSync());
          expectClose(w, ref.flatMap((r) => r.w), 1e-5, 0);
          const s = kv.read(us);
          expectClose(s.dataSync(), ref.flatMap((r) => r.s), 1e-5, 0);
          s.dispose();
          const d = kv.distance(us, cands);
          expect(d.shape).toEqual([4, 2]);
          expectClose(d.dataSync(), ref.flatMap((r) => r.d2), 1e-5, 0);
          d.dispose();
          const d1 = kv.distance(us, Int32Array.of(1, 0, 4, 7));
          expect(d1.shape).toEqual([4]);
          expectClose(d1.dataSync(), [ref[0].d2[0], ref[1].d2[1], ref[2].d2[0], ref[3].d2[0]], 1e-5, 0);
          d1.dispose();
          expectClose(kv.distanceAll(us), ref.flatMap((r) => r.all), 1e-5, 0);
        });
        kv.dispose();
      });
    }
  }
});

describeWithBackends('KeyValueMemory.write', () => {
  it('sequential write equals the per-event reference in event order', () => {
    for (const valueMemory of ['shared', 'per-user'] as const) {
      const { users, items, kv } = make({ valueMemory });
      const us = Int32Array.of(2, 2, 0, 5, 2);
      const its = Int32Array.of(1, 7, 7, 3, 0);
      const st = state(kv);
      const mems = Array.from({ length: 6 }, (_, id) => st.mem(id));
      us.forEach((u, t) => {
        const w = refAddress(Array.from(users.row(u)), st.K, 'euclidean', 1);
        const [e, a] = refEraseAdd(Array.from(items.row(its[t])), st.We, st.be, st.Wa, st.ba);
        refWrite(mems[valueMemory === 'shared' ? 0 : u], w, e, a);
      });
      kv.write(us, its, { mode: 'sequential' });
      const n = valueMemory === 'shared' ? 1 : 6;
      expectClose(kv.memory.data.subarray(0, n * H * D), mems.slice(0, n).flatMap(flat), 1e-5, 0);
      kv.dispose();
    }
  });

  it('batched write equals sequential exactly at batch size 1, and differs measurably at batch 64 when events share a memory', () => {
    const a = make();
    const b = make();
    for (let t = 0; t < 5; t++) {
      a.kv.write(Int32Array.of(t % 6), Int32Array.of(t), { mode: 'sequential' });
      b.kv.write(Int32Array.of(t % 6), Int32Array.of(t), { mode: 'batched' });
    }
    expect(Array.from(b.kv.memory.data)).toEqual(Array.from(a.kv.memory.data));
    const us = Int32Array.from({ length: 64 }, (_, t) => t % 6);
    const its = Int32Array.from({ length: 64 }, (_, t) => (t * 7) % 9);
    a.kv.write(us, its, { mode: 'sequential' });
    b.kv.write(us, its, { mode: 'batched' });
    let gap = 0;
    for (let k = 0; k < H * D; k++) gap = Math.max(gap, Math.abs(a.kv.memory.data[k] - b.kv.memory.data[k]));
    expect(gap).toBeGreaterThan(1e-3);
    a.kv.dispose();
    b.kv.dispose();
  });

  it('per-user batched write equals sequential when every event has its own user', () => {
    const a = make({ valueMemory: 'per-user' });
    const b = make({ valueMemory: 'per-user' });
    const us = Int32Array.of(4, 1, 0, 5);
    const its = Int32Array.of(8, 2, 2, 6);
    a.kv.write(us, its, { mode: 'sequential' });
    b.kv.write(us, its, { mode: 'batched' });
    expect(Array.from(b.kv.memory.data)).toEqual(Array.from(a.kv.memory.data));
    a.kv.dispose();
    b.kv.dispose();
  });
});

describeWithBackends('KeyValueMemory.trainStep', () => {
  const us = Int32Array.of(1, 4, 1);
  const pos = Int32Array.of(2, 5, 6);
  const neg = Int32Array.of(0, 3, 8, 8, 7, 1);
  const weights = Float32Array.of(1, 2.5, 0.5);

  /** Reference weighted hinge as a function of all inputs (n = Vn.length / U.length), with the memory read from `M`. */
  function refLoss(U: Vec[], Vp: Vec[], Vn: Vec[], K: Vec[], M: (t: number) => Vec[], margin: number, w: ArrayLike<number> = weights): number {
    const n = Vn.length / U.length;
    let total = 0;
    for (let t = 0; t < U.length; t++) {
      const s = refRead(refAddress(U[t], K, 'euclidean', 1), M(t));
      const dp = refDist(s, Vp[t]);
      for (let k = 0; k < n; k++) total += w[w.length === U.length ? t : n * t + k] * Math.max(0, margin + dp - refDist(s, Vn[n * t + k]));
    }
    return total / (U.length * n);
  }

  // n = 2 negatives with one weight per positive or per pair; n = 1
  const cases = [[2, neg, weights], [2, neg, Float32Array.of(1, 0.2, 2.5, 3, 0.5, 1)], [1, neg.subarray(0, 3), Float32Array.of(0.5, 1, 3)]] as const;
  for (const [n, negs, w] of cases) {
    it(`loss and gradients (rows, keys) match finite differences of the reference (n = ${n}, ${w.length} weights)`, () => {
      const { users, items, kv } = make({ optimizer: tf.train.sgd(1), writeGradient: false });
      const st = state(kv);
      const U = Array.from(us, (u) => Array.from(users.row(u)));
      const Vp = Array.from(pos, (i) => Array.from(items.row(i)));
      const Vn = Array.from(negs, (i) => Array.from(items.row(i)));
      const M = () => st.mem(0);
      const kOff = 30 + 3 * n * D;
      const f = (x: Float64Array) => refLoss(rows(x, 3, D), rows(x, 3, D, 15), rows(x, 3 * n, D, 30), rows(x, H, D, kOff), M, 2, w);
      const x0 = [...flat(U), ...flat(Vp), ...flat(Vn), ...flat(st.K)];
      const g = finiteDiffGrad(f, x0, 1e-6);
      const before = { u: Float32Array.from(users.data), i: Float32Array.from(items.data), k: Float32Array.from(kv.keys.dataSync()) };
      const loss = kv.trainStep(us, pos, negs, { margin: 2, weights: w });
      expect(loss).toBeCloseTo(f(Float64Array.from(x0)), 5);
      // SGD with learning rate 1: change = -(sum of gradients of each row)
      const rowGrad = (ids: Int32Array, gOff: number, dim: number) => {
        const acc = new Map<number, number[]>();
        for (let t = 0; t < ids.length; t++) {
          const r = acc.get(ids[t]) ?? new Array(dim).fill(0);
          for (let d = 0; d < dim; d++) r[d] += g[gOff + t * dim + d];
          acc.set(ids[t], r);
        }
        return acc;
      };
      for (const [u, gr] of rowGrad(us, 0, D)) expectClose(Array.from({ length: D }, (_, d) => before.u[u * D + d] - users.data[u * D + d]), gr, 1e-5, 1e-4);
      const itemIds = Int32Array.from([...pos, ...negs]);
      for (const [i, gr] of rowGrad(itemIds, 15, D)) expectClose(Array.from({ length: D }, (_, d) => before.i[i * D + d] - items.data[i * D + d]), gr, 1e-5, 1e-4);
      const k1 = kv.keys.dataSync();
      expectClose(Array.from(before.k, (k, j) => k - k1[j]), g.subarray(kOff), 1e-5, 1e-4);
      kv.dispose();
    });
  }

  it('gradients reach the erase / add projections through the last write (finite differences)', () => {
    const { users, items, kv } = make({ optimizer: tf.train.sgd(1), valueMemory: 'per-user' });
    const wu = Int32Array.of(1, 1, 3);
    const wi = Int32Array.of(7, 2, 4);
    const st0 = state(kv);
    const snap = [st0.mem(1), st0.mem(3)];
    kv.write(wu, wi, { mode: 'sequential' });
    const after = state(kv);
    const U = Array.from(us, (u) => Array.from(users.row(u)));
    const Vp = Array.from(pos, (i) => Array.from(items.row(i)));
    const Vn = Array.from(neg, (i) => Array.from(items.row(i)));
    const Uw = Array.from(wu, (u) => Array.from(users.row(u)));
    const Vw = Array.from(wi, (i) => Array.from(items.row(i)));
    // batched delta of the last write on memory r (0: user 1, 1: user 3) as a function of the weights
    const delta = (r: number, K: Vec[], We: Vec[], be: Vec, Wa: Vec[], ba: Vec) => {
      const out = snap[r].map((row) => row.map(() => 0));
      wu.forEach((u, t) => {
        if ((u === 1 ? 0 : 1) !== r) return;
        const w = refAddress(Uw[t], K, 'euclidean', 1);
        const [e, a] = refEraseAdd(Vw[t], We, be, Wa, ba);
        for (let j = 0; j < H; j++) for (let d = 0; d < D; d++) out[j][d] += -snap[r][j][d] * w[j] * e[d] + w[j] * a[d];
      });
      return out;
    };
    const unpack = (x: ArrayLike<number>) => [rows(x, H, D), rows(x, D, D, H * D), Array.from({ length: D }, (_, d) => x[H * D + D * D + d]), rows(x, D, D, H * D + D * D + D), Array.from({ length: D }, (_, d) => x[H * D + 2 * D * D + D + d])] as const;
    const x0 = [...flat(after.K), ...flat(after.We), ...after.be, ...flat(after.Wa), ...after.ba];
    const [K0, We0, be0, Wa0, ba0] = unpack(x0);
    const d0 = [delta(0, K0, We0, be0, Wa0, ba0), delta(1, K0, We0, be0, Wa0, ba0)];
    const f = (x: Float64Array) => {
      const [K, We, be, Wa, ba] = unpack(x);
      const d1 = [delta(0, K, We, be, Wa, ba), delta(1, K, We, be, Wa, ba)];
      const M = (t: number) => after.mem(us[t]).map((row, j) => row.map((m, d) => (us[t] === 1 ? m + d1[0][j][d] - d0[0][j][d] : us[t] === 3 ? m + d1[1][j][d] - d0[1][j][d] : m)));
      return refLoss(U, Vp, Vn, K, M, 2);
    };
    const g = finiteDiffGrad(f, x0, 1e-6);
    expect(Math.max(...Array.from(g.subarray(H * D), Math.abs))).toBeGreaterThan(1e-4);
    const loss = kv.trainStep(us, pos, neg, { margin: 2, weights });
    expect(loss).toBeCloseTo(f(Float64Array.from(x0)), 5);
    const x1 = [kv.keys, kv.We, kv.be, kv.Wa, kv.ba].flatMap((v) => Array.from(v.dataSync()));
    expectClose(x0.map((x, k) => x - x1[k]), g, 1e-5, 1e-4);
    kv.dispose();
  });

  it('a custom loss receives [b * n] distances and drives the update', () => {
    const { kv } = make();
    let shapes: number[][] = [];
    const loss = kv.trainStep(us, pos, neg, { loss: (dp, dn) => { shapes = [dp.shape, dn.shape]; return tf.mean(tf.sub(dp, dn)) as tf.Scalar; } });
    expect(shapes).toEqual([[6], [6]]);
    expect(Number.isFinite(loss)).toBe(true);
    kv.trainStep(us, pos, neg.subarray(0, 3), { loss: (dp, dn) => { shapes = [dp.shape, dn.shape]; return tf.mean(tf.sub(dp, dn)) as tf.Scalar; } });
    expect(shapes).toEqual([[3], [3]]);
    kv.dispose();
  });

  it('leaks no tensors across 1,000 train + write steps', async () => {
    const { kv } = make({ valueMemory: 'per-user', optimizer: tf.train.sgd(0.05) });
    kv.trainStep(Int32Array.of(0), Int32Array.of(1), Int32Array.of(2)); // warm-up
    await expectNoLeak(() => {
      for (let s = 0; s < 1000; s++) {
        const u = Int32Array.of(s % 6, (s * 5) % 6);
        kv.trainStep(u, Int32Array.of(s % 9, (s + 3) % 9), Int32Array.of((s + 1) % 9, (s + 2) % 9));
        kv.write(u, Int32Array.of(s % 9, (s + 3) % 9), { mode: s % 2 ? 'sequential' : 'batched' });
      }
    });
    expect(Array.from(kv.memory.data).every(Number.isFinite)).toBe(true);
    kv.dispose();
  });
});

describeWithBackends('KeyValueMemory state, growth and errors', () => {
  it('state saves and loads; reset restores the template; grow adds per-user memories', () => {
    const a = make({ valueMemory: 'per-user' });
    a.kv.trainStep(Int32Array.of(0, 1), Int32Array.of(2, 3), Int32Array.of(4, 5));
    a.kv.write(Int32Array.of(0, 1), Int32Array.of(2, 3));
    const b = make({ valueMemory: 'per-user' }, 6, 9);
    b.kv.stateFromBytes(a.kv.stateToBytes());
    b.users.data.set(a.users.data);
    b.items.data.set(a.items.data);
    expect(Array.from(b.kv.distanceAll(Int32Array.of(0, 1)))).toEqual(Array.from(a.kv.distanceAll(Int32Array.of(0, 1))));
    const bytes = a.kv.stateToBytes();
    bytes[bytes.length - 1] ^= 1;
    expect(() => b.kv.stateFromBytes(bytes)).toThrow('KeyValueMemory.stateFromBytes: bytes must match their checksum');
    a.users.grow(8);
    a.kv.grow(8);
    expect(a.kv.memory.count).toBe(8);
    expect(Array.from(a.kv.memory.data.subarray(7 * H * D, 8 * H * D))).toEqual(Array.from(a.kv.memory.template));
    a.kv.reset();
    expect(Array.from(a.kv.memory.data.subarray(0, H * D))).toEqual(Array.from(a.kv.memory.template));
    a.kv.dispose();
    b.kv.dispose();
  });

  it('errors name the function, the argument and the bad value or shape', () => {
    const { users, items, kv } = make();
    expect(() => new KeyValueMemory({ users, items, slots: 0 })).toThrow('KeyValueMemory: slots must be an integer >= 1, got 0');
    expect(() => new KeyValueMemory({ users, items, slots: 2, metric: 'cosine' as 'dot' })).toThrow("KeyValueMemory: metric must be 'euclidean' or 'dot', got \"cosine\"");
    expect(() => kv.trainStep(Int32Array.of(0, 1), Int32Array.of(2), Int32Array.of(3, 4))).toThrow('KeyValueMemory.trainStep: positives must have length users.length (2), got 1');
    expect(() => kv.trainStep(Int32Array.of(0, 1), Int32Array.of(2, 2), Int32Array.of(3, 4, 5))).toThrow('KeyValueMemory.trainStep: negatives must have length users.length * n (a positive multiple of 2), got 3');
    expect(() => kv.trainStep(Int32Array.of(0), Int32Array.of(2), Int32Array.of(3), { weights: Float32Array.of(1, 2, 3) })).toThrow('KeyValueMemory.trainStep: weights must be a Float32Array of length 1 or 1, got Float32Array(3)');
    expect(() => kv.write(Int32Array.of(9), Int32Array.of(1))).toThrow('KeyValueMemory.write: users[0] must be an integer id in [0, 6), got 9');
    expect(() => kv.distance(Int32Array.of(0), [1] as unknown as Int32Array)).toThrow('KeyValueMemory.distance: items must be an Int32Array, got array(1)');
    kv.dispose();
  });
});
