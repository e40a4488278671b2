import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, runOp, testFloats } from '@memrec/test-helpers';
import { bprLoss } from './bpr';

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

/**
 * Every check below runs the loss outside any scope (inputs made, loss called, result and inputs
 * disposed by `runOp`), so that `expectNoLeak` counts any intermediate the loss leaves behind.
 */
describeWithBackends('bprLoss', () => {
  // -log sigmoid(pos - neg) = log(1 + exp(neg - pos)), worked by hand:
  test.each([
    { pos: 2, neg: 0, expected: 0.126928011 }, // log(1 + e^-2)
    { pos: 0, neg: 0, expected: 0.693147181 }, // log 2
    { pos: 0, neg: 1, expected: 1.313261688 }, // log(1 + e^1)
    { pos: 1, neg: -2, expected: 0.048587352 }, // log(1 + e^-3)
    { pos: -1, neg: 2, expected: 3.048587352 }, // log(1 + e^3) = 3 + log(1 + e^-3)
  ])('single pair pos=$pos neg=$neg gives $expected', ({ pos, neg, expected }) =>
    expectNoLeak(() => {
      const [out] = runOp((p, q) => bprLoss(p, q), tf.tensor1d([pos]), tf.tensor1d([neg]));
      expect(out.values[0]).toBeCloseTo(expected, 6);
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
      const [out] = runOp((p, q) => bprLoss(p, q, { reduction }), tf.tensor1d(pos), tf.tensor2d(neg));
      expectClose(out.values, expected, 1e-6, 1e-6);
    }));

  it('defaults to mean and keeps the [batch] shape of a 1-D neg under none', () =>
    expectNoLeak(() => {
      expect(runOp((p, q) => bprLoss(p, q), tf.tensor1d(pos), tf.tensor2d(neg))[0].shape).toEqual([]);
      expect(runOp((p, q) => bprLoss(p, q, { reduction: 'none' }), tf.tensor1d(pos), tf.tensor1d([0, 0]))[0].shape).toEqual([2]);
      expect(runOp((p, q) => bprLoss(p, q, { reduction: 'none' }), tf.tensor1d(pos), tf.tensor2d(neg))[0].shape).toEqual([2, 2]);
      // a [batch] neg is the same as [batch, 1]
      const [flat] = runOp((p, q) => bprLoss(p, q), tf.tensor1d(pos), tf.tensor1d([0, 0]));
      const [column] = runOp((p, q) => bprLoss(p, q), tf.tensor1d(pos), tf.tensor2d([[0], [0]]));
      expectClose(flat.values, column.values, 0, 0);
    }));

  test.each([
    // weights [batch] = [2, 0.5]: terms [[2 * 0.126928, 2 * 0.313262], [0.5 * 0.693147, 0.5 * 0.313262]]
    { shape: [2], w: [2, 0.5], expected: [0.253856022, 0.626523375, 0.346573590, 0.156630844] },
    // weights [batch, n] = [[1, 0], [0, 3]]: [[0.126928, 0], [0, 3 * 0.313262]]
    { shape: [2, 2], w: [1, 0, 0, 3], expected: [0.126928011, 0, 0, 0.939785063] },
  ])('weights of shape $shape scale each term', ({ shape, w, expected }) =>
    expectNoLeak(() => {
      const [none] = runOp((p, q, weights) => bprLoss(p, q, { weights, reduction: 'none' }), tf.tensor1d(pos), tf.tensor2d(neg), tf.tensor(w, shape));
      expectClose(none.values, expected, 1e-6, 1e-6);
      // mean divides the weighted sum by batch x n = 4, not by the weight sum
      const [mean] = runOp((p, q, weights) => bprLoss(p, q, { weights }), tf.tensor1d(pos), tf.tensor2d(neg), tf.tensor(w, shape));
      expect(mean.values[0]).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / 4, 6);
    }));

  test.each([
    { batch: 4, n: 3, weighted: false },
    { batch: 5, n: 1, weighted: true },
  ])('gradient matches finite differences (batch $batch, n $n, weighted $weighted)', ({ batch, n, weighted }) =>
    expectNoLeak(() => {
      const x = testFloats(batch + batch * n, 11 + n, 3);
      const w = weighted ? Float32Array.from(testFloats(batch, 5, 1), (v) => v + 1.5) : undefined;
      const expected = finiteDiffGrad((p) => bprRef(p, batch, n, w), x, 1e-3);
      const [gp, gq] = runOp(
        (p, q, weights) => tf.grads((a: tf.Tensor, b: tf.Tensor) => bprLoss(a, b, { weights }))([p, q]),
        tf.tensor1d(x.subarray(0, batch)),
        n === 1 ? tf.tensor1d(x.subarray(batch)) : tf.tensor2d(x.subarray(batch), [batch, n]),
        w ? tf.tensor1d(w) : undefined,
      );
      expect(gq.shape).toEqual(n === 1 ? [batch] : [batch, n]);
      expectClose([...gp.values, ...gq.values], expected, 1e-5, 1e-3);
    }));

  it('gives finite values and gradients for scores of magnitude 100', () =>
    expectNoLeak(() => {
      const [loss] = runOp((p, q) => bprLoss(p, q, { reduction: 'none' }), tf.tensor1d([100, -100]), tf.tensor1d([-100, 100]));
      const [gp, gn] = runOp(
        (p, q) => tf.grads((x: tf.Tensor, y: tf.Tensor) => bprLoss(x, y, { reduction: 'sum' }))([p, q]),
        tf.tensor1d([100, -100]),
        tf.tensor1d([-100, 100]),
      );
      // softplus(-200) = 1.4e-87 (0 in float32), softplus(200) = 200
      expectClose(loss.values, [0, 200], 1e-6, 1e-6);
      // d/dpos = -sigmoid(neg - pos) = [-sigmoid(-200), -sigmoid(200)] = [0, -1]; d/dneg = -d/dpos
      expectClose(gp.values, [0, -1], 1e-6, 1e-6);
      expectClose(gn.values, [0, 1], 1e-6, 1e-6);
      for (const v of [...loss.values, ...gp.values, ...gn.values]) expect(Number.isFinite(v)).toBe(true);
    }));

  it('propagates NaN and takes the limit for infinite scores', () =>
    expectNoLeak(() => {
      const [{ values: v }] = runOp(
        (p, q) => bprLoss(p, q, { reduction: 'none' }),
        tf.tensor1d([NaN, Infinity, -Infinity, 0]),
        tf.tensor1d([0, 0, 0, NaN]),
      );
      expect(Number.isNaN(v[0])).toBe(true); // a NaN score is never hidden
      expect(v[1]).toBe(0); // softplus(-inf) = 0
      expect(v[2]).toBe(Infinity); // softplus(+inf) = inf
      expect(Number.isNaN(v[3])).toBe(true);
      const [mean] = runOp((p, q) => bprLoss(p, q), tf.tensor1d([NaN, 1]), tf.tensor1d([0, 0]));
      expect(Number.isNaN(mean.values[0])).toBe(true);
    }));
});
