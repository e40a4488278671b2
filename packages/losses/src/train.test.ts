import * as tf from '@tensorflow/tfjs-core';
import { gradientsRegistered } from '@memrec/core';
import { describeWithBackends, expectNoLeak } from '@memrec/test-helpers';
import { bceLoss, bprLoss, hingeLoss } from './index';

/**
 * Training through `optimizer.minimize` exercises tfjs's gradient registry (kernels Softplus, Relu,
 * Concat, Reshape, ...), which `tf.grads` on a plain function also needs but which fails only at
 * train time when a gradient is missing (as tf.logSigmoid's does in 4.22).
 */
const cases = [
  { name: 'bprLoss', loss: (p: tf.Tensor, n: tf.Tensor): tf.Scalar => bprLoss(p, n), kind: 'similarity' as const },
  { name: 'bceLoss', loss: (p: tf.Tensor, n: tf.Tensor): tf.Scalar => bceLoss(p, n), kind: 'similarity' as const },
  { name: 'hingeLoss (similarity)', loss: (p: tf.Tensor, n: tf.Tensor): tf.Scalar => hingeLoss(p, n, { kind: 'similarity' }), kind: 'similarity' as const },
  {
    name: 'hingeLoss (distance, weighted)',
    loss: (p: tf.Tensor, n: tf.Tensor): tf.Scalar => hingeLoss(p, n, { kind: 'distance', margin: 0.5, weights: tf.tensor1d([1, 2, 0.5]) }),
    kind: 'distance' as const,
  },
];

describeWithBackends('training with tf.train.sgd(...).minimize', () => {
  it('has the tfjs gradients registered by @memrec/core', () => {
    expect(gradientsRegistered()).toBe(true);
  });

  test.each(cases)('$name lowers the loss and orders positives ahead of negatives', ({ loss, kind }) =>
    expectNoLeak(() => {
      // scores are the trainable variables themselves: 3 positives, 2 negatives each, all tied at 0
      // (made inside tidy so the initial-value tensors are released; variables survive tidy)
      const pos = tf.tidy(() => tf.variable(tf.zeros([3])));
      const neg = tf.tidy(() => tf.variable(tf.tensor2d([[0.2, -0.1], [0.4, 0.1], [-0.3, 0.3]])));
      const opt = tf.train.sgd(1);
      const history: number[] = [];
      for (let step = 0; step < 60; step++) {
        const cost = opt.minimize(() => loss(pos, neg), true, [pos, neg]);
        if (cost == null) throw new Error('minimize returned no cost');
        history.push(cost.dataSync()[0]);
        cost.dispose();
      }
      const p = Array.from(pos.dataSync());
      const n = Array.from(neg.dataSync());
      opt.dispose();
      pos.dispose();
      neg.dispose();
      expect(history[0]).toBeGreaterThan(0);
      expect(history[history.length - 1]).toBeLessThan(history[0] * 0.5);
      for (let b = 0; b < 3; b++) {
        for (let j = 0; j < 2; j++) {
          const nb = n[b * 2 + j];
          // similarity: the positive scores higher; distance: the positive is nearer
          if (kind === 'similarity') expect(p[b]).toBeGreaterThan(nb);
          else expect(p[b]).toBeLessThan(nb);
        }
      }
    }));
});
