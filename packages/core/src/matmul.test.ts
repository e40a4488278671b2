import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, runOp, testFloats } from '@memrec/test-helpers';
import './gradients';
import { matMul2d } from './matmul';

/** Plain reference: op(A) op(B) with op = transpose when flagged, in float64. */
function reference(a: Float32Array, ra: number, ca: number, b: Float32Array, rb: number, cb: number, ta: boolean, tb: boolean): number[] {
  const A = (i: number, k: number) => (ta ? a[k * ca + i] : a[i * ca + k]);
  const B = (k: number, j: number) => (tb ? b[j * cb + k] : b[k * cb + j]);
  const m = ta ? ca : ra;
  const K = ta ? ra : ca;
  const n = tb ? rb : cb;
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A(i, k) * B(k, j);
      out.push(s);
    }
  }
  return out;
}

const combos: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

/** Shapes of a and b so that op(a) is [3, 4] and op(b) is [4, 5]. */
const shapes = (ta: boolean, tb: boolean): [[number, number], [number, number]] => [ta ? [4, 3] : [3, 4], tb ? [5, 4] : [4, 5]];

describeWithBackends('matMul2d', () => {
  it.each(combos)('matches the plain reference with either strategy (transposeA %s, transposeB %s)', (ta, tb) => {
    const [sa, sb] = shapes(ta, tb);
    const av = testFloats(12, 1);
    const bv = testFloats(20, 2);
    const want = reference(av, sa[0], sa[1], bv, sb[0], sb[1], ta, tb);
    for (const explicit of [true, false]) {
      const got = tf.tidy(() => matMul2d(tf.tensor2d(av, sa), tf.tensor2d(bv, sb), ta, tb, explicit).dataSync());
      expectClose(got, want, 1e-5);
    }
  });

  it('rejects operands that are not rank 2, naming the shapes', () => {
    tf.tidy(() => {
      expect(() => matMul2d(tf.zeros([2, 3, 4]) as unknown as tf.Tensor2D, tf.zeros([4, 2]) as tf.Tensor2D)).toThrow('matMul2d: a and b must be rank-2 tensors, got shapes [2, 3, 4] and [4, 2]');
    });
  });

  it('leaks no tensors', async () => {
    const a = tf.tensor2d(testFloats(12, 3), [4, 3]);
    const b = tf.tensor2d(testFloats(20, 4), [5, 4]);
    await expectNoLeak(() => tf.dispose(matMul2d(a, b, true, true, true)));
    tf.dispose([a, b]);
  });
});

describeWithBackends('BatchMatMul gradient (registered by @memrec/core)', () => {
  it.each(combos)('matches finite differences for rank 2, leaving no tensors (transposeA %s, transposeB %s)', async (ta, tb) => {
    const [sa, sb] = shapes(ta, tb);
    const av = testFloats(12, 5);
    const bv = testFloats(20, 6);
    const w = testFloats(15, 7); // loss = sum(w * op(a) op(b))
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, ta, tb), tf.tensor2d(w, [3, 5])));
    // called outside any scope, so that a tensor the gradient leaves behind is counted
    const [ga, gb] = await expectNoLeak(() => runOp((a, b) => tf.grads(loss)([a, b]), tf.tensor2d(av, sa), tf.tensor2d(bv, sb)).map((g) => g.values));
    const plain = (x: Float64Array, y: Float64Array) =>
      reference(Float32Array.from(x), sa[0], sa[1], Float32Array.from(y), sb[0], sb[1], ta, tb).reduce((s, v, k) => s + v * w[k], 0);
    expectClose(ga, finiteDiffGrad((x) => plain(x, Float64Array.from(bv)), av), 2e-3, 2e-3);
    expectClose(gb, finiteDiffGrad((y) => plain(Float64Array.from(av), y), bv), 2e-3, 2e-3);
  });

  it('keeps batched (rank 3) products correct, leaving no tensors', async () => {
    const av = testFloats(2 * 3 * 4, 8);
    const bv = testFloats(2 * 5 * 4, 9);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b, false, true)));
    const [ga] = await expectNoLeak(() => runOp((a, b) => tf.grads(loss)([a, b]), tf.tensor3d(av, [2, 3, 4]), tf.tensor3d(bv, [2, 5, 4])).map((g) => g.values));
    const plain = (x: Float64Array) => {
      let s = 0;
      for (let n = 0; n < 2; n++) {
        const r = reference(Float32Array.from(x.subarray(n * 12, n * 12 + 12)), 3, 4, bv.subarray(n * 20, n * 20 + 20), 5, 4, false, true);
        for (const v of r) s += v * v;
      }
      return s;
    };
    expectClose(ga, finiteDiffGrad(plain, av), 5e-3, 5e-3);
  });
});
