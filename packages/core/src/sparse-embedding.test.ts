import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad } from '@memrec/test-helpers';
import { encodeState, SparseEmbedding } from './index'; // the package entry registers gradients
import type { SparseOptimizerConfig } from './sparse-optimizer';

/** A 3 x 2 table with known values. */
function table(optimizer: SparseOptimizerConfig): SparseEmbedding {
  const t = new SparseEmbedding({ rows: 3, dim: 2, optimizer, init: { kind: 'zeros' } });
  t.data.set([1, 2, 3, 4, 5, 6]);
  return t;
}
const ids = Int32Array.from([2, 0, 2]);
const grad = Float32Array.from([0.5, -1, 2, 0, 1.5, 1]);
// Scattered (coalesced) gradient: row 0 <- [2, 0]; row 2 <- [0.5 + 1.5, -1 + 1] = [2, 0]; row 1 untouched.

describeWithBackends('SparseEmbedding optimizers equal a dense reference on the touched rows', () => {
  it('sgd with l2, by hand', () => {
    const t = table({ kind: 'sgd', learningRate: 0.1, l2: 0.01 });
    t.applyGradients(ids, grad);
    // row 0: w - 0.1 * (g + 0.01 w) = [1 - 0.1*(2 + 0.01), 2 - 0.1*(0 + 0.02)] = [0.799, 1.998]
    // row 2: [5 - 0.1*(2 + 0.05), 6 - 0.1*(0 + 0.06)] = [4.795, 5.994]
    expectClose(t.data.subarray(0, 6), [0.799, 1.998, 3, 4, 4.795, 5.994], 1e-6, 0);
  });

  it('adagrad, by hand', () => {
    const t = table({ kind: 'adagrad', learningRate: 0.5, initialAccumulator: 0.1, epsilon: 0 });
    t.applyGradients(ids, grad);
    // row 0, col 0: a = 0.1 + 4 = 4.1; w = 1 - 0.5 * 2 / sqrt(4.1); col 1: g = 0 -> unchanged
    // row 2, col 0: a = 4.1; w = 5 - 0.5 * 2 / sqrt(4.1)
    const d = 1 / Math.sqrt(4.1);
    expectClose(t.data.subarray(0, 6), [1 - d, 2, 3, 4, 5 - d, 6], 1e-6, 0);
    expectClose(t.slots[0].subarray(0, 6), [4.1, 0.1, 0.1, 0.1, 4.1, 0.1], 1e-6, 0);
  });

  it('lazy adam over two steps matches the textbook formula; untouched rows keep their moments', () => {
    const lr = 0.01;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const t = table({ kind: 'adam', learningRate: lr, beta1: b1, beta2: b2, epsilon: eps });
    const w = [1, 2, 3, 4, 5, 6];
    const m = new Array(6).fill(0);
    const v = new Array(6).fill(0);
    // Reference: dense Adam restricted to the distinct rows of each step, on the coalesced gradient.
    const steps: [number[], number[]][] = [
      [[0, 2], [2, 0, 0, 0, 2, 0]], // step 1: ids [2, 0, 2] coalesced (dense layout)
      [[1], [0, 0, 1, -3, 0, 0]],
    ];
    t.applyGradients(ids, grad);
    t.applyGradients(Int32Array.from([1]), Float32Array.from([1, -3]));
    steps.forEach(([rows, g], s) => {
      const step = s + 1;
      for (const r of rows) {
        for (let k = 0; k < 2; k++) {
          const i = r * 2 + k;
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          const mh = m[i] / (1 - b1 ** step);
          const vh = v[i] / (1 - b2 ** step);
          w[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
        }
      }
    });
    expectClose(t.data.subarray(0, 6), w, 1e-6, 0);
    expect(t.step).toBe(2);
    // row 0 was not in step 2: its moments are those of step 1
    expectClose(t.slots[0].subarray(0, 2), [0.2, 0], 1e-7, 0);
  });

  it('a repeated id gets the sum of its gradients, exactly like one coalesced update', () => {
    const a = table({ kind: 'adam', learningRate: 0.01 });
    const b = table({ kind: 'adam', learningRate: 0.01 });
    a.applyGradients(ids, grad);
    b.applyGradients(Int32Array.from([0, 2]), Float32Array.from([2, 0, 2, 0]));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
});

describeWithBackends('SparseEmbedding gradients', () => {
  it('lookup + tf.grads + sgd(lr=1) moves each row by minus the finite-difference gradient of a BPR loss', async () => {
    const U = new SparseEmbedding({ rows: 4, dim: 3, optimizer: { kind: 'sgd', learningRate: 1 }, seed: 3, init: { kind: 'normal', std: 0.5 } });
    const V = new SparseEmbedding({ rows: 5, dim: 3, optimizer: { kind: 'sgd', learningRate: 1 }, seed: 4, init: { kind: 'normal', std: 0.5 } });
    const uu = Int32Array.from([0, 3, 0]);
    const ii = Int32Array.from([1, 2, 4]);
    const jj = Int32Array.from([4, 0, 2]);
    // plain loss over the whole item table: mean_b softplus(-(u_b . (v_i - v_j)))
    const loss = (vt: Float64Array) => {
      let s = 0;
      for (let b = 0; b < 3; b++) {
        let x = 0;
        for (let k = 0; k < 3; k++) x += U.data[uu[b] * 3 + k] * (vt[ii[b] * 3 + k] - vt[jj[b] * 3 + k]);
        s += Math.log1p(Math.exp(-x));
      }
      return s / 3;
    };
    const before = Float64Array.from(V.data.subarray(0, 15));
    const expected = finiteDiffGrad(loss, before, 1e-4);
    await expectNoLeak(() => {
      const u = U.lookup(uu);
      const i = V.lookup(ii);
      const j = V.lookup(jj);
      const [gi, gj] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.softplus(tf.neg(tf.sum(tf.mul(u, tf.sub(a, b)), 1)))))([i, j]);
      // both lookups index the same table: concatenate ids and gradients into one update
      const all = Int32Array.from([...ii, ...jj]);
      const g = tf.concat([gi, gj]);
      V.applyGradients(all, g);
      tf.dispose([u, i, j, gi, gj, g]);
    });
    const moved = Array.from(V.data.subarray(0, 15), (w, k) => before[k] - w);
    expectClose(moved, expected, 2e-4, 1e-3);
  });
});

describeWithBackends('SparseEmbedding lifecycle', () => {
  it('initialises from a seed reproducibly', () => {
    const a = new SparseEmbedding({ rows: 10, dim: 4, seed: 7 });
    const b = new SparseEmbedding({ rows: 10, dim: 4, seed: 7 });
    const c = new SparseEmbedding({ rows: 10, dim: 4, seed: 8 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    const std = Math.sqrt(a.data.reduce((s, x) => s + x * x, 0) / a.data.length);
    expect(std).toBeGreaterThan(0.05);
    expect(std).toBeLessThan(0.2);
  });

  it('grows for new users without touching old rows or their optimizer state', () => {
    const t = new SparseEmbedding({ rows: 2, dim: 2, optimizer: { kind: 'adam', learningRate: 0.1 }, seed: 1 });
    t.applyGradients(Int32Array.from([1]), Float32Array.from([1, 1]));
    const old = Array.from(t.data.subarray(0, 4));
    const oldM = Array.from(t.slots[0].subarray(0, 4));
    t.grow(50);
    expect(t.rows).toBe(50);
    expect(Array.from(t.data.subarray(0, 4))).toEqual(old);
    expect(Array.from(t.slots[0].subarray(0, 4))).toEqual(oldM);
    expect(Array.from(t.slots[0].subarray(4, 100)).every((x) => x === 0)).toBe(true);
    expect(Array.from(t.row(49)).some((x) => x !== 0)).toBe(true);
    t.applyGradients(Int32Array.from([49]), Float32Array.from([1, -1]));
    expect(() => t.lookup(Int32Array.from([50]))).toThrow('SparseEmbedding.gather: ids[0] must be an integer id in [0, 50), got 50');
  });

  it('round-trips through bytes and keeps training identically', () => {
    const a = new SparseEmbedding({ rows: 6, dim: 3, optimizer: { kind: 'adam', learningRate: 0.05, l2: 0.01 }, seed: 2 });
    const g = Float32Array.from({ length: 6 }, (_, k) => k - 2.5);
    a.applyGradients(Int32Array.from([1, 4]), g);
    const b = SparseEmbedding.fromBytes(a.toBytes());
    expect(b.rows).toBe(6);
    expect(b.step).toBe(1);
    a.applyGradients(Int32Array.from([4, 5]), g);
    b.applyGradients(Int32Array.from([4, 5]), g);
    expect(Array.from(b.data.subarray(0, 18))).toEqual(Array.from(a.data.subarray(0, 18)));
    expect(b.optimizer).toEqual(a.optimizer);
  });

  it('rejects corrupt or truncated bytes with a clear error', () => {
    const bytes = new SparseEmbedding({ rows: 3, dim: 2, seed: 1 }).toBytes();
    const flipped = bytes.slice();
    flipped[flipped.length - 1] ^= 0xff;
    expect(() => SparseEmbedding.fromBytes(flipped)).toThrow(/^SparseEmbedding\.fromBytes: bytes must match their checksum 0x[0-9a-f]{8}, got 0x[0-9a-f]{8} \(corrupt data\)$/);
    expect(() => SparseEmbedding.fromBytes(bytes.slice(0, 10))).toThrow('SparseEmbedding.fromBytes: bytes must be at least 20 bytes long (the state prefix), got 10');
    expect(() => SparseEmbedding.fromBytes(bytes.slice(0, 40))).toThrow(`SparseEmbedding.fromBytes: bytes is truncated at byte 40 of ${bytes.length}`);
    const wrong = bytes.slice();
    wrong[0] = 0;
    expect(() => SparseEmbedding.fromBytes(wrong)).toThrow('SparseEmbedding.fromBytes: bytes must start with "MRST", got bytes 00 52 53 54 (not a memrec state)');
    const other = encodeState({ kind: 'kv-memory', header: {}, blocks: {} });
    expect(() => SparseEmbedding.fromBytes(other)).toThrow('SparseEmbedding.fromBytes: bytes must hold a "sparse-embedding" state, got "kv-memory"');
    const short = encodeState({ kind: 'sparse-embedding', header: { rows: 3, dim: 2, step: 0, init: { kind: 'zeros' }, optimizer: { kind: 'sgd', learningRate: 0.1 } }, blocks: { table: new Float32Array(5) } });
    expect(() => SparseEmbedding.fromBytes(short)).toThrow('SparseEmbedding.fromBytes: bytes must hold block "table" as 6 float32 (3 x 2), got Float32Array(5)');
  });

  it('validates arguments and leaves the table unchanged on bad gradients', () => {
    expect(() => new SparseEmbedding({ rows: -1, dim: 2 })).toThrow('SparseEmbedding: rows must be an integer >= 0, got -1');
    expect(() => new SparseEmbedding({ rows: 1, dim: 2, optimizer: { kind: 'rmsprop' } as never })).toThrow(
      'SparseEmbedding: optimizer.kind must be one of sgd, adagrad, adam, got "rmsprop"',
    );
    expect(() => new SparseEmbedding({ rows: 1, dim: 2, optimizer: { kind: 'sgd', learningRate: NaN } })).toThrow(
      'SparseEmbedding: optimizer.learningRate must be a finite number >= 0, got NaN',
    );
    const t = table({ kind: 'sgd', learningRate: 0.1 });
    const before = Array.from(t.data);
    expect(() => t.applyGradients(ids, Float32Array.from([0, 0, NaN, 0, 0, 0]))).toThrow(
      'SparseEmbedding.applyGradients: grad must be finite, got NaN at row 1 (id 0)',
    );
    expect(() => t.applyGradients(ids, tf.zeros([3, 3]))).toThrow('SparseEmbedding.applyGradients: grad must have shape [3, 2], got [3, 3]');
    expect(() => t.applyGradients(Int32Array.from([7]), Float32Array.from([0, 0]))).toThrow(/ids\[0\] must be an integer id in \[0, 3\), got 7/);
    expect(Array.from(t.data)).toEqual(before);
  });

  it('keeps tf.memory().numTensors flat over many training steps', async () => {
    const U = new SparseEmbedding({ rows: 50, dim: 8, seed: 1 });
    const step = () => {
      const ids2 = Int32Array.from({ length: 16 }, (_, k) => (k * 7) % 50);
      const x = U.lookup(ids2);
      const [g] = tf.grads((e: tf.Tensor) => tf.sum(tf.square(e)))([x]);
      U.applyGradients(ids2, g);
      tf.dispose([x, g]);
    };
    step();
    await expectNoLeak(() => {
      for (let s = 0; s < 300; s++) step();
    });
  });
});
