import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, testFloats } from '@memrec/test-helpers';
import { candidateLoss } from './candidate-loss';

describeWithBackends('candidateLoss', () => {
  const b = 4;
  const C = 6;
  const D = 5;
  const q = testFloats(b * D, 1, 2);
  const o = testFloats(C * D, 2, 2);
  const pos = Int32Array.of(0, 1, 2, 3);
  // row 1 leaves out column 4 (it holds row 1's positive again); row 3 keeps only its positive and one negative
  const keep = Uint8Array.from({ length: b * C }, (_, k) => (k === 1 * C + 4 ? 0 : Math.floor(k / C) === 3 ? (k % C === 3 || k % C === 5 ? 1 : 0) : 1));

  /** The same loss as tensors: masked logsumexp, or softplus over kept negatives. */
  function reference(kind: 'bpr' | 'ce') {
    return (qq: tf.Tensor, oo: tf.Tensor): tf.Scalar =>
      tf.tidy(() => {
        const S = tf.matMul(qq as tf.Tensor2D, oo as tf.Tensor2D, false, true);
        const pm = tf.cast(tf.oneHot(tf.tensor1d(pos, 'int32'), C), 'float32');
        const km = tf.tensor2d(Float32Array.from(keep), [b, C]);
        const p = tf.sum(tf.mul(S, pm), 1, true);
        if (kind === 'ce') return tf.mean(tf.sub(tf.logSumExp(tf.add(tf.mul(S, km), tf.mul(tf.sub(km, 1), 1e9)), 1, true), p)) as tf.Scalar;
        const neg = tf.sub(km, pm);
        return tf.div(tf.sum(tf.mul(tf.softplus(tf.sub(S, p)), neg)), tf.sum(neg)) as tf.Scalar;
      });
  }

  for (const kind of ['ce', 'bpr'] as const) {
    it(`${kind}: loss and gradients equal tf.grads of the tensor form`, async () => {
      const host = candidateLoss(q, b, o, C, D, keep, pos, kind);
      await expectNoLeak(() => {
        const qt = tf.tensor2d(q, [b, D]);
        const ot = tf.tensor2d(o, [C, D]);
        const { value, grads } = tf.valueAndGrads(reference(kind))([qt, ot]);
        expect(host.loss).toBeCloseTo(value.dataSync()[0], 5);
        expectClose(host.dq, grads[0].dataSync(), 1e-6, 1e-4);
        expectClose(host.dO, grads[1].dataSync(), 1e-6, 1e-4);
        tf.dispose([qt, ot, value, ...grads]);
      });
    });
  }

  it('by hand: one row, a positive scoring 2 and a negative scoring 0', () => {
    // q = [1], o = [2, 0]: ce = log(e^2 + 1) - 2; bpr = softplus(0 - 2) = log(1 + e^-2)
    const ce = candidateLoss(Float32Array.of(1), 1, Float32Array.of(2, 0), 2, 1, Uint8Array.of(1, 1), Int32Array.of(0), 'ce');
    expect(ce.loss).toBeCloseTo(Math.log(Math.exp(2) + 1) - 2, 6);
    const bpr = candidateLoss(Float32Array.of(1), 1, Float32Array.of(2, 0), 2, 1, Uint8Array.of(1, 1), Int32Array.of(0), 'bpr');
    expect(bpr.loss).toBeCloseTo(Math.log1p(Math.exp(-2)), 6);
    // d/ds_neg = sigmoid(-2); d q = sigmoid(-2) * (o_neg - o_pos) = -2 sigmoid(-2)
    expect(bpr.dq[0]).toBeCloseTo(-2 / (1 + Math.exp(2)), 6);
  });
});
