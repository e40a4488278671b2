import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { bceLoss, bprLoss, hingeLoss } from './index';

useCpuBackend();

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

describe.each(losses)('$name argument checks', ({ name, call, pos, neg }) => {
  it('rejects a non-tensor positive', () =>
    expectNoLeak(() => {
      tf.tidy(() => {
        expect(() => call([1, 2], tf.zeros([2]))).toThrow(`${name}: ${pos} must be a tf.Tensor, got array(2)`);
      });
    }));

  it('rejects a non-float32 negative', () =>
    expectNoLeak(() => {
      tf.tidy(() => {
        expect(() => call(tf.zeros([2]), tf.zeros([2, 3], 'int32'))).toThrow(`${name}: ${neg} must have dtype float32, got int32`);
      });
    }));

  it('rejects a disposed tensor', () =>
    expectNoLeak(() => {
      const gone = tf.zeros([2]);
      gone.dispose();
      tf.tidy(() => {
        expect(() => call(tf.zeros([2]), gone)).toThrow(`${name}: ${neg} must not be disposed`);
      });
    }));

  it('rejects an unknown reduction', () =>
    expectNoLeak(() => {
      tf.tidy(() => {
        expect(() => call(tf.zeros([2]), tf.zeros([2]), { reduction: 'max' })).toThrow(
          `${name}: reduction must be one of 'mean', 'sum', 'none', got "max"`,
        );
      });
    }));

  it('rejects a mismatched batch, naming the negative argument', () =>
    expectNoLeak(() => {
      tf.tidy(() => {
        expect(() => call(tf.zeros([4]), tf.zeros([3, 2]))).toThrow(
          `${name}: ${neg} must have shape [batch] or [batch, n] with batch = 4, got [3, 2]`,
        );
      });
    }));

  it('accepts n = 1 as [batch] or [batch, 1] with the same value', () =>
    expectNoLeak(() => {
      const [a, b] = tf.tidy(() => {
        const p = tf.tensor1d([0.3, -1.2, 2]);
        const q = tf.tensor1d([1, 0.5, -0.7]);
        return [call(p, q).dataSync()[0], call(p, tf.reshape(q, [3, 1])).dataSync()[0]];
      });
      expect(Number.isFinite(a)).toBe(true);
      expect(a).toBe(b);
    }));
});

it('bprLoss: rejects weights on the wrong shape and a non-object options argument', () =>
  expectNoLeak(() => {
    tf.tidy(() => {
      expect(() => bprLoss(tf.zeros([2]), tf.zeros([2, 3]), { weights: tf.ones([2, 2]) })).toThrow(
        'bprLoss: weights must have shape [batch] or [batch, n] = [2] or [2, 3], got [2, 2]',
      );
      expect(() => bprLoss(tf.zeros([2]), tf.zeros([2]), 'sum' as never)).toThrow('bprLoss: options must be an object, got "sum"');
    });
  }));
