import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding } from '@memrec/core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, testFloats } from '@memrec/test-helpers';
import { GruLayer, gruCell } from './gru';

// ---- per-example reference, float64 (Cho et al. 2014; gates z, r, n) ----
const sig = (x: number) => 1 / (1 + Math.exp(-x));
function refCell(x: ArrayLike<number>, h: ArrayLike<number>, U: ArrayLike<number>, bias: ArrayLike<number>, H: number): number[] {
  const G = 3 * H;
  const pre = (g: number, hv: ArrayLike<number>) => {
    let acc = x[g] + bias[g];
    for (let k = 0; k < H; k++) acc += hv[k] * U[k * G + g];
    return acc;
  };
  const z = Array.from({ length: H }, (_, j) => sig(pre(j, h)));
  const r = Array.from({ length: H }, (_, j) => sig(pre(H + j, h)));
  const rh = Array.from({ length: H }, (_, k) => r[k] * h[k]);
  const n = Array.from({ length: H }, (_, j) => Math.tanh(pre(2 * H + j, rh)));
  return Array.from({ length: H }, (_, j) => (1 - z[j]) * h[j] + z[j] * n[j]);
}

const b = 3;
const H = 4;
const G = 3 * H;
const X = testFloats(b * G, 31);
const Hs = testFloats(b * H, 32, 0.9);
const U = testFloats(H * G, 33, 0.7);
const B = testFloats(G, 34, 0.3);
const C = testFloats(b * H, 35);
const refAll = (x: ArrayLike<number>, h: ArrayLike<number>, u: ArrayLike<number>, bias: ArrayLike<number>) =>
  Array.from({ length: b }, (_, t) => refCell(Array.from(x).slice(t * G, (t + 1) * G), Array.from(h).slice(t * H, (t + 1) * H), u, bias, H)).flat();

describeWithBackends('gruCell', () => {
  it('equals the per-example reference', async () => {
    await expectNoLeak(() => {
      const ins = [tf.tensor2d(X, [b, G]), tf.tensor2d(Hs, [b, H]), tf.tensor2d(U, [H, G]), tf.tensor1d(B)] as const;
      const out = gruCell(...ins);
      expect(out.shape).toEqual([b, H]);
      expectClose(out.dataSync(), refAll(X, Hs, U, B), 1e-5, 1e-5);
      tf.dispose([...ins, out]);
    });
  });

  it('gradients in the input projection, the state, U and the bias equal finite differences', async () => {
    const f = (x: ArrayLike<number>, h: ArrayLike<number>, u: ArrayLike<number>, bias: ArrayLike<number>) => refAll(x, h, u, bias).reduce((acc, v, k) => acc + v * C[k], 0);
    const fd = [finiteDiffGrad((p) => f(p, Hs, U, B), X, 1e-4), finiteDiffGrad((p) => f(X, p, U, B), Hs, 1e-4), finiteDiffGrad((p) => f(X, Hs, p, B), U, 1e-4), finiteDiffGrad((p) => f(X, Hs, U, p), B, 1e-4)];
    await expectNoLeak(() => {
      const ins = [tf.tensor2d(X, [b, G]), tf.tensor2d(Hs, [b, H]), tf.tensor2d(U, [H, G]), tf.tensor1d(B)];
      const ct = tf.tensor2d(C, [b, H]);
      const gs = tf.grads((x: tf.Tensor, h: tf.Tensor, u: tf.Tensor, bias: tf.Tensor) => tf.sum(tf.mul(gruCell(x as tf.Tensor2D, h as tf.Tensor2D, u as tf.Tensor2D, bias as tf.Tensor1D), ct)))(ins);
      gs.forEach((g, k) => expectClose(g.dataSync(), fd[k], 1e-3, 1e-3));
      tf.dispose([...ins, ct, ...gs]);
    });
  });
});

