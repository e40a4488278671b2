import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, testFloats } from '@memrec/test-helpers';
import { GatedKeyValueMemory } from './gated-kv-memory';
import { gatedRead, gatedWrite } from './gated-ops';

// ---- per-example reference, float64 ----
const sig = (x: number) => 1 / (1 + Math.exp(-x));
function refRead(q: ArrayLike<number>, keys: number[][], values: number[][], temp: number): number[] {
  const logits = keys.map((k) => k.reduce((acc, x, d) => acc + x * q[d], 0) / temp);
  const mx = Math.max(...logits);
  const ex = logits.map((l) => Math.exp(l - mx));
  const z = ex.reduce((a, b) => a + b, 0);
  return values[0].map((_, d) => values.reduce((acc, v, a) => acc + (ex[a] / z) * v[d], 0));
}
/** v_a <- (1 - z_a) v_a + z_a x_a with z_a = sigmoid(v_a . x_a), slot by slot. */
function refWrite(values: number[][], x: number[][]): number[][] {
  return values.map((v, a) => {
    const z = sig(v.reduce((acc, vd, d) => acc + vd * x[a][d], 0));
    return v.map((vd, d) => (1 - z) * vd + z * x[a][d]);
  });
}

const b = 3;
const A = 4;
const D = 5;
const mat = (data: ArrayLike<number>, n: number, off = 0) => Array.from({ length: n }, (_, r) => Array.from({ length: D }, (_, d) => data[off + r * D + d]));
const q = testFloats(b * D, 11);
const keys = testFloats(A * D, 12);
const V = testFloats(b * A * D, 13);
const X = testFloats(b * A * D, 14, 1.5);
const C = testFloats(b * A * D, 15);
const refReads = (qq: ArrayLike<number>, kk: ArrayLike<number>, vv: ArrayLike<number>, temp: number) =>
  Array.from({ length: b }, (_, t) => refRead(Array.from(qq).slice(t * D, (t + 1) * D), mat(kk, A), mat(vv, A, t * A * D), temp)).flat();
const refWrites = (vv: ArrayLike<number>, xx: ArrayLike<number>) => Array.from({ length: b }, (_, t) => refWrite(mat(vv, A, t * A * D), mat(xx, A, t * A * D)).flat()).flat();

describeWithBackends('gatedRead and gatedWrite', () => {
  it('gatedRead equals the per-row reference; its gradients in query, keys and values equal finite differences', async () => {
    const temp = 0.8;
    const Cr = C.subarray(0, b * D);
    const f = (qq: ArrayLike<number>, kk: ArrayLike<number>, vv: ArrayLike<number>) => refReads(qq, kk, vv, temp).reduce((acc, x, k) => acc + x * Cr[k], 0);
    const fd = [finiteDiffGrad((x) => f(x, keys, V), q, 1e-4), finiteDiffGrad((x) => f(q, x, V), keys, 1e-4), finiteDiffGrad((x) => f(q, keys, x), V, 1e-4)];
    await expectNoLeak(() => {
      const ins = [tf.tensor2d(q, [b, D]), tf.tensor2d(keys, [A, D]), tf.tensor3d(V, [b, A, D])] as const;
      const r = gatedRead(ins[0], ins[1], ins[2], temp);
      expectClose(r.dataSync(), refReads(q, keys, V, temp), 1e-5, 1e-5);
      const ct = tf.tensor2d(Cr, [b, D]);
      const gs = tf.grads((x: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(gatedRead(x as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor3D, temp), ct)))([...ins]);
      gs.forEach((g, k) => expectClose(g.dataSync(), fd[k], 1e-3, 1e-3));
      tf.dispose([...ins, r, ct, ...gs]);
    });
  });

  it('gatedWrite equals the per-slot reference; its gradients in values and x equal finite differences', async () => {
    const f = (vv: ArrayLike<number>, xx: ArrayLike<number>) => refWrites(vv, xx).reduce((acc, x, k) => acc + x * C[k], 0);
    const fd = [finiteDiffGrad((x) => f(x, X), V, 1e-4), finiteDiffGrad((x) => f(V, x), X, 1e-4)];
    await expectNoLeak(() => {
      const vt = tf.tensor3d(V, [b, A, D]);
      const xt = tf.tensor3d(X, [b, A, D]);
      const next = gatedWrite(vt, xt);
      expectClose(next.dataSync(), refWrites(V, X), 1e-5, 1e-5);
      const ct = tf.tensor3d(C, [b, A, D]);
      const gs = tf.grads((v: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(gatedWrite(v as tf.Tensor3D, x as tf.Tensor3D), ct)))([vt, xt]);
      gs.forEach((g, k) => expectClose(g.dataSync(), fd[k], 1e-3, 1e-3));
      tf.dispose([vt, xt, next, ct, ...gs]);
    });
  });
});

