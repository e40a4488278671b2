import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding, randInt, seededRng } from '@memrec/core';
import { describeWithBackends, expectNoLeak, expectClose, finiteDiffGrad } from '@memrec/test-helpers';
import { KeyValueMemory, type KeyValueMemoryOptions } from './key-value-memory';
import { recordWrite, type LastWrite } from './kv-last-write';
import { applyKvGrads, checkTrainBatch, hostKvGrads, preferTensorStep, tensorKvGrads, type KvGrads } from './kv-train';

const NAMES = ['gU', 'gV', 'keys', 'We', 'be', 'Wa', 'ba'];
const flatGrads = (g: KvGrads) => [g.gU, g.gV, ...g.dense];

interface Setup {
  kv: KeyValueMemory;
  lw: LastWrite;
  users: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
  n: number;
  weights: Float32Array | null;
  margin: number;
}

/**
 * A seeded layer that has trained and written once (so every memory differs from the template),
 * then written `writeUsers` (the last write `lw`), and a training batch whose users repeat, with
 * some users read from memories the last write touched and some from others.
 */
function setup(seed: number, o: Partial<KeyValueMemoryOptions> & { D: number; H: number; b: number; n: number; writeUsers: Int32Array; perPair?: boolean }): Setup {
  const rng = seededRng(seed);
  const [nu, ni] = [9, 14];
  const sgd = { kind: 'sgd' as const, learningRate: 1 };
  const users = new SparseEmbedding({ rows: nu, dim: o.D, optimizer: sgd, init: { kind: 'normal', std: 0.5 }, seed: seed + 1 });
  const items = new SparseEmbedding({ rows: ni, dim: o.D, optimizer: sgd, init: { kind: 'normal', std: 0.5 }, seed: seed + 2 });
  const kv = new KeyValueMemory({ users, items, slots: o.H, seed: seed + 3, valueInitStd: 0.5, optimizer: tf.train.sgd(0.1), writeGradient: true, ...o });
  const rand = (n: number, bound: number) => Int32Array.from({ length: n }, () => randInt(rng, bound));
  const u0 = Int32Array.from({ length: nu }, (_, k) => k);
  kv.write(u0, rand(nu, ni), { mode: 'sequential' });
  const wi = rand(o.writeUsers.length, ni);
  const lw = recordWrite(kv.memory, kv.memory.memIds(o.writeUsers), users.gather(o.writeUsers), items.gather(wi), o.D);
  kv.write(o.writeUsers, wi, { mode: 'sequential' });
  const b = o.b;
  // users repeat (b > distinct users); the first rows read the last write's memories
  const tu = Int32Array.from({ length: b }, (_, t) => (t < o.writeUsers.length ? o.writeUsers[t] : randInt(rng, nu)));
  const weights = Float32Array.from({ length: o.perPair ? b * o.n : b }, () => 0.5 + 2 * rng());
  return { kv, lw, users: tu, pos: rand(b, ni), neg: rand(b * o.n, ni), n: o.n, weights, margin: 0.6 };
}

/** `|host - ref| <= ATOL * max|ref| + RTOL * |ref|` per gradient array (see the tolerance note below). */
const ATOL = 5e-5;
const RTOL = 1e-3;
function expectSameGrads(host: KvGrads, ref: KvGrads): void {
  expect(host.loss).toBeCloseTo(ref.loss, 5);
  const h = flatGrads(host);
  const r = flatGrads(ref);
  expect(h.length).toBe(r.length);
  h.forEach((a, k) => {
    const scale = Math.max(...Array.from(r[k], Math.abs));
    try {
      expectClose(a, r[k], ATOL * scale, RTOL);
    } catch (e) {
      throw new Error(`${NAMES[k]} (max |ref| ${scale}): ${(e as Error).message}`);
    }
  });
}

