import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, runOp, testFloats } from '@memrec/test-helpers';
import { hingeLoss, type ScoreKind } from './hinge';

/**
 * Reference hinge, float64: mean over b, j of w * max(0, m + sign * (pos[b] - neg[b, j])),
 * sign = +1 for distances, -1 for similarities; x = [pos (B), neg (B x n)], w = [B x n] or undefined.
 */
function hingeRef(x: ArrayLike<number>, batch: number, n: number, kind: ScoreKind, m: number, w?: ArrayLike<number>): number {
  const sign = kind === 'distance' ? 1 : -1;
  let s = 0;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) {
      s += (w ? w[b * n + j] : 1) * Math.max(0, m + sign * (x[b] - x[batch + b * n + j]));
    }
  }
  return s / (batch * n);
}

/**
 * Every check below runs the loss outside any scope (inputs made, loss called, result and inputs
 * disposed by `runOp`), so that `expectNoLeak` counts any intermediate the loss leaves behind.
 */
describeWithBackends('hingeLoss', () => {
  test.each([
    // distance: max(0, m + d_pos - d_neg)
    { kind: 'distance' as const, margin: 1, pos: 0.5, neg: 1, expected: 0.5 }, // 1 + 0.5 - 1
    { kind: 'distance' as const, margin: 1, pos: 0.5, neg: 3, expected: 0 }, // 1 + 0.5 - 3 < 0
    { kind: 'distance' as const, margin: 3, pos: 2, neg: 1, expected: 4 }, // 3 + 2 - 1 (NMRN's m = 3)
    { kind: 'distance' as const, margin: 0, pos: 1, neg: 1.25, expected: 0 }, // 0 + 1 - 1.25 < 0
    // similarity: max(0, m - s_pos + s_neg)
    { kind: 'similarity' as const, margin: 1, pos: 0.5, neg: 1, expected: 1.5 }, // 1 - 0.5 + 1
    { kind: 'similarity' as const, margin: 1, pos: 3, neg: 1, expected: 0 }, // 1 - 3 + 1 < 0
    { kind: 'similarity' as const, margin: 0.5, pos: 1, neg: 0.75, expected: 0.25 }, // 0.5 - 1 + 0.75
  ])('$kind, margin $margin, pos $pos, neg $neg gives $expected', ({ kind, margin, pos, neg, expected }) =>
    expectNoLeak(() => {
      const [out] = runOp((p, q) => hingeLoss(p, q, { kind, margin }), tf.tensor1d([pos]), tf.tensor1d([neg]));
      expect(out.values[0]).toBeCloseTo(expected, 6);
    }));

  it('uses margin 1 by default', () =>
    expectNoLeak(() => {
      const [out] = runOp((p, q) => hingeLoss(p, q, { kind: 'distance' }), tf.tensor1d([2]), tf.tensor1d([2.5]));
      expect(out.values[0]).toBeCloseTo(0.5, 6); // 1 + 2 - 2.5
    }));

  // d_pos = [0.5, 2], d_neg = [[1, 3], [1, 4]], m = 1:
  // terms [[1 + 0.5 - 1, 0], [1 + 2 - 1, 0]] = [[0.5, 0], [2, 0]]; sum 2.5; mean 2.5 / 4 = 0.625.
  test.each([
    { reduction: 'none' as const, expected: [0.5, 0, 2, 0], shape: [2, 2] },
    { reduction: 'sum' as const, expected: [2.5], shape: [] },
    { reduction: 'mean' as const, expected: [0.625], shape: [] },
  ])('reduction $reduction', ({ reduction, expected, shape }) =>
    expectNoLeak(() => {
      const [out] = runOp((p, q) => hingeLoss(p, q, { kind: 'distance', reduction }), tf.tensor1d([0.5, 2]), tf.tensor2d([[1, 3], [1, 4]]));
      expect(out.shape).toEqual(shape);
      expectClose(out.values, expected, 1e-6, 1e-6);
    }));

  it('applies NMRN rank weights w = log(floor((N - 1) / k) + 1)', () =>
    expectNoLeak(() => {
      // N = 100 items; first violating negative found after k = 3 and k = 33 draws:
      // w = [log(floor(99 / 3) + 1), log(floor(99 / 33) + 1)] = [log 34, log 4] = [3.526361, 1.386294].
      const w = [Math.log(34), Math.log(4)];
      // terms max(0, 1 + [0.5, 2] - [1, 2.5]) = [0.5, 0.5]; weighted [1.763180, 0.693147]
      const [none] = runOp(
        (p, q, weights) => hingeLoss(p, q, { kind: 'distance', weights, reduction: 'none' }),
        tf.tensor1d([0.5, 2]),
        tf.tensor1d([1, 2.5]),
        tf.tensor1d(w),
      );
      expectClose(none.values, [1.763180, 0.693147], 1e-6, 1e-6);
      const [mean] = runOp((p, q, weights) => hingeLoss(p, q, { kind: 'distance', weights }), tf.tensor1d([0.5, 2]), tf.tensor1d([1, 2.5]), tf.tensor1d(w));
      expect(mean.values[0]).toBeCloseTo((0.5 * Math.log(34) + 0.5 * Math.log(4)) / 2, 6);
    }));

  it('accepts per-term weights [batch, n]', () =>
    expectNoLeak(() => {
      // terms [[0.5, 0], [2, 0]] (above) times [[2, 5], [0.25, 7]] = [[1, 0], [0.5, 0]]
      const [out] = runOp(
        (p, q, weights) => hingeLoss(p, q, { kind: 'distance', weights, reduction: 'none' }),
        tf.tensor1d([0.5, 2]),
        tf.tensor2d([[1, 3], [1, 4]]),
        tf.tensor2d([[2, 5], [0.25, 7]]),
      );
      expectClose(out.values, [1, 0, 0.5, 0], 1e-6, 1e-6);
    }));

  test.each([
    { kind: 'distance' as const, margin: 1, batch: 4, n: 3, weighted: false },
    { kind: 'similarity' as const, margin: 0.5, batch: 3, n: 2, weighted: true },
    { kind: 'distance' as const, margin: 3, batch: 5, n: 1, weighted: true },
  ])('gradient matches finite differences ($kind, m $margin, n $n, weighted $weighted)', ({ kind, margin, batch, n, weighted }) =>
    expectNoLeak(() => {
      const x = testFloats(batch + batch * n, 7 * n + batch, 2);
      // keep every pair at least 0.1 away from the kink, where the hinge is not differentiable
      const sign = kind === 'distance' ? 1 : -1;
      for (let b = 0; b < batch; b++) {
        for (let j = 0; j < n; j++) {
          const k = batch + b * n + j;
          const a = margin + sign * (x[b] - x[k]);
          if (Math.abs(a) < 0.1) x[k] += sign * (a >= 0 ? 0.2 : -0.2);
        }
      }
      const w = weighted ? Float32Array.from(testFloats(batch * n, 3, 1), (v) => v + 1.5) : undefined;
      const expected = finiteDiffGrad((p) => hingeRef(p, batch, n, kind, margin, w), x, 1e-3);
      const [gp, gq] = runOp(
        (p, q, weights) => tf.grads((a: tf.Tensor, b: tf.Tensor) => hingeLoss(a, b, { kind, margin, weights }))([p, q]),
        tf.tensor1d(x.subarray(0, batch)),
        n === 1 ? tf.tensor1d(x.subarray(batch)) : tf.tensor2d(x.subarray(batch), [batch, n]),
        w ? tf.tensor2d(w, [batch, n]) : undefined,
      );
      const got = [...gp.values, ...gq.values];
      expect(got.some((g) => g !== 0)).toBe(true);
      expectClose(got, expected, 1e-5, 1e-3);
    }));

  it('gives finite values and gradients for scores of magnitude 100', () =>
    expectNoLeak(() => {
      const [loss] = runOp((p, q) => hingeLoss(p, q, { kind: 'distance', reduction: 'none' }), tf.tensor1d([100, -100]), tf.tensor1d([-100, 100]));
      const [gp, gn] = runOp(
        (p, q) => tf.grads((x: tf.Tensor, y: tf.Tensor) => hingeLoss(x, y, { kind: 'distance', reduction: 'sum' }))([p, q]),
        tf.tensor1d([100, -100]),
        tf.tensor1d([-100, 100]),
      );
      // [max(0, 1 + 100 + 100), max(0, 1 - 100 - 100)] = [201, 0]
      expectClose(loss.values, [201, 0], 1e-6, 1e-6);
      expectClose(gp.values, [1, 0], 0, 0);
      expectClose(gn.values, [-1, 0], 0, 0);
    }));

  it('propagates NaN', () =>
    expectNoLeak(() => {
      const [{ values: v }] = runOp((p, q) => hingeLoss(p, q, { kind: 'similarity', reduction: 'none' }), tf.tensor1d([NaN, 0]), tf.tensor1d([0, 2]));
      expect(Number.isNaN(v[0])).toBe(true);
      expect(v[1]).toBeCloseTo(3, 6); // 1 - 0 + 2
      const [inf] = runOp((p, q) => hingeLoss(p, q, { kind: 'distance' }), tf.tensor1d([Infinity]), tf.tensor1d([0]));
      expect(inf.values[0]).toBe(Infinity);
    }));

  test.each([
    { opts: { kind: 'cosine' }, msg: `hingeLoss: kind must be 'distance' or 'similarity', got "cosine"` },
    { opts: {}, msg: `hingeLoss: kind must be 'distance' or 'similarity', got undefined` },
    { opts: { kind: 'distance', margin: -1 }, msg: 'hingeLoss: margin must be a finite number >= 0, got -1' },
    { opts: { kind: 'distance', margin: NaN }, msg: 'hingeLoss: margin must be a finite number >= 0, got NaN' },
    { opts: { kind: 'distance', reduction: 'avg' }, msg: `hingeLoss: reduction must be one of 'mean', 'sum', 'none', got "avg"` },
  ])('rejects options $opts', ({ opts, msg }) =>
    expectNoLeak(() => {
      expect(() => runOp((p, q) => hingeLoss(p, q, opts as never), tf.zeros([4]), tf.zeros([4, 2]))).toThrow(msg);
    }));

  test.each([
    { pos: [4], neg: [3, 2], w: null, msg: 'hingeLoss: neg must have shape [batch] or [batch, n] with batch = 4, got [3, 2]' },
    { pos: [4], neg: [4, 2, 1], w: null, msg: 'hingeLoss: neg must have shape [batch] or [batch, n] with batch = 4, got [4, 2, 1]' },
    { pos: [4], neg: [4, 0], w: null, msg: 'hingeLoss: neg must have at least one negative per row (n >= 1), got [4, 0]' },
    { pos: [4, 1], neg: [4], w: null, msg: 'hingeLoss: pos must have shape [batch] with batch >= 1, got [4, 1]' },
    { pos: [0], neg: [0], w: null, msg: 'hingeLoss: pos must have shape [batch] with batch >= 1, got [0]' },
    { pos: [4], neg: [4, 2], w: [3], msg: 'hingeLoss: weights must have shape [batch] or [batch, n] = [4] or [4, 2], got [3]' },
    { pos: [4], neg: [4, 2], w: [4, 3], msg: 'hingeLoss: weights must have shape [batch] or [batch, n] = [4] or [4, 2], got [4, 3]' },
  ])('names the argument in shape errors: pos $pos, neg $neg, weights $w', ({ pos, neg, w, msg }) =>
    expectNoLeak(() => {
      expect(() =>
        runOp((p, q, weights) => hingeLoss(p, q, { kind: 'distance', weights }), tf.zeros(pos), tf.zeros(neg), w ? tf.ones(w) : undefined),
      ).toThrow(msg);
    }));
});