describeWithBackends('GatedKeyValueMemory', () => {
  it('write is the reference write in event order (an owner written twice sees its first write); read and readHost equal the reference', async () => {
    const mem = new GatedKeyValueMemory({ slots: A, dim: D, count: 5, temperature: 0.8, init: { kind: 'normal', std: 0.5, seed: 3 } });
    const start = mem.gather(Int32Array.of(0, 1, 2, 3, 4));
    const owners = Int32Array.of(2, 4, 2);
    const xs = testFloats(3 * A * D, 21, 1.5);
    mem.write(owners, xs);
    const want = Array.from({ length: 5 }, (_, o) => mat(start, A, o * A * D));
    owners.forEach((o, t) => {
      want[o] = refWrite(want[o], mat(xs, A, t * A * D));
    });
    expectClose(mem.gather(Int32Array.of(0, 1, 2, 3, 4)), want.flatMap((m) => m.flat()), 1e-5, 1e-5);
    const readers = Int32Array.of(2, 0, 4);
    const wantRead = Array.from(readers, (o, t) => refRead(Array.from(q).slice(t * D, (t + 1) * D), mat(keys, A), want[o], 0.8)).flat();
    await expectNoLeak(() => {
      const qt = tf.tensor2d(q, [b, D]);
      const kt = tf.tensor2d(keys, [A, D]);
      const r = mem.read(readers, qt, kt);
      expectClose(r.dataSync(), wantRead, 1e-5, 1e-5);
      tf.dispose([qt, kt, r]);
    });
    expectClose(mem.readHost(readers, q, keys), wantRead, 1e-5, 1e-5);
  });
});

describe('GatedKeyValueMemory state', () => {
  it('starts at zeros by default, so the first write moves halfway to x (z = sigmoid(0) = 0.5)', () => {
    const mem = new GatedKeyValueMemory({ slots: 2, dim: 2, count: 1 });
    mem.write(Int32Array.of(0), Float32Array.of(2, 4, -2, 6));
    expect(Array.from(mem.gather(Int32Array.of(0)))).toEqual([1, 2, -1, 3]);
  });

  it('a mask limits a write to its slots: masked-out slots keep their values', () => {
    const mem = new GatedKeyValueMemory({ slots: 2, dim: 2, count: 2 });
    // owner 0: slot 1 only; owner 1: slot 0 only; then owner 0 again, slot 0 only
    mem.write(Int32Array.of(0, 1, 0), Float32Array.of(2, 4, -2, 6, 8, 8, 8, 8, 4, 0, 9, 9), Uint8Array.of(0, 1, 1, 0, 1, 0));
    expect(Array.from(mem.gather(Int32Array.of(0, 1)))).toEqual([2, 0, -1, 3, 4, 4, 0, 0]);
    expect(() => mem.write(Int32Array.of(0), new Float32Array(4), new Uint8Array(3))).toThrow('GatedKeyValueMemory.write: mask must be a Uint8Array of length owners.length * slots = 2, got Uint8Array(3)');
  });

  it('grows, resets and round-trips through bytes', () => {
    const mem = new GatedKeyValueMemory({ slots: A, dim: D, count: 2, init: { kind: 'normal', std: 0.3, seed: 9 } });
    mem.write(Int32Array.of(1), X.subarray(0, A * D));
    mem.grow(4);
    const again = new GatedKeyValueMemory({ slots: A, dim: D, count: 1 });
    again.stateFromBytes(mem.stateToBytes());
    const all = Int32Array.of(0, 1, 2, 3);
    expect(Array.from(again.gather(all))).toEqual(Array.from(mem.gather(all)));
    again.grow(5);
    expect(Array.from(again.gather(Int32Array.of(4)))).toEqual(Array.from(mem.gather(Int32Array.of(0))));
    mem.reset();
    expect(Array.from(mem.gather(Int32Array.of(1)))).toEqual(Array.from(mem.gather(Int32Array.of(0))));
    expect(() => new GatedKeyValueMemory({ slots: 3, dim: D, count: 1 }).stateFromBytes(again.stateToBytes())).toThrow(`GatedKeyValueMemory.stateFromBytes: slots must be 3 (this memory), got ${A}`);
  });

  it('errors name the function, the argument and the bad value', () => {
    const mem = new GatedKeyValueMemory({ slots: 2, dim: 3, count: 2 });
    expect(() => mem.write(Int32Array.of(2), new Float32Array(6))).toThrow('GatedKeyValueMemory.write: owners[0] must be an integer id in [0, 2), got 2');
    expect(() => mem.write(Int32Array.of(1), new Float32Array(5))).toThrow('GatedKeyValueMemory.write: x must be a Float32Array of length owners.length * slots * dim = 6, got Float32Array(5)');
    expect(() => mem.readHost(Int32Array.of(1), new Float32Array(3), new Float32Array(3))).toThrow('GatedKeyValueMemory.readHost: keys must be a Float32Array of length 6, got Float32Array(3)');
    expect(() => new GatedKeyValueMemory({ slots: 0, dim: 3, count: 2 })).toThrow('GatedKeyValueMemory: slots must be an integer >= 1, got 0');
  });

  it('keeps tf.memory().numTensors flat over a long stream of writes and reads', async () => {
    const mem = new GatedKeyValueMemory({ slots: A, dim: D, count: 7 });
    const kt = tf.tensor2d(keys, [A, D]);
    await expectNoLeak(() => {
      for (let t = 0; t < 500; t++) {
        const owners = Int32Array.of(t % 7, (t * 5) % 7);
        mem.write(owners, testFloats(2 * A * D, t + 1));
        const qt = tf.tensor2d(q.subarray(0, 2 * D), [2, D]);
        const r = mem.read(owners, qt, kt);
        tf.dispose([qt, r]);
      }
    });
    kt.dispose();
  });
});