describeWithBackends('hostKvGrads through the last write equals the tfjs reference (tensorKvGrads)', () => {
  // Tolerance: the tfjs path runs in float32 (softmax, matMuls summing over up to b events, the
  // address through ||u||^2 - 2 u.k + ||k||^2, which cancels), the host path accumulates in
  // float64; their gradients differ by float32 rounding. Seen on these cases (cpu and wasm), as a
  // fraction of each array's largest entry: <= 3e-7 for keys, W_e, b_e, W_a, b_a and item rows,
  // <= 5e-6 for user rows (the cancelling address). ATOL (5e-5 of the largest entry) is 10x above
  // the worst and scale-free (the projections' gradients are 10-100x smaller than the rows'); a
  // wrong term (a missed event, a sign) moves entries by 1e-2 or more of that scale.
  const cases = [
    { name: 'per-user, R > 1 (repeated writers), euclidean', metric: 'euclidean', valueMemory: 'per-user', temperature: 1, D: 6, H: 4, b: 10, n: 2, writeUsers: Int32Array.of(1, 4, 1, 7, 4) },
    { name: 'per-user, R = 1, euclidean, T 0.7, weights per pair', metric: 'euclidean', valueMemory: 'per-user', temperature: 0.7, D: 6, H: 4, b: 8, n: 3, writeUsers: Int32Array.of(3, 3, 3), perPair: true },
    { name: 'per-user, R > 1, dot, D 16, H 8', metric: 'dot', valueMemory: 'per-user', temperature: 1, D: 16, H: 8, b: 24, n: 1, writeUsers: Int32Array.of(0, 2, 5, 2, 8, 0, 6) },
    { name: 'shared (R = 1), euclidean, D 16, H 8', metric: 'euclidean', valueMemory: 'shared', temperature: 1, D: 16, H: 8, b: 24, n: 2, writeUsers: Int32Array.of(0, 2, 5, 2, 8, 0, 6) },
    { name: 'shared, dot, T 0.5', metric: 'dot', valueMemory: 'shared', temperature: 0.5, D: 6, H: 4, b: 10, n: 2, writeUsers: Int32Array.of(4), perPair: true },
  ] as const;
  cases.forEach((c, k) => {
    it(`${c.name}: same loss and gradients (rows, keys, W_e, b_e, W_a, b_a)`, async () => {
      const s = setup(100 + k, c);
      const batch = checkTrainBatch('test', s.kv.items.rows, s.users, s.pos, s.neg, { margin: s.margin, weights: s.weights as Float32Array });
      await expectNoLeak(() => {
        const host = hostKvGrads(s.kv, batch, s.lw);
        const ref = tensorKvGrads(s.kv, s.lw, batch, {});
        expect(host.dense.length).toBe(5);
        expectSameGrads(host, ref);
        // the case is not vacuous: the projections get a gradient
        for (const g of host.dense.slice(1)) expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-5);
      });
      s.kv.dispose();
    });
  });

  it('trainStep (host) makes the same update as the tfjs gradients applied (SGD)', async () => {
    const c = cases[0];
    const a = setup(7, c);
    const b = setup(7, c);
    const batch = checkTrainBatch('test', b.kv.items.rows, b.users, b.pos, b.neg, { margin: b.margin, weights: b.weights as Float32Array });
    const vars = (kv: KeyValueMemory) => [kv.users.data, kv.items.data, ...[kv.keys, kv.We, kv.be, kv.Wa, kv.ba].map((v) => v.dataSync())];
    const before = vars(a.kv).map((x) => Float32Array.from(x));
    const sgd = tf.train.sgd(0.1); // the layers' own optimizer: SGD, rate 0.1
    await expectNoLeak(() => {
      a.kv.trainStep(a.users, a.pos, a.neg, { margin: a.margin, weights: a.weights as Float32Array });
      applyKvGrads(b.kv, sgd, batch, tensorKvGrads(b.kv, b.lw, batch, {}));
    });
    sgd.dispose();
    const [va, vb] = [vars(a.kv), vars(b.kv)];
    va.forEach((x, k) => {
      // the updates (0.1 * gradient) agree; the variables themselves to float32 rounding of their sum
      const da = Array.from(x, (y, i) => y - before[k][i]);
      const db = Array.from(vb[k], (y, i) => y - before[k][i]);
      expectClose(da, db, 1e-6 + ATOL * Math.max(...db.map(Math.abs)), RTOL);
    });
    expect(Math.max(...Array.from(va[3], (y, i) => Math.abs(y - before[3][i])))).toBeGreaterThan(0); // W_e moved
    a.kv.dispose();
    b.kv.dispose();
  });

  it('trainStep takes the tfjs step only for the shared memory with a last write, on wasm', () => {
    const perUser = setup(12, { ...cases[0] });
    const shared = setup(13, { ...cases[3] });
    expect(preferTensorStep(perUser.kv, perUser.lw)).toBe(false);
    expect(preferTensorStep(shared.kv, null)).toBe(false);
    expect(preferTensorStep(shared.kv, shared.lw)).toBe(tf.getBackend() === 'wasm');
    perUser.kv.dispose();
    shared.kv.dispose();
  });

  it('without a last write, or a batch reading no memory it touched, the projections get zero gradient', () => {
    const s = setup(11, { ...cases[0], writeUsers: Int32Array.of(1, 4) });
    const batch = checkTrainBatch('test', s.kv.items.rows, Int32Array.of(0, 2, 2), s.pos.subarray(0, 3), s.neg.subarray(0, 6), { margin: s.margin });
    expect(hostKvGrads(s.kv, batch, null).dense.length).toBe(1);
    const g = hostKvGrads(s.kv, batch, s.lw);
    for (const x of g.dense.slice(1)) expect(Array.from(x).every((y) => y === 0)).toBe(true);
    s.kv.dispose();
  });
});

