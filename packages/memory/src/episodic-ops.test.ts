import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, testFloats } from '@memrec/test-helpers';
import { episodicQueryGate, episodicRead, episodicReadHost } from './episodic-ops';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

// ---- per-example reference, float64: one row, its real slots only ----
function refEpisodes(q0: number[], slots: number[][], Wq: ArrayLike<number>, Wo: ArrayLike<number>, bg: ArrayLike<number>, hops: number, temp: number): number[] {
  const D = q0.length;
  const lin = (x: number[], W: ArrayLike<number>) => Array.from({ length: D }, (_, d) => x.reduce((acc, v, k) => acc + v * W[k * D + d], 0));
  const base = lin(q0, Wq).map((v, d) => v + bg[d]);
  let q = q0.slice();
  for (let h = 0; h < hops; h++) {
    let o = new Array(D).fill(0);
    if (slots.length > 0) {
      const logits = slots.map((m) => m.reduce((acc, x, d) => acc + x * q[d], 0) / temp);
      const mx = Math.max(...logits);
      const ex = logits.map((l) => Math.exp(l - mx));
      const z = ex.reduce((a, b) => a + b, 0);
      o = Array.from({ length: D }, (_, d) => slots.reduce((acc, m, j) => acc + (ex[j] / z) * m[d], 0));
    }
    const ow = lin(o, Wo);
    const g = base.map((v, d) => sig(v + ow[d]));
    q = q.map((v, d) => v + g[d] * (o[d] - v));
  }
  return q;
}

const b = 4;
const L = 3;
const D = 4;
// row 0: 3 real slots, row 1: 1, row 2: none, row 3: 2
const lengths = [3, 1, 0, 2];
const mask = Float32Array.from({ length: b * L }, (_, k) => (k % L < lengths[Math.floor(k / L)] ? 1 : 0));
const q = testFloats(b * D, 11);
const S = testFloats(b * L * D, 12, 1.5);
const Wq = testFloats(D * D, 13, 0.5);
const Wo = testFloats(D * D, 14, 0.5);
const bg = testFloats(D, 15, 0.3);
const C = testFloats(b * D, 16);
const rowOf = (x: ArrayLike<number>, t: number) => Array.from({ length: D }, (_, d) => x[t * D + d]);
const slotsOf = (s: ArrayLike<number>, t: number) => Array.from({ length: lengths[t] }, (_, k) => Array.from({ length: D }, (_, d) => s[(t * L + k) * D + d]));
const refAll = (qq: ArrayLike<number>, ss: ArrayLike<number>, wq: ArrayLike<number>, wo: ArrayLike<number>, bb: ArrayLike<number>, hops: number, temp: number) =>
  Array.from({ length: b }, (_, t) => refEpisodes(rowOf(qq, t), slotsOf(ss, t), wq, wo, bb, hops, temp)).flat();

const tensors = () => ({
  qt: tf.tensor2d(q, [b, D]),
  st: tf.tensor3d(S, [b, L, D]),
  mt: tf.tensor2d(mask, [b, L]),
  w: { Wq: tf.tensor2d(Wq, [D, D]), Wo: tf.tensor2d(Wo, [D, D]), bg: tf.tensor1d(bg) },
});

