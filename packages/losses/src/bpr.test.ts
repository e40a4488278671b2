import * as tf from '@tensorflow/tfjs-core';
import { expectClose, expectNoLeak, finiteDiffGrad, testFloats, useCpuBackend } from '@memrec/test-helpers';
import { bprLoss } from './bpr';

useCpuBackend();

/** Plain-JS reference, float64: softplus(x) = log(1 + e^x) in its overflow-free form. */
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** Reference BPR: mean over b, j of w[b] * softplus(neg[b, j] - pos[b]); x = [pos (B), neg (B x n)]. */
function bprRef(x: ArrayLike<number>, batch: number, n: number, w?: ArrayLike<number>): number {
  let s = 0;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) s += (w ? w[b] : 1) * softplus(x[batch + b * n + j] - x[b]);
  }
  return s / (batch * n);
}

/** Runs `f` in a tidy scope and returns its values as a plain array. */
const values = (f: () => tf.Tensor): number[] => tf.tidy(() => Array.from(f().dataSync()));

describe('bprLoss', () => {
  // -log sigmoid(pos - neg) = log(1 + exp(neg - pos)), worked by hand:
  test.each([
    { pos: 2, neg: 0, expected: 0.126928011 }, // log(1 + e^-2)
    { pos: 0, neg: 0, expected: 0.693147181 }, // log 2
    { pos: 0, neg: 1, expected: 1.313261688 }, // log(1 + e^1)
    { pos: 1, neg: -2, expected: 0.048587352 }, // log(1 + e^-3)
    { pos: -1, neg: 2, expected: 3.048587352 }, // log(1 + e^3) = 3 + log(1 + e^-3)
  ])('single pair pos=$pos neg=$neg gives $expected', ({ pos, neg, expected }) =>
    expectNoLeak(() => {
      const [v] = values(() => bprLoss(tf.tensor1d([pos]), tf.tensor1d([neg])));
      expect(v).toBeCloseTo(expected, 6);
    }));

  // pos = [2, 0], neg = [[0, 1], [0, -1]]: terms softplus([[-2, -1], [0, -1]])
  // = [[0.126928, 0.313262], [0.693147, 0.313262]]; sum = 1.446599, mean = sum / 4 = 0.361650.
  const pos = [2, 0];
  const neg = [[0, 1], [0, -1]];
  test.each([
    { reduction: 'none' as const, expected: [0.126928011, 0.313261688, 0.693147181, 0.313261688] },
    { reduction: 'sum' as const, expected: [1.446598567] },
    { reduction: 'mean' as const, expected: [0.361649642] },
  ])('reduction $reduction', ({ reduction, expected }) =>
    expectNoLeak(() => {
      const v = values(() => bprLoss(tf.tensor1d(pos), tf.tensor2d(neg), { reduction }));
      expectClose(v, expected, 1e-6, 1e-6);
    }));

  it('defaults to mean and keeps the [batch] shape of a 1-D neg under none', () =>
    expectNoLeak(() => {
      tf.tidy(() => {
        const p = tf.tensor1d(pos);
        const n1 = tf.tensor1d([0, 0]);
        expect(bprLoss(p, tf.tensor2d(neg)).shape).toEqual([]);
        expect(bprLoss(p, n1, { reduction: 'none' }).shape).toEqual([2]);
        expect(bprLoss(p, tf.tensor2d(neg), { reduction: 'none' }).shape).toEqual([2, 2]);
        // a [batch] neg is the same as [batch, 1]
        expectClose(bprLoss(p, n1).dataSync(), bprLoss(p, tf.reshape(n1, [2, 1])).dataSync(), 0, 0);
      });
    }));

  test.each([
    // weights [batch] = [2, 0.5]: terms [[2 * 0.126928, 2 * 0.313262], [0.5 * 0.693147, 0.5 * 0.313262]]
    { shape: [2], w: [2, 0.5], expected: [0.253856022, 0.626523375, 0.346573590, 0.156630844] },
    // weights [batch, n] = [[1, 0], [0, 3]]: [[0.126928, 0], [0, 3 * 0.313262]]
    { shape: [2, 2], w: [1, 0, 0, 3], expected: [0.126928011, 0, 0, 0.939785063] },
  ])('weights of shape $shape scale each term', ({ shape, w, expected }) =>
    expectNoLeak(() => {
      const weights = () => tf.tensor(w, shape);
      const none = values(() => bprLoss(tf.tensor1d(pos), tf.tensor2d(neg), { weights: weights(), reduction: 'none' }));
      expectClose(none, expected, 1e-6, 1e-6);
      // mean divides the weighted sum by batch x n = 4, not by the weight sum
      const [mean] = values(() => bprLoss(tf.tensor1d(pos), tf.tensor2d(neg), { weights: weights() }));
      expect(mean).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / 4, 6);
    }));

  test.each([
    { batch: 4, n: 3, weighted: false },
    { batch: 5, n: 1, weighted: true },
  ])('gradient matches finite differences (batch $batch, n $n, weighted $weighted)', ({ batch, n, weighted }) =>
    expectNoLeak(() => {
      const x = testFloats(batch + batch * n, 11 + n, 3);
      const w = weighted ? Float32Array.from(testFloats(batch, 5, 1), (v) => v + 1.5) : undefined;
      const expected = finiteDiffGrad((p) => bprRef(p, batch, n, w), x, 1e-3);
      const got = tf.tidy(() => {
        const p = tf.tensor1d(x.subarray(0, batch));
        const q = n === 1 ? tf.tensor1d(x.subarray(batch)) : tf.tensor2d(x.subarray(batch), [batch, n]);
        const weights = w ? tf.tensor1d(w) : undefined;
        const [gp, gq] = tf.grads((a: tf.Tensor, b: tf.Tensor) => bprLoss(a, b, { weights }))([p, q]);
        expect(gq.shape).toEqual(q.shape);
        return [...gp.dataSync(), ...gq.dataSync()];
      });
      expectClose(got, expected, 1e-5, 1e-3);
    }));

  it('gives finite values and gradients for scores of magnitude 100', () =>
    expectNoLeak(() => {
      const [loss, gp, gn] = tf.tidy(() => {
        const p = tf.tensor1d([100, -100]);
        const q = tf.tensor1d([-100, 100]);
        const l = bprLoss(p, q, { reduction: 'none' });
        const [a, b] = tf.grads((x: tf.Tensor, y: tf.Tensor) => bprLoss(x, y, { reduction: 'sum' }))([p, q]);
        return [Array.from(l.dataSync()), Array.from(a.dataSync()), Array.from(b.dataSync())];
      });
      // softplus(-200) = 1.4e-87 (0 in float32), softplus(200) = 200
      expectClose(loss, [0, 200], 1e-6, 1e-6);
      // d/dpos = -sigmoid(neg - pos) = [-sigmoid(-200), -sigmoid(200)] = [0, -1]; d/dneg = -d/dpos
      expectClose(gp, [0, -1], 1e-6, 1e-6);
      expectClose(gn, [0, 1], 1e-6, 1e-6);
      for (const v of [...loss, ...gp, ...gn]) expect(Number.isFinite(v)).toBe(true);
    }));

  it('propagates NaN and takes the limit for infinite scores', () =>
    expectNoLeak(() => {
      const v = values(() =>
        bprLoss(tf.tensor1d([NaN, Infinity, -Infinity, 0]), tf.tensor1d([0, 0, 0, NaN]), { reduction: 'none' }),
      );
      expect(Number.isNaN(v[0])).toBe(true); // a NaN score is never hidden
      expect(v[1]).toBe(0); // softplus(-inf) = 0
      expect(v[2]).toBe(Infinity); // softplus(+inf) = inf
      expect(Number.isNaN(v[3])).toBe(true);
      const [mean] = values(() => bprLoss(tf.tensor1d([NaN, 1]), tf.tensor1d([0, 0])));
      expect(Number.isNaN(mean)).toBe(true);
    }));
});