// ---- float64 reference of the loss as a function of rows, keys and projections ----
type Vec = number[];
function address(u: Vec, K: Vec[], metric: 'euclidean' | 'dot', T: number): Vec {
  const l = K.map((k) => (metric === 'dot' ? u.reduce((a, x, d) => a + x * k[d], 0) : -Math.sqrt(u.reduce((a, x, d) => a + (x - k[d]) ** 2, 0))) / T);
  const mx = Math.max(...l);
  const ex = l.map((x) => Math.exp(x - mx));
  const z = ex.reduce((a, x) => a + x, 0);
  return ex.map((x) => x / z);
}
const rowsOf = (x: ArrayLike<number>, n: number, D: number, off: number): Vec[] => Array.from({ length: n }, (_, r) => Array.from({ length: D }, (_, d) => x[off + r * D + d]));

/**
 * The training loss with memory `state + delta(x) - delta(x0)` (the tfjs path's
 * `state + delta - stopGradient(delta)`): `x` = [user rows b*D, item rows b*(1+n)*D, keys H*D,
 * W_e D*D, b_e D, W_a D*D, b_a D]; the last write's rows and snapshot are constants.
 */
function referenceLoss(s: Setup, x: ArrayLike<number>, x0: ArrayLike<number>): number {
  const { kv, lw, n, margin } = s;
  const [H, D, b, T] = [kv.slots, kv.dim, s.users.length, kv.temperature];
  const unpack = (y: ArrayLike<number>) => {
    let o = b * (2 + n) * D;
    const K = rowsOf(y, H, D, o);
    o += H * D;
    const We = rowsOf(y, D, D, o);
    const be = rowsOf(y, 1, D, o + D * D)[0];
    const Wa = rowsOf(y, D, D, o + D * D + D);
    const ba = rowsOf(y, 1, D, o + 2 * D * D + D)[0];
    return { K, We, be, Wa, ba };
  };
  const delta = (y: ArrayLike<number>) => {
    const { K, We, be, Wa, ba } = unpack(y);
    const out = new Float64Array(lw.distinct.length * H * D);
    for (let t = 0; t < lw.eventRow.length; t++) {
      const r = lw.eventRow[t];
      const w = address(Array.from(lw.uRows.subarray(t * D, (t + 1) * D)), K, kv.metric, T);
      const v = Array.from(lw.vRows.subarray(t * D, (t + 1) * D));
      const e = be.map((c, d) => 1 / (1 + Math.exp(-v.reduce((acc, vi, i) => acc + vi * We[i][d], c))));
      const a = ba.map((c, d) => Math.tanh(v.reduce((acc, vi, i) => acc + vi * Wa[i][d], c)));
      for (let j = 0; j < H; j++) for (let d = 0; d < D; d++) out[(r * H + j) * D + d] += -lw.snapshot[(r * H + j) * D + d] * w[j] * e[d] + w[j] * a[d];
    }
    return out;
  };
  const [d1, d0] = [delta(x), delta(x0)];
  const rowOf = kv.memory.perUser ? lw.rowsOf(s.users) : new Int32Array(b);
  const { K } = unpack(x);
  let total = 0;
  for (let t = 0; t < b; t++) {
    const w = address(rowsOf(x, 1, D, t * D)[0], K, kv.metric, T);
    const base = (kv.memory.perUser ? s.users[t] : 0) * H * D;
    const sv = new Array(D).fill(0);
    for (let j = 0; j < H; j++) {
      for (let d = 0; d < D; d++) {
        const k = (rowOf[t] * H + j) * D + d;
        sv[d] += w[j] * (kv.memory.data[base + j * D + d] + (rowOf[t] >= 0 ? d1[k] - d0[k] : 0));
      }
    }
    const dist = (i: number) => Math.sqrt(rowsOf(x, 1, D, b * D + (t * (1 + n) + i) * D)[0].reduce((acc, v, d) => acc + (sv[d] - v) ** 2, 0));
    for (let k = 1; k <= n; k++) total += (s.weights as Float32Array)[t] * Math.max(0, margin + dist(0) - dist(k));
  }
  return total / (b * n);
}

