import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding } from '@memrec/core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, testFloats } from '@memrec/test-helpers';
import { FifoItemMemory } from './fifo-memory';
import { fifoRead, fifoReadHost } from './fifo-ops';

// ---- per-example reference, float64: one row, its real slots only ----
function refRead(q: ArrayLike<number>, slots: number[][], temp: number): number[] {
  const D = q.length;
  if (slots.length === 0) return new Array(D).fill(0);
  const logits = slots.map((m) => m.reduce((acc, x, d) => acc + x * q[d], 0) / temp);
  const mx = Math.max(...logits);
  const ex = logits.map((l) => Math.exp(l - mx));
  const z = ex.reduce((a, b) => a + b, 0);
  return Array.from({ length: D }, (_, d) => slots.reduce((acc, m, k) => acc + (ex[k] / z) * m[d], 0));
}

const b = 4;
const K = 3;
const D = 5;
// row 0: 3 real slots, row 1: 1, row 2: none, row 3: 2
const lengths = [3, 1, 0, 2];
const mask = Float32Array.from({ length: b * K }, (_, k) => (k % K < lengths[Math.floor(k / K)] ? 1 : 0));
const q = testFloats(b * D, 1);
const S = testFloats(b * K * D, 2, 1.5);
const C = testFloats(b * D, 3); // f = sum(read * C)
const rowsOf = (s: ArrayLike<number>, t: number) => Array.from({ length: lengths[t] }, (_, k) => Array.from({ length: D }, (_, d) => s[(t * K + k) * D + d]));
const refAll = (qq: ArrayLike<number>, ss: ArrayLike<number>, temp: number) =>
  Array.from({ length: b }, (_, t) => refRead(Array.from({ length: D }, (_, d) => qq[t * D + d]), rowsOf(ss, t), temp)).flat();

describeWithBackends('fifoRead', () => {
  for (const temp of [1, 0.5]) {
    it(`equals the per-row reference over the real slots only (temperature ${temp}; an empty row reads zeros)`, async () => {
      await expectNoLeak(() => {
        const qt = tf.tensor2d(q, [b, D]);
        const st = tf.tensor3d(S, [b, K, D]);
        const mt = tf.tensor2d(mask, [b, K]);
        const r = fifoRead(qt, st, mt, temp);
        expect(r.shape).toEqual([b, D]);
        expectClose(r.dataSync(), refAll(q, S, temp), 1e-5, 1e-5);
        expect(Array.from(r.dataSync().subarray(2 * D, 3 * D))).toEqual([0, 0, 0, 0, 0]);
        tf.dispose([qt, st, mt, r]);
      });
    });
  }

  it('gradients with respect to query and slots equal finite differences; padded slots get exactly zero', async () => {
    const temp = 0.7;
    const f = (qq: ArrayLike<number>, ss: ArrayLike<number>) => refAll(qq, ss, temp).reduce((acc, x, k) => acc + x * C[k], 0);
    const fdQ = finiteDiffGrad((x) => f(x, S), q, 1e-4);
    const fdS = finiteDiffGrad((x) => f(q, x), S, 1e-4);
    await expectNoLeak(() => {
      const qt = tf.tensor2d(q, [b, D]);
      const st = tf.tensor3d(S, [b, K, D]);
      const mt = tf.tensor2d(mask, [b, K]);
      const ct = tf.tensor2d(C, [b, D]);
      const [gq, gs] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(fifoRead(x as tf.Tensor2D, y as tf.Tensor3D, mt, temp), ct)))([qt, st]);
      expectClose(gq.dataSync(), fdQ, 1e-3, 1e-3);
      expectClose(gs.dataSync(), fdS, 1e-3, 1e-3);
      const g = gs.dataSync();
      for (let k = 0; k < b * K; k++) if (mask[k] === 0) for (let d = 0; d < D; d++) expect(g[k * D + d]).toBe(0);
      tf.dispose([qt, st, mt, ct, gq, gs]);
    });
  });
});

describe('fifoReadHost', () => {
  it('equals the reference for many queries over one window, and zeros for an empty one', () => {
    const nq = 6;
    const queries = testFloats(nq * D, 7);
    const slots = S.subarray(0, K * D);
    const out = fifoReadHost(queries, nq, slots, 2, K, D, 0.8, new Float32Array(nq * D));
    const want = Array.from({ length: nq }, (_, j) => refRead(queries.subarray(j * D, (j + 1) * D), rowsOf(S, 0).slice(0, 2), 0.8)).flat();
    expectClose(out, want, 1e-6, 1e-5);
    expect(Array.from(fifoReadHost(queries, nq, slots, 0, K, D, 1, new Float32Array(nq * D).fill(9)))).toEqual(new Array(nq * D).fill(0));
  });
});