describeWithBackends('episodicRead', () => {
  for (const [hops, temp] of [[1, 1], [3, 0.7]] as const) {
    it(`equals the per-row reference (${hops} hops, temperature ${temp}; an empty row only shrinks its query by the gate)`, async () => {
      await expectNoLeak(() => {
        const { qt, st, mt, w } = tensors();
        const r = episodicRead(qt, st, mt, w, hops, temp);
        expect(r.shape).toEqual([b, D]);
        expectClose(r.dataSync(), refAll(q, S, Wq, Wo, bg, hops, temp), 1e-5, 1e-4);
        tf.dispose([qt, st, mt, w.Wq, w.Wo, w.bg, r]);
      });
    });
  }

  it('gradients with respect to the query, the slots and the gate weights equal finite differences; padded slots get exactly zero', async () => {
    const hops = 2;
    const temp = 0.8;
    const f = (qq: ArrayLike<number>, ss: ArrayLike<number>, wq: ArrayLike<number>, wo: ArrayLike<number>, bb: ArrayLike<number>) =>
      refAll(qq, ss, wq, wo, bb, hops, temp).reduce((acc, x, k) => acc + x * C[k], 0);
    const fd = [
      finiteDiffGrad((x) => f(x, S, Wq, Wo, bg), q, 1e-4),
      finiteDiffGrad((x) => f(q, x, Wq, Wo, bg), S, 1e-4),
      finiteDiffGrad((x) => f(q, S, x, Wo, bg), Wq, 1e-4),
      finiteDiffGrad((x) => f(q, S, Wq, x, bg), Wo, 1e-4),
      finiteDiffGrad((x) => f(q, S, Wq, Wo, x), bg, 1e-4),
    ];
    await expectNoLeak(() => {
      const { qt, st, mt, w } = tensors();
      const ct = tf.tensor2d(C, [b, D]);
      const grads = tf.grads((...x: tf.Tensor[]) =>
        tf.sum(tf.mul(episodicRead(x[0] as tf.Tensor2D, x[1] as tf.Tensor3D, mt, { Wq: x[2] as tf.Tensor2D, Wo: x[3] as tf.Tensor2D, bg: x[4] as tf.Tensor1D }, hops, temp), ct)),
      )([qt, st, w.Wq, w.Wo, w.bg]);
      grads.forEach((g, k) => expectClose(g.dataSync(), fd[k], 1e-3, 1e-3));
      const gs = grads[1].dataSync();
      for (let k = 0; k < b * L; k++) if (mask[k] === 0) for (let d = 0; d < D; d++) expect(gs[k * D + d]).toBe(0);
      tf.dispose([qt, st, mt, w.Wq, w.Wo, w.bg, ct, ...grads]);
    });
  });

  it('runs C candidates per row ([b, C, D]) exactly as C separate rows sharing the memory', async () => {
    await expectNoLeak(() => {
      const { qt, st, mt, w } = tensors();
      const C2 = 3;
      const q3 = tf.tensor3d(testFloats(b * C2 * D, 18), [b, C2, D]);
      const r3 = episodicRead(q3, st, mt, w, 2, 0.9);
      expect(r3.shape).toEqual([b, C2, D]);
      const qs = q3.dataSync();
      const want = Array.from({ length: b * C2 }, (_, k) => refEpisodes(rowOf(qs, k), slotsOf(S, Math.floor(k / C2)), Wq, Wo, bg, 2, 0.9)).flat();
      expectClose(r3.dataSync(), want, 1e-5, 1e-4);
      tf.dispose([qt, st, mt, w.Wq, w.Wo, w.bg, q3, r3]);
    });
  });

  it('keeps tf.memory().numTensors flat over many forward and backward passes', async () => {
    const { qt, st, mt, w } = tensors();
    await expectNoLeak(() => {
      for (let t = 0; t < 50; t++) {
        const [g] = tf.grads((s: tf.Tensor) => tf.sum(episodicRead(qt, s as tf.Tensor3D, mt, w, 2)))([st]);
        g.dispose();
      }
    });
    tf.dispose([qt, st, mt, w.Wq, w.Wo, w.bg]);
  });
});

describe('episodicReadHost', () => {
  it('equals the reference for many queries against one memory (with or without a precomputed query gate), and handles an empty memory', () => {
    const nq = 7;
    const queries = testFloats(nq * D, 17);
    const slots = S.subarray(0, L * D);
    const want = Array.from({ length: nq }, (_, r) => refEpisodes(rowOf(queries, r), slotsOf(S, 0), Wq, Wo, bg, 2, 0.9)).flat();
    const inputs = { queries, slots, length: 3, dim: D, Wq, Wo, bg, hops: 2, temperature: 0.9 };
    expectClose(episodicReadHost(inputs, new Float32Array(nq * D)), want, 1e-6, 1e-5);
    const gate = episodicQueryGate(queries, Wq, bg, D);
    expectClose(episodicReadHost({ ...inputs, queryGate: gate }, new Float32Array(nq * D)), want, 1e-6, 1e-5);
    const empty = Array.from({ length: nq }, (_, r) => refEpisodes(rowOf(queries, r), [], Wq, Wo, bg, 2, 0.9)).flat();
    expectClose(episodicReadHost({ ...inputs, length: 0 }, new Float32Array(nq * D)), empty, 1e-6, 1e-5);
  });
});