describeWithBackends('hostKvGrads through the last write matches finite differences', () => {
  const cases = [
    { name: 'per-user, R > 1, repeated users, euclidean, T 0.8', metric: 'euclidean', valueMemory: 'per-user', temperature: 0.8, writeUsers: Int32Array.of(2, 5, 2) },
    { name: 'shared, dot', metric: 'dot', valueMemory: 'shared', temperature: 1, writeUsers: Int32Array.of(1, 6) },
  ] as const;
  cases.forEach((c, k) => {
    it(`${c.name}: rows, keys, W_e, b_e, W_a, b_a`, async () => {
      const s = setup(40 + k, { ...c, D: 3, H: 2, b: 5, n: 2 });
      const { kv } = s;
      const batch = checkTrainBatch('test', kv.items.rows, s.users, s.pos, s.neg, { margin: s.margin, weights: s.weights as Float32Array });
      const x0 = [...kv.users.gather(s.users), ...kv.items.gather(batch.ids), ...[kv.keys, kv.We, kv.be, kv.Wa, kv.ba].flatMap((v) => Array.from(v.dataSync()))];
      const fd = finiteDiffGrad((x) => referenceLoss(s, x, x0), x0, 1e-6);
      const g = await expectNoLeak(() => hostKvGrads(kv, batch, s.lw));
      expect(g.loss).toBeCloseTo(referenceLoss(s, x0, x0), 6);
      // every hinge is away from its kink (a step of 1e-6 cannot cross it), and some are active
      const hinges = Array.from(kv.distanceHost(s.users, s.neg), (dn, i) => s.margin + kv.distanceHost(s.users, s.pos)[Math.floor(i / 2)] - dn);
      expect(hinges.every((h) => Math.abs(h) > 1e-3) && hinges.some((h) => h > 0)).toBe(true);
      // float32 inputs and outputs, float64 reference: 1e-6 absolute + 1e-4 relative
      expectClose([...g.gU, ...g.gV, ...g.dense.flatMap((x) => Array.from(x))], fd, 1e-6, 1e-4);
      expect(Math.max(...Array.from(fd.subarray(fd.length - (2 * 9 + 6)), Math.abs))).toBeGreaterThan(1e-4); // projections reached
      kv.dispose();
    });
  });
});
