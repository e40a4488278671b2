import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, testFloats } from '@memrec/test-helpers';
import { facetPool, facetPoolHost } from './facet-ops';

// ---- per-example reference, float64: one row, its real slots only ----
function refFacets(keys: number[][], slots: number[][], temp: number): number[][] {
  const D = keys[0].length;
  return keys.map((key) => {
    if (slots.length === 0) return new Array(D).fill(0);
    const logits = slots.map((m) => m.reduce((acc, x, d) => acc + x * key[d], 0) / temp);
    const mx = Math.max(...logits);
    const ex = logits.map((l) => Math.exp(l - mx));
    const z = ex.reduce((a, c) => a + c, 0);
    return Array.from({ length: D }, (_, d) => slots.reduce((acc, m, j) => acc + (ex[j] / z) * m[d], 0));
  });
}

const b = 3;
const L = 4;
const D = 3;
const K = 2;
const lengths = [4, 0, 2];
const mask = Float32Array.from({ length: b * L }, (_, k) => (k % L < lengths[Math.floor(k / L)] ? 1 : 0));
const keys = testFloats(K * D, 21, 1.2);
const S = testFloats(b * L * D, 22, 1.5);
const C = testFloats(b * K * D, 23);
const keyRows = (x: ArrayLike<number>) => Array.from({ length: K }, (_, k) => Array.from({ length: D }, (_, d) => x[k * D + d]));
const slotsOf = (s: ArrayLike<number>, t: number) => Array.from({ length: lengths[t] }, (_, j) => Array.from({ length: D }, (_, d) => s[(t * L + j) * D + d]));
const refAll = (kk: ArrayLike<number>, ss: ArrayLike<number>, temp: number) => Array.from({ length: b }, (_, t) => refFacets(keyRows(kk), slotsOf(ss, t), temp).flat()).flat();

describeWithBackends('facetPool', () => {
  for (const temp of [1, 0.6]) {
    it(`equals the per-row reference: each key pools the real slots by its own attention (temperature ${temp}; an empty row gives zero facets)`, async () => {
      await expectNoLeak(() => {
        const kt = tf.tensor2d(keys, [K, D]);
        const st = tf.tensor3d(S, [b, L, D]);
        const mt = tf.tensor2d(mask, [b, L]);
        const f = facetPool(kt, st, mt, temp);
        expect(f.shape).toEqual([b, K, D]);
        expectClose(f.dataSync(), refAll(keys, S, temp), 1e-5, 1e-4);
        expect(Array.from(f.dataSync().subarray(K * D, 2 * K * D))).toEqual(new Array(K * D).fill(0));
        tf.dispose([kt, st, mt, f]);
      });
    });
  }

  it('gradients with respect to keys and slots equal finite differences; padded slots get exactly zero', async () => {
    const temp = 0.8;
    const f = (kk: ArrayLike<number>, ss: ArrayLike<number>) => refAll(kk, ss, temp).reduce((acc, x, k) => acc + x * C[k], 0);
    const fdK = finiteDiffGrad((x) => f(x, S), keys, 1e-4);
    const fdS = finiteDiffGrad((x) => f(keys, x), S, 1e-4);
    await expectNoLeak(() => {
      const kt = tf.tensor2d(keys, [K, D]);
      const st = tf.tensor3d(S, [b, L, D]);
      const mt = tf.tensor2d(mask, [b, L]);
      const ct = tf.tensor3d(C, [b, K, D]);
      const [gk, gs] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(facetPool(x as tf.Tensor2D, y as tf.Tensor3D, mt, temp), ct)))([kt, st]);
      expectClose(gk.dataSync(), fdK, 1e-3, 1e-3);
      expectClose(gs.dataSync(), fdS, 1e-3, 1e-3);
      const g = gs.dataSync();
      for (let k = 0; k < b * L; k++) if (mask[k] === 0) for (let d = 0; d < D; d++) expect(g[k * D + d]).toBe(0);
      tf.dispose([kt, st, mt, ct, gk, gs]);
    });
  });
});

describe('facetPoolHost', () => {
  it('equals the reference for one memory, and zeros for an empty one', () => {
    const out = facetPoolHost(keys, K, S.subarray(2 * L * D), 2, D, 0.7, new Float32Array(K * D));
    expectClose(out, refFacets(keyRows(keys), slotsOf(S, 2), 0.7).flat(), 1e-6, 1e-5);
    expect(Array.from(facetPoolHost(keys, K, S, 0, D, 1, new Float32Array(K * D).fill(5)))).toEqual(new Array(K * D).fill(0));
  });
});