describe('FifoItemMemory', () => {
  const make = (capacity = 3) => {
    const items = new SparseEmbedding({ rows: 10, dim: D, init: { kind: 'normal', std: 0.5 }, optimizer: { kind: 'sgd', learningRate: 1 }, seed: 4 });
    return { items, fifo: new FifoItemMemory({ items, capacity, count: 4, temperature: 0.9 }) };
  };

  it('keeps the last K items of each owner, newest first, in event order', () => {
    const { fifo } = make();
    fifo.push(Int32Array.of(0, 2, 0, 0, 0, 2), Int32Array.of(1, 5, 2, 3, 4, 6));
    const w = fifo.window(Int32Array.of(0, 1, 2));
    // owner 0 pushed 1, 2, 3, 4: 1 dropped; owner 1 nothing; owner 2 pushed 5, 6
    expect(Array.from(w.ids)).toEqual([4, 3, 2, 0, 0, 0, 6, 5, 0]);
    expect(Array.from(w.mask)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 0]);
    expect(Array.from(w.lengths)).toEqual([3, 0, 2]);
    expect(fifo.length(0)).toBe(3);
    fifo.push(Int32Array.of(0, 0, 0, 0), Int32Array.of(7, 8, 9, 1));
    expect(Array.from(fifo.window(Int32Array.of(0)).ids)).toEqual([1, 9, 8]);
  });

  it('read equals the reference on the table rows; readHost equals read for one owner and many targets', async () => {
    const { items, fifo } = make();
    fifo.push(Int32Array.of(1, 1, 3), Int32Array.of(2, 8, 5));
    const owners = Int32Array.of(1, 3, 0);
    const targets = Int32Array.of(4, 4, 9);
    const slotRows = (o: number) => Array.from(fifo.window(Int32Array.of(o)).ids.subarray(0, fifo.length(o)), (i) => Array.from(items.row(i)));
    const want = Array.from(owners, (o, t) => refRead(items.row(targets[t]), slotRows(o), 0.9)).flat();
    await expectNoLeak(() => {
      const qt = items.lookup(targets);
      const r = fifo.read(owners, qt);
      expectClose(r.dataSync(), want, 1e-5, 1e-5);
      tf.dispose([qt, r]);
    });
    const all = fifo.readHost(1, items.data.subarray(0, 10 * D));
    const ref = Array.from({ length: 10 }, (_, i) => refRead(items.row(i), slotRows(1), 0.9)).flat();
    expectClose(all, ref, 1e-5, 1e-5);
  });

  it('compactGradient keeps the real slots with their item ids, so padding never moves row 0', () => {
    const { fifo } = make();
    fifo.push(Int32Array.of(2, 2), Int32Array.of(6, 7));
    const win = fifo.window(Int32Array.of(2, 0));
    const grad = Float32Array.from({ length: 2 * K * D }, (_, k) => k);
    const c = FifoItemMemory.compactGradient(win, grad, D);
    expect(Array.from(c.ids)).toEqual([7, 6]);
    expect(Array.from(c.grad)).toEqual(Array.from(grad.subarray(0, 2 * D)));
    expect(() => FifoItemMemory.compactGradient(win, new Float32Array(3), D)).toThrow(`FifoItemMemory.compactGradient: grad must have length ${2 * K * D} (window slots x ${D}), got 3`);
  });

  it('grows, resets and round-trips its state through bytes', () => {
    const { items, fifo } = make();
    fifo.push(Int32Array.of(0, 3, 3, 3, 3), Int32Array.of(1, 2, 3, 4, 5));
    fifo.grow(6);
    fifo.push(Int32Array.of(5), Int32Array.of(9));
    const again = new FifoItemMemory({ items, capacity: 3, count: 0 });
    again.stateFromBytes(fifo.stateToBytes());
    const all = Int32Array.of(0, 1, 2, 3, 4, 5);
    expect(again.window(all)).toEqual(fifo.window(all));
    again.push(Int32Array.of(3), Int32Array.of(6));
    fifo.push(Int32Array.of(3), Int32Array.of(6));
    expect(again.window(all)).toEqual(fifo.window(all));
    expect(() => new FifoItemMemory({ items, capacity: 4, count: 1 }).stateFromBytes(fifo.stateToBytes())).toThrow('FifoItemMemory.stateFromBytes: capacity must be 4 (this memory), got 3');
    fifo.reset();
    expect(Array.from(fifo.window(all).lengths)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('errors name the function, the argument and the bad value', () => {
    const { items, fifo } = make();
    expect(() => fifo.push(Int32Array.of(4), Int32Array.of(1))).toThrow('FifoItemMemory.push: owners[0] must be an integer id in [0, 4), got 4');
    expect(() => fifo.push(Int32Array.of(0), Int32Array.of(10))).toThrow('FifoItemMemory.push: items[0] must be an integer id in [0, 10), got 10');
    expect(() => fifo.push(Int32Array.of(0, 1), Int32Array.of(1))).toThrow('FifoItemMemory.push: items must have length owners.length (2), got 1');
    expect(() => new FifoItemMemory({ items, capacity: 0, count: 1 })).toThrow('FifoItemMemory: capacity must be an integer >= 1, got 0');
    expect(() => new FifoItemMemory({ items, capacity: 2, count: 1, temperature: 0 })).toThrow('FifoItemMemory: temperature must be > 0, got 0');
    const qt = tf.zeros([2, D]) as tf.Tensor2D;
    expect(() => fifo.read(Int32Array.of(0), qt)).toThrow(`FifoItemMemory.read: query must have shape [1, ${D}], got [2, ${D}]`);
    qt.dispose();
  });

  it('keeps tf.memory().numTensors flat over a long stream of pushes, reads and training steps', async () => {
    const { items, fifo } = make(4);
    await expectNoLeak(() => {
      for (let t = 0; t < 300; t++) {
        const owners = Int32Array.of(t % 4, (t * 3) % 4);
        const targets = Int32Array.of(t % 10, (t * 7) % 10);
        const win = fifo.window(owners);
        const qt = items.lookup(targets);
        const st = tf.tensor3d(items.gather(win.ids), [2, 4, D]);
        const mt = tf.tensor2d(win.mask, [2, 4]);
        const [gs] = tf.grads((s: tf.Tensor) => tf.sum(fifoRead(qt, s as tf.Tensor3D, mt)))([st]);
        const c = FifoItemMemory.compactGradient(win, gs.dataSync() as Float32Array, D);
        if (c.ids.length > 0) items.applyGradients(c.ids, c.grad);
        tf.dispose([qt, st, mt, gs]);
        fifo.push(owners, targets);
      }
    });
  });
});
