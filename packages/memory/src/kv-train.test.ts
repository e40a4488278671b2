import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding } from '@memrec/core';
import { describeWithBackends, expectNoLeak, expectClose } from '@memrec/test-helpers';
import { KeyValueMemory, type KeyValueMemoryOptions } from './key-value-memory';
import { hostHingeGrads } from './kv-train-host';

const D = 6;
const H = 4;
function make(extra: Partial<KeyValueMemoryOptions>) {
  const sgd = { kind: 'sgd' as const, learningRate: 1 };
  const users = new SparseEmbedding({ rows: 7, dim: D, optimizer: sgd, init: { kind: 'normal', std: 0.5 }, seed: 31 });
  const items = new SparseEmbedding({ rows: 12, dim: D, optimizer: sgd, init: { kind: 'normal', std: 0.5 }, seed: 32 });
  const kv = new KeyValueMemory({ users, items, slots: H, seed: 7, valueInitStd: 0.5, optimizer: tf.train.sgd(1), writeGradient: false, ...extra });
  kv.write(Int32Array.of(0, 3, 3, 5, 1), Int32Array.of(2, 4, 9, 11, 0)); // per-user memories differ
  return kv;
}

/** The weighted hinge as a custom loss: the same function, computed by tfjs (forces the tfjs step). */
function tfjsHinge(margin: number, weights: Float32Array | null, b: number, n: number) {
  return (dPos: tf.Tensor1D, dNeg: tf.Tensor1D): tf.Scalar => {
    let h = tf.relu(tf.add(tf.sub(dPos, dNeg), margin));
    if (weights) h = tf.mul(h, weights.length === b ? tf.reshape(tf.tile(tf.reshape(tf.tensor1d(weights), [b, 1]), [1, n]), [-1]) : tf.tensor1d(weights));
    return tf.mean(h) as tf.Scalar;
  };
}

describeWithBackends('KeyValueMemory.trainStep: the host step equals the tfjs step', () => {
  const users = Int32Array.of(3, 0, 5, 3, 6, 1);
  const pos = Int32Array.of(2, 4, 9, 11, 0, 7);
  const negs = Int32Array.from({ length: 18 }, (_, k) => (k * 5 + 3) % 12);
  const cases = [
    { metric: 'euclidean', valueMemory: 'per-user', temperature: 1, n: 3, w: 'per positive' },
    { metric: 'euclidean', valueMemory: 'shared', temperature: 0.7, n: 1, w: 'none' },
    { metric: 'dot', valueMemory: 'per-user', temperature: 0.7, n: 2, w: 'per pair' },
    { metric: 'dot', valueMemory: 'shared', temperature: 1, n: 3, w: 'per pair' },
  ] as const;
  for (const c of cases) {
    it(`${c.metric}, ${c.valueMemory}, T = ${c.temperature}, n = ${c.n}, weights ${c.w}: same loss, row and key updates (SGD, rate 1)`, async () => {
      const b = users.length;
      const neg = negs.subarray(0, b * c.n);
      const weights = c.w === 'none' ? null : Float32Array.from({ length: c.w === 'per pair' ? b * c.n : b }, (_, k) => 0.5 + (k % 4));
      const opts = { metric: c.metric, valueMemory: c.valueMemory, temperature: c.temperature };
      const host = make(opts);
      const ref = make(opts);
      // a margin that leaves some hinges active and some inactive
      const margin = 0.15;
      const hinge = tf.tidy(() => {
        const dp = ref.distance(users, pos).dataSync();
        const dn = ref.distance(users, neg).dataSync();
        return Array.from(dn, (d, k) => margin + dp[Math.floor(k / c.n)] - d);
      });
      expect(hinge.some((h) => h > 1e-3) && hinge.some((h) => h < -1e-3)).toBe(true);
      await expectNoLeak(() => {
        const lossHost = host.trainStep(users, pos, neg, { margin, ...(weights ? { weights } : {}) });
        const lossRef = ref.trainStep(users, pos, neg, { loss: tfjsHinge(margin, weights, b, c.n) });
        expect(lossHost).toBeCloseTo(lossRef, 6);
      });
      expectClose(host.users.data, ref.users.data, 1e-5, 0);
      expectClose(host.items.data, ref.items.data, 1e-5, 0);
      expectClose(host.keys.dataSync(), ref.keys.dataSync(), 1e-5, 0);
      host.dispose();
      ref.dispose();
    });
  }

  it('hostHingeGrads by hand: one slot, one negative', () => {
    // H = 1: w = 1, s = M; D = 1: M = 0, v+ = 3, v- = 1, margin 1:
    // d+ = 3, d- = 1, hinge = 1 + 3 - 1 = 3; d hinge / d v+ = (v+ - s) / d+ = 1, d / d v- = -(v- - s) / d- = -1;
    // the address has one slot, so u and the key get no gradient.
    const g = hostHingeGrads({ U: Float32Array.of(2), V: Float32Array.of(3, 1), keys: Float32Array.of(0.5), memory: Float32Array.of(0), memIds: null, b: 1, n: 1, H: 1, D: 1, metric: 'euclidean', temperature: 1, margin: 1, weights: Float32Array.of(2) });
    expect(g.loss).toBeCloseTo(6, 6);
    expectClose(g.gV, [2, -2], 1e-6, 0);
    expectClose([...g.gU, ...g.gK], [0, 0], 1e-12, 0);
  });
});