describeWithBackends('GruLayer', () => {
  it('step reads the sparse input rows; stepHost equals step (also in place, and from a zero state)', async () => {
    const gru = new GruLayer({ inputs: 9, hidden: H, seed: 5 });
    const ids = Int32Array.of(7, 0, 7);
    const Uv = gru.U.dataSync();
    const Bv = gru.bias.dataSync();
    const want = refAll(gru.input.gather(ids), Hs, Uv, Bv);
    await expectNoLeak(() => {
      const ht = tf.tensor2d(Hs, [b, H]);
      const out = gru.step(ids, ht);
      expectClose(out.dataSync(), want, 1e-5, 1e-5);
      tf.dispose([ht, out]);
    });
    expectClose(gru.stepHost(ids, Hs, new Float32Array(b * H)), want, 1e-5, 1e-5);
    const h = Float32Array.from(Hs);
    expect(gru.stepHost(ids, h, h)).toBe(h);
    expectClose(h, want, 1e-5, 1e-5);
    expectClose(gru.stepHost(ids, new Float32Array(b * H), new Float32Array(b * H)), refAll(gru.input.gather(ids), new Float32Array(b * H), Uv, Bv), 1e-5, 1e-5);
    gru.dispose();
  });

  it('gradHost equals tf.grads of gruCell (input rows, U, bias) and its hNext equals stepHost', async () => {
    const gru = new GruLayer({ inputs: 9, hidden: H, seed: 6 });
    const ids = Int32Array.of(2, 8, 2);
    const h = Float32Array.from(Hs);
    h.fill(0, 2 * H, 3 * H); // a zero state (a session start) too
    const g = gru.gradHost(ids, h, C);
    expectClose(g.hNext, gru.stepHost(ids, h, new Float32Array(b * H)), 1e-6, 1e-6);
    await expectNoLeak(() => {
      const xt = gru.input.lookup(ids);
      const ht = tf.tensor2d(h, [b, H]);
      const ct = tf.tensor2d(C, [b, H]);
      const gs = tf.grads((x: tf.Tensor, u: tf.Tensor, bias: tf.Tensor) => tf.sum(tf.mul(gruCell(x as tf.Tensor2D, ht, u as tf.Tensor2D, bias as tf.Tensor1D), ct)))([xt, gru.U, gru.bias]);
      expectClose(g.gInput, gs[0].dataSync(), 1e-5, 1e-4);
      expectClose(g.gU, gs[1].dataSync(), 1e-5, 1e-4);
      expectClose(g.gBias, gs[2].dataSync(), 1e-5, 1e-4);
      tf.dispose([xt, ht, ct, ...gs]);
    });
    const late = gru.gradHost(ids, h, (hNext) => Float32Array.from(hNext, (_, k) => C[k]));
    expect(Array.from(late.gU)).toEqual(Array.from(g.gU));
    gru.dispose();
  });

  it('a training step moves only the looked-up input rows, and U and the bias', () => {
    const gru = new GruLayer({ inputs: 6, hidden: H, seed: 2, optimizer: { kind: 'sgd', learningRate: 0.5 }, denseOptimizer: tf.train.sgd(0.5) });
    const before = Float32Array.from(gru.input.data);
    const U0 = Float32Array.from(gru.U.dataSync());
    const ids = Int32Array.of(1, 4);
    const ht = tf.tensor2d(Hs.subarray(0, 2 * H), [2, H]);
    const xt = gru.input.lookup(ids);
    const [gx, gu, gb] = tf.grads((x: tf.Tensor, u: tf.Tensor, bias: tf.Tensor) => tf.sum(gruCell(x as tf.Tensor2D, ht, u as tf.Tensor2D, bias as tf.Tensor1D)))([xt, gru.U, gru.bias]);
    gru.applyGradients(ids, gx, gu, gb);
    for (let r = 0; r < 6; r++) {
      const moved = gru.input.data.subarray(r * G, (r + 1) * G).some((v, k) => v !== before[r * G + k]);
      expect(moved).toBe(r === 1 || r === 4);
    }
    expect(gru.U.dataSync().some((v, k) => v !== U0[k])).toBe(true);
    tf.dispose([ht, xt, gx, gu, gb]);
    gru.dispose();
  });
});

describe('GruLayer state and errors', () => {
  it('round-trips U and the bias through bytes, with a shared input side', () => {
    const gru = new GruLayer({ inputs: 5, hidden: H, seed: 8 });
    const again = new GruLayer({ input: SparseEmbedding.fromBytes(gru.input.toBytes()), hidden: H, seed: 99 });
    again.stateFromBytes(gru.stateToBytes());
    const h = testFloats(2 * H, 3);
    expect(Array.from(again.stepHost(Int32Array.of(3, 4), h, new Float32Array(2 * H)))).toEqual(Array.from(gru.stepHost(Int32Array.of(3, 4), h, new Float32Array(2 * H))));
    expect(() => new GruLayer({ inputs: 5, hidden: 2 }).stateFromBytes(gru.stateToBytes())).toThrow(`GruLayer.stateFromBytes: hidden must be 2 (this layer), got ${H}`);
    gru.dispose();
    again.dispose();
  });

  it('errors name the function, the argument and the bad value', () => {
    const gru = new GruLayer({ inputs: 5, hidden: H });
    expect(() => gru.stepHost(Int32Array.of(5), new Float32Array(H), new Float32Array(H))).toThrow('GruLayer.stepHost: ids[0] must be an integer id in [0, 5), got 5');
    expect(() => gru.stepHost(Int32Array.of(1, 2), new Float32Array(H), new Float32Array(2 * H))).toThrow(`GruLayer.stepHost: h must be a Float32Array of length >= ${2 * H}, got Float32Array(${H})`);
    expect(() => new GruLayer({ hidden: H })).toThrow('GruLayer: inputs must be an integer >= 0, got undefined');
    expect(() => new GruLayer({ input: new SparseEmbedding({ rows: 2, dim: 5 }), hidden: H })).toThrow(`GruLayer: input must be a SparseEmbedding of dim 3 * hidden = ${G}, got "dim 5"`);
    gru.dispose();
  });

  it('keeps tf.memory().numTensors flat over a long stream of training steps and host steps', async () => {
    const gru = new GruLayer({ inputs: 20, hidden: H, seed: 1 });
    const state = new Float32Array(5 * H);
    const run = (from: number, to: number) => {
      for (let t = from; t < to; t++) {
        const ids = Int32Array.of(t % 20, (t * 3) % 20);
        const ht = tf.tensor2d(state.subarray(0, 2 * H), [2, H]);
        const xt = gru.input.lookup(ids);
        const [gx, gu, gb] = tf.grads((x: tf.Tensor, u: tf.Tensor, bias: tf.Tensor) => tf.sum(tf.square(gruCell(x as tf.Tensor2D, ht, u as tf.Tensor2D, bias as tf.Tensor1D))))([xt, gru.U, gru.bias]);
        gru.applyGradients(ids, gx, gu, gb);
        tf.dispose([ht, xt, gx, gu, gb]);
        gru.stepHost(ids, state, state);
      }
    };
    run(0, 1); // the first dense step creates Adam's moment variables (4), which live as long as the layer
    await expectNoLeak(() => run(1, 200));
    gru.dispose();
  });
});
