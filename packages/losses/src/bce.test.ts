import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, runOp, testFloats } from '@memrec/test-helpers';
import { bceLoss } from './bce';

/** Reference BCE, float64, written the textbook way: -[y log p + (1 - y) log(1 - p)], p = sigmoid(x). */
function bceTerm(x: number, y: 0 | 1): number {
  const p = 1 / (1 + Math.exp(-x));
  return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
}

/** Mean over all batch x (1 + n) instances; x = [pos (B), neg (B x n)]. */
function bceRef(x: ArrayLike<number>, batch: number, n: number): number {
  let s = 0;
  for (let b = 0; b < batch; b++) {
    s += bceTerm(x[b], 1);
    for (let j = 0; j < n; j++) s += bceTerm(x[batch + b * n + j], 0);
  }
  return s / (batch * (1 + n));
}

/**
 * Every check below runs the loss outside any scope (inputs made, loss called, result and inputs
 * disposed by `runOp`), so that `expectNoLeak` counts any intermediate the loss leaves behind.
 */
describeWithBackends('bceLoss', () => {
  test.each([
    // positive (label 1): -log sigmoid(x) = log(1 + e^-x); negative (label 0): -log(1 - sigmoid(x)) = log(1 + e^x)
    { pos: 0, neg: 0, expected: [0.693147181, 0.693147181] }, // [log 2, log 2]
    { pos: 2, neg: -2, expected: [0.126928011, 0.126928011] }, // [log(1 + e^-2), log(1 + e^-2)]
    { pos: -1, neg: 1, expected: [1.313261688, 1.313261688] }, // [log(1 + e^1), log(1 + e^1)]
    { pos: 3, neg: 0.5, expected: [0.048587352, 0.974076984] }, // [log(1 + e^-3), log(1 + e^0.5)]
  ])('pos logit $pos, neg logit $neg: terms $expected', ({ pos, neg, expected }) =>
    expectNoLeak(() => {
      const [{ values: v }] = runOp((p, q) => bceLoss(p, q, { reduction: 'none' }), tf.tensor1d([pos]), tf.tensor1d([neg]));
      expectClose(v, expected, 1e-6, 1e-6);
      expectClose(v, [bceTerm(pos, 1), bceTerm(neg, 0)], 1e-6, 1e-6);
    }));

  // pos = [2, 0], neg = [[0, 1], [-2, 0.5]]:
  // rows [softplus(-2), softplus(0), softplus(1)] = [0.126928, 0.693147, 1.313262]
  //      [softplus(0), softplus(-2), softplus(0.5)] = [0.693147, 0.126928, 0.974077]
  // sum = 3.927489; mean over batch x (1 + n) = 6 instances = 0.654582.
  test.each([
    { reduction: 'none' as const, shape: [2, 3], expected: [0.126928011, 0.693147181, 1.313261688, 0.693147181, 0.126928011, 0.974076984] },
    { reduction: 'sum' as const, shape: [], expected: [3.927489055] },
    { reduction: 'mean' as const, shape: [], expected: [0.654581509] },
  ])('reduction $reduction (none: column 0 positives, then negatives)', ({ reduction, shape, expected }) =>
    expectNoLeak(() => {
      const [out] = runOp((p, q) => bceLoss(p, q, { reduction }), tf.tensor1d([2, 0]), tf.tensor2d([[0, 1], [-2, 0.5]]));
      expect(out.shape).toEqual(shape);
      expectClose(out.values, expected, 1e-6, 1e-6);
    }));

  it('means over positives and negatives together, not per group', () =>
    expectNoLeak(() => {
      // one positive with loss log(1 + e^-2) and four negatives with loss log 2 each:
      // (0.126928 + 4 * 0.693147) / 5 = 0.579903, not (0.126928 + 0.693147) / 2
      const [out] = runOp((p, q) => bceLoss(p, q), tf.tensor1d([2]), tf.zeros([1, 4]));
      expect(out.values[0]).toBeCloseTo((Math.log1p(Math.exp(-2)) + 4 * Math.LN2) / 5, 6);
    }));

  test.each([
    { batch: 4, n: 4 },
    { batch: 3, n: 1 },
  ])('gradient matches finite differences (batch $batch, n $n)', ({ batch, n }) =>
    expectNoLeak(() => {
      const x = testFloats(batch + batch * n, 23 + n, 4);
      const expected = finiteDiffGrad((p) => bceRef(p, batch, n), x, 1e-3);
      const [gp, gq] = runOp(
        (p, q) => tf.grads((a: tf.Tensor, b: tf.Tensor) => bceLoss(a, b))([p, q]),
        tf.tensor1d(x.subarray(0, batch)),
        n === 1 ? tf.tensor1d(x.subarray(batch)) : tf.tensor2d(x.subarray(batch), [batch, n]),
      );
      expectClose([...gp.values, ...gq.values], expected, 1e-5, 1e-3);
    }));

  it('gives finite values and gradients for logits of magnitude 100', () =>
    expectNoLeak(() => {
      const [loss] = runOp((p, q) => bceLoss(p, q, { reduction: 'none' }), tf.tensor1d([100, -100]), tf.tensor1d([100, -100]));
      const [gp, gn] = runOp(
        (p, q) => tf.grads((x: tf.Tensor, y: tf.Tensor) => bceLoss(x, y, { reduction: 'sum' }))([p, q]),
        tf.tensor1d([100, -100]),
        tf.tensor1d([100, -100]),
      );
      // rows [softplus(-100), softplus(100)] = [~0, 100], [softplus(100), softplus(-100)] = [100, ~0]
      // (the naive -log(1 - sigmoid(100)) would be -log(0) = inf in float32)
      expectClose(loss.values, [0, 100, 100, 0], 1e-6, 1e-6);
      // d/dpos = -sigmoid(-x) = [~0, -1]; d/dneg = sigmoid(x) = [1, ~0]
      expectClose(gp.values, [0, -1], 1e-6, 1e-6);
      expectClose(gn.values, [1, 0], 1e-6, 1e-6);
    }));

  it('propagates NaN', () =>
    expectNoLeak(() => {
      const [{ values: v }] = runOp((p, q) => bceLoss(p, q, { reduction: 'none' }), tf.tensor1d([NaN]), tf.tensor1d([0]));
      expect(Number.isNaN(v[0])).toBe(true);
      expect(v[1]).toBeCloseTo(Math.LN2, 6);
    }));

  test.each([
    { pos: [2], neg: [3, 4], msg: 'bceLoss: negLogits must have shape [batch] or [batch, n] with batch = 2, got [3, 4]' },
    { pos: [2, 2], neg: [2], msg: 'bceLoss: posLogits must have shape [batch] with batch >= 1, got [2, 2]' },
  ])('names the argument in shape errors: posLogits $pos, negLogits $neg', ({ pos, neg, msg }) =>
    expectNoLeak(() => {
      expect(() => runOp((p, q) => bceLoss(p, q), tf.zeros(pos), tf.zeros(neg))).toThrow(msg);
    }));
});
