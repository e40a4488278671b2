import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectNoLeak, runOp } from '@memrec/test-helpers';
import { bceLoss, bprLoss, hingeLoss } from './index';

/** Every loss with a fixed option set, so argument checks can be tested across all three. */
const losses = [
  { name: 'bprLoss', call: (p: unknown, n: unknown, o?: object) => bprLoss(p as tf.Tensor, n as tf.Tensor, o), pos: 'pos', neg: 'neg' },
  {
    name: 'hingeLoss',
    call: (p: unknown, n: unknown, o?: object) => hingeLoss(p as tf.Tensor, n as tf.Tensor, { kind: 'distance', ...o }),
    pos: 'pos',
    neg: 'neg',
  },
  { name: 'bceLoss', call: (p: unknown, n: unknown, o?: object) => bceLoss(p as tf.Tensor, n as tf.Tensor, o), pos: 'posLogits', neg: 'negLogits' },
];

/**
 * Each check runs the loss outside any scope (`runOp` makes nothing in a tidy and disposes inputs
 * and result, also when the loss throws), so that `expectNoLeak` counts anything a rejected call
 * leaves behind.
 */
describeWithBackends('argument checks', () => {
  describe.each(losses)('$name', ({ name, call, pos, neg }) => {
    it('rejects a non-tensor positive', () =>
      expectNoLeak(() => {
        expect(() => runOp((q) => call([1, 2], q), tf.zeros([2]))).toThrow(`${name}: ${pos} must be a tf.Tensor, got array(2)`);
      }));

    it('rejects a non-float32 negative', () =>
      expectNoLeak(() => {
        expect(() => runOp((p, q) => call(p, q), tf.zeros([2]), tf.zeros([2, 3], 'int32'))).toThrow(`${name}: ${neg} must have dtype float32, got int32`);
      }));

    it('rejects a disposed tensor', () =>
      expectNoLeak(() => {
        const gone = tf.zeros([2]);
        gone.dispose();
        expect(() => runOp((p) => call(p, gone), tf.zeros([2]))).toThrow(`${name}: ${neg} must not be disposed`);
      }));

    it('rejects an unknown reduction', () =>
      expectNoLeak(() => {
        expect(() => runOp((p, q) => call(p, q, { reduction: 'max' }), tf.zeros([2]), tf.zeros([2]))).toThrow(
          `${name}: reduction must be one of 'mean', 'sum', 'none', got "max"`,
        );
      }));

    it('rejects a mismatched batch, naming the negative argument', () =>
      expectNoLeak(() => {
        expect(() => runOp((p, q) => call(p, q), tf.zeros([4]), tf.zeros([3, 2]))).toThrow(
          `${name}: ${neg} must have shape [batch] or [batch, n] with batch = 4, got [3, 2]`,
        );
      }));

    it('accepts n = 1 as [batch] or [batch, 1] with the same value', () =>
      expectNoLeak(() => {
        const [a] = runOp((p, q) => call(p, q), tf.tensor1d([0.3, -1.2, 2]), tf.tensor1d([1, 0.5, -0.7]));
        const [b] = runOp((p, q) => call(p, q), tf.tensor1d([0.3, -1.2, 2]), tf.tensor2d([[1], [0.5], [-0.7]]));
        expect(Number.isFinite(a.values[0])).toBe(true);
        expect(a.values[0]).toBe(b.values[0]);
      }));
  });

  it('bprLoss: rejects weights on the wrong shape and a non-object options argument', () =>
    expectNoLeak(() => {
      expect(() => runOp((p, q, weights) => bprLoss(p, q, { weights }), tf.zeros([2]), tf.zeros([2, 3]), tf.ones([2, 2]))).toThrow(
        'bprLoss: weights must have shape [batch] or [batch, n] = [2] or [2, 3], got [2, 2]',
      );
      expect(() => runOp((p, q) => bprLoss(p, q, 'sum' as never), tf.zeros([2]), tf.zeros([2]))).toThrow('bprLoss: options must be an object, got "sum"');
    }));
});
