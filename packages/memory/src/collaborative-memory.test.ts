import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding } from '@memrec/core';
import { describeWithBackends, expectNoLeak, expectClose, finiteDiffGrad, testFloats } from '@memrec/test-helpers';
import { CollaborativeMemory, type CollaborativeMemoryOptions } from './collaborative-memory';
import { cmnForward } from './cmn-ops';
import { Neighbourhoods } from './neighbourhoods';

// ---- naive reference: loops over pairs, neighbours and dimensions, float64 ----
type Vec = number[];
interface Params { m: Vec[]; c: Vec[]; e: Vec[]; hopW: Vec[][]; hopB: Vec[]; U1: Vec[]; U2: Vec[]; bU: Vec; v: Vec }
const dot = (a: Vec, b: Vec) => a.reduce((s, x, k) => s + x * b[k], 0);
const vecMat = (x: Vec, W: Vec[]) => W[0].map((_, k) => x.reduce((s, xj, j) => s + xj * W[j][k], 0));
const relu = (x: number) => Math.max(0, x);
function refScore(p: Params, u: number, i: number, nb: ArrayLike<number>): number {
  const hop = (z: Vec) => {
    const q = Array.from(nb, (v) => dot(z, p.m[v]));
    const mx = Math.max(...q);
    const ex = q.map((x) => Math.exp(x - mx));
    const s = ex.reduce((a, b) => a + b, 0);
    const o = new Array(z.length).fill(0);
    Array.from(nb).forEach((v, k) => p.c[v].forEach((cv, d) => (o[d] += (ex[k] / s) * cv)));
    return nb.length === 0 ? o.map(() => 0) : o;
  };
  let z = p.m[u].map((x, d) => x + p.e[i][d]);
  let o = hop(z);
  for (let h = 0; h < p.hopW.length; h++) {
    const zw = vecMat(z, p.hopW[h]);
    z = zw.map((x, d) => relu(x + o[d] + p.hopB[h][d]));
    o = hop(z);
  }
  const gmf = p.m[u].map((x, d) => x * p.e[i][d]);
  const a = vecMat(gmf, p.U1);
  const b = vecMat(o, p.U2);
  const hidden = a.map((x, k) => relu(x + b[k] + p.bU[k]));
  return dot(hidden, p.v);
}
const rows = (x: ArrayLike<number>, n: number, d: number, off = 0): Vec[] => Array.from({ length: n }, (_, r) => Array.from({ length: d }, (_, k) => x[off + r * d + k]));

const NU = 5;
const NI = 4;
const d = 3;
// item 0: users {0, 2, 4}; item 1: {1}; item 2: {0, 1, 2, 3}; item 3: none
const train = { users: Int32Array.of(0, 2, 4, 1, 0, 1, 2, 3, 2), items: Int32Array.of(0, 0, 0, 1, 2, 2, 2, 2, 0) };
function make(extra: Partial<CollaborativeMemoryOptions> = {}) {
  return new CollaborativeMemory({ numUsers: NU, numItems: NI, dim: d, interactions: train, seed: 5, optimizer: { kind: 'sgd', learningRate: 1 }, init: { kind: 'normal', std: 0.7 }, ...extra });
}
/** Flat parameter vector of a layer: tables m, c, e, then dense weights in the layer's order. */
function flatParams(cmn: CollaborativeMemory): number[] {
  const w = cmn.weights;
  return [cmn.userMemory.data, cmn.outputMemory.data, cmn.itemMemory.data, ...[...w.hopW, ...w.hopB, w.U1, w.U2, w.bU, w.v].map((v) => v.dataSync())].flatMap((a) => Array.from(a));
}
function unflat(x: ArrayLike<number>, hops: number): Params {
  let off = 0;
  const take = (n: number, dd: number) => { const r = rows(x, n, dd, off); off += n * dd; return r; };
  const m = take(NU, d), c = take(NU, d), e = take(NI, d);
  const hopW = Array.from({ length: hops - 1 }, () => take(d, d));
  const hopB = Array.from({ length: hops - 1 }, () => take(1, d)[0]);
  const U1 = take(d, d), U2 = take(d, d), bU = take(1, d)[0], v = take(d, 1).map((r) => r[0]);
  return { m, c, e, hopW, hopB, U1, U2, bU, v };
}

describe('Neighbourhoods', () => {
  it('holds the distinct training users of each item, sorted, and pads with a mask', () => {
    const nb = new Neighbourhoods({ ...train, numUsers: NU, numItems: NI, maxNeighbours: 10 });
    expect([0, 1, 2, 3].map((i) => Array.from(nb.of(i)))).toEqual([[0, 2, 4], [1], [0, 1, 2, 3], []]);
    const p = nb.pad(Int32Array.of(1, 3, 0));
    expect(p.L).toBe(3);
    expect(Array.from(p.ids)).toEqual([1, 0, 0, 0, 0, 0, 0, 2, 4]);
    expect(Array.from(p.mask)).toEqual([1, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('caps popular items with a seeded sample of their users', () => {
    const users = Int32Array.from({ length: 200 }, (_, t) => t % 100);
    const items = Int32Array.from({ length: 200 }, (_, t) => (t < 100 ? 0 : 1 + (t % 3)));
    const a = new Neighbourhoods({ users, items, numUsers: 100, numItems: 4, maxNeighbours: 16, seed: 1 });
    const b = new Neighbourhoods({ users, items, numUsers: 100, numItems: 4, maxNeighbours: 16, seed: 1 });
    const c = new Neighbourhoods({ users, items, numUsers: 100, numItems: 4, maxNeighbours: 16, seed: 2 });
    expect(a.size(0)).toBe(16);
    expect(new Set(a.of(0)).size).toBe(16);
    expect(Array.from(a.of(0))).toEqual(Array.from(b.of(0)));
    expect(Array.from(a.of(0))).not.toEqual(Array.from(c.of(0)));
    expect(Array.from(a.of(0)).every((u, k, arr) => u >= 0 && u < 100 && (k === 0 || arr[k - 1] < u))).toBe(true);
    expect(a.size(1)).toBe(16); // 34 users, capped
  });
});

describeWithBackends('CollaborativeMemory forward equals the per-example reference', () => {
  for (const hops of [1, 2, 3]) {
    it(`${hops} hop(s): score and scoreAll`, async () => {
      const cmn = make({ hops });
      const p = unflat(flatParams(cmn), hops);
      const us = Int32Array.of(0, 3, 4, 1, 2);
      const its = Int32Array.of(0, 2, 3, 1, 2);
      await expectNoLeak(() => {
        const r = cmn.score(us, its);
        expectClose(r.dataSync(), Array.from(us, (u, t) => refScore(p, u, its[t], cmn.neighbourhoods.of(its[t]))), 1e-5, 0);
        r.dispose();
        const all = cmn.scoreAll(Int32Array.of(3, 0));
        expectClose(all, [3, 0].flatMap((u) => [0, 1, 2, 3].map((i) => refScore(p, u, i, cmn.neighbourhoods.of(i)))), 1e-5, 0);
      });
      cmn.dispose();
    });
  }
});

describeWithBackends('CollaborativeMemory masks', () => {
  it('changing a padded slot changes neither scores nor real gradients, and padded slots get zero gradient', () => {
    const cmn = make();
    const w = cmn.weights;
    const weights = { hopW: w.hopW, hopB: w.hopB, U1: w.U1, U2: w.U2, bU: w.bU, v: w.v } as Parameters<typeof cmnForward>[1];
    const run = (junk: number) => tf.tidy(() => {
      const mN = tf.tensor3d(Float32Array.from(testFloats(2 * 3 * d, 7), (x, k) => (k >= 3 * d + d ? junk * x : x)), [2, 3, d]);
      const cN = tf.tensor3d(Float32Array.from(testFloats(2 * 3 * d, 8), (x, k) => (k >= 3 * d + d ? junk * x : x)), [2, 3, d]);
      const mask = tf.tensor3d([1, 1, 1, 1, 0, 0], [2, 1, 3]);
      const mu = tf.tensor3d(testFloats(2 * d, 9), [2, 1, d]);
      const ei = tf.tensor3d(testFloats(2 * d, 10), [2, 1, d]);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(cmnForward({ mu, ei, mN: a as tf.Tensor3D, cN: b as tf.Tensor3D, mask }, weights)) as tf.Scalar;
      const { value, grads } = tf.valueAndGrads(f)([mN, cN]);
      return [value.dataSync()[0], Array.from(grads[0].dataSync()), Array.from(grads[1].dataSync())] as const;
    });
    const [v1, gm1, gc1] = run(1);
    const [v2, gm2, gc2] = run(100);
    expect(v2).toBe(v1);
    expect(gm2).toEqual(gm1);
    expect(gc2).toEqual(gc1);
    expect(gm1.slice(3 * d + d).every((g) => g === 0) && gc1.slice(3 * d + d).every((g) => g === 0)).toBe(true);
    expect(gm1.slice(0, 3 * d + d).some((g) => g !== 0)).toBe(true);
    cmn.dispose();
  });

  it('trainStep moves no row that appears only as padding (user 0 pads items 1 and 3; lazy Adam)', () => {
    const cmn = make({ optimizer: { kind: 'adam', learningRate: 0.1 } });
    const m0 = Array.from(cmn.userMemory.row(0));
    const c0 = Array.from(cmn.outputMemory.row(0));
    const c1 = Array.from(cmn.outputMemory.row(1));
    cmn.trainStep(Int32Array.of(3), Int32Array.of(1), Int32Array.of(3, 1)); // neighbourhoods {1}, {}: pads are id 0
    cmn.trainStep(Int32Array.of(3), Int32Array.of(1), Int32Array.of(3, 1));
    expect(Array.from(cmn.userMemory.row(0))).toEqual(m0);
    expect(Array.from(cmn.outputMemory.row(0))).toEqual(c0);
    expect(Array.from(cmn.outputMemory.row(1))).not.toEqual(c1); // the real neighbour of item 1 moves
    cmn.dispose();
  });
});

describeWithBackends('CollaborativeMemory.trainStep', () => {
  for (const [excludeSelf, l2] of [[true, 0], [false, 0], [true, 0.3]] as const) {
    it(`BPR loss and gradients of every table row and dense weight match finite differences (excludeSelf ${excludeSelf}, l2 ${l2})`, () => {
      const cmn = make({ denseOptimizer: tf.train.sgd(1), excludeSelf, l2 });
      const us = Int32Array.of(0, 3);
      const pos = Int32Array.of(2, 0);
      const neg = Int32Array.of(1, 3, 0, 0, 2, 1, 1, 3);
      // user 0 is in N(2) (its positive) and in N(0) (one of its negatives): excluded, or not
      const nbOf = (u: number, i: number) => Array.from(cmn.neighbourhoods.of(i)).filter((v) => !excludeSelf || v !== u);
      const x0 = flatParams(cmn);
      const f = (x: Float64Array) => {
        const p = unflat(x, 2);
        let total = 0;
        us.forEach((u, t) => {
          const rp = refScore(p, u, pos[t], nbOf(u, pos[t]));
          for (let k = 0; k < 4; k++) total += Math.log1p(Math.exp(-(rp - refScore(p, u, neg[4 * t + k], nbOf(u, neg[4 * t + k])))));
        });
        // L2 on the weight matrices W_h, U1, U2, v (not the biases): l2 / 2 * sum of squares
        const sq = [...p.hopW.flat(2), ...p.U1.flat(), ...p.U2.flat(), ...p.v].reduce((a, w) => a + w * w, 0);
        return total / 8 + (l2 / 2) * sq;
      };
      const g = finiteDiffGrad(f, x0, 1e-6);
      const loss = cmn.trainStep(us, pos, neg);
      expect(loss).toBeCloseTo(f(Float64Array.from(x0)), 5);
      const x1 = flatParams(cmn);
      expectClose(x0.map((x, k) => x - x1[k]), g, 1e-5, 1e-4);
      expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-3);
      cmn.dispose();
    });
  }

  it('a training positive does not attend over its own user: N(1) = {1} leaves c_1 still for (1, 1), and moves it with excludeSelf false', () => {
    for (const excludeSelf of [true, false]) {
      const cmn = make({ denseOptimizer: tf.train.sgd(1), excludeSelf });
      const c1 = cmn.outputMemory.data.slice(d, 2 * d);
      // user 1's positive is item 1, whose only neighbour is user 1; its negative, item 3, has none
      cmn.trainStep(Int32Array.of(1), Int32Array.of(1), Int32Array.of(3));
      const moved = cmn.outputMemory.data.slice(d, 2 * d).some((x, k) => x !== c1[k]);
      expect(moved).toBe(!excludeSelf);
      cmn.dispose();
    }
  });

  it('rmsprop steps every touched row and weight as TensorFlow 1 does (mean square from 1, momentum)', () => {
    const lr = 0.01;
    const opt = { kind: 'rmsprop' as const, learningRate: lr, decay: 0.9, momentum: 0.9 };
    const cmn = make({ optimizer: opt });
    const ref = make({ denseOptimizer: tf.train.sgd(1) }); // sgd lr 1: the step is the gradient
    const x0 = flatParams(cmn);
    const batch = [Int32Array.of(0, 3), Int32Array.of(2, 0), Int32Array.of(1, 3)] as const;
    ref.trainStep(...batch);
    const g = x0.map((x, k) => x - flatParams(ref)[k]);
    cmn.trainStep(...batch);
    // first step: ms = 0.9 + 0.1 g^2, mom = lr g / sqrt(ms), w -= mom (touched entries only: g = 0 leaves w)
    const want = x0.map((x, k) => x - (lr * g[k]) / Math.sqrt(0.9 + 0.1 * g[k] * g[k] + 1e-10));
    expectClose(flatParams(cmn), want, 1e-6, 1e-5);
    ref.dispose();
    cmn.dispose();
  });

  it('a passed loss function gets [b * n] positive and negative scores', () => {
    const cmn = make();
    let shapes: number[][] = [];
    cmn.trainStep(Int32Array.of(0, 1), Int32Array.of(2, 2), Int32Array.of(1, 3, 0, 1), (p, n) => { shapes = [p.shape, n.shape]; return tf.mean(tf.relu(tf.sub(n, p))) as tf.Scalar; });
    expect(shapes).toEqual([[4], [4]]);
    cmn.dispose();
  });

  it('leaks no tensors across 1,000 steps', async () => {
    const cmn = make({ denseOptimizer: tf.train.sgd(0.01), optimizer: { kind: 'sgd', learningRate: 0.01 } });
    await expectNoLeak(() => {
      for (let s = 0; s < 1000; s++) cmn.trainStep(Int32Array.of(s % NU), Int32Array.of(s % NI), Int32Array.of((s + 1) % NI, (s + 2) % NI));
    });
    expect(flatParams(cmn).every(Number.isFinite)).toBe(true);
    cmn.dispose();
  });
});

describeWithBackends('CollaborativeMemory setup and errors', () => {
  it('initFromEmbeddings copies pre-trained user and item embeddings into m and e', () => {
    const cmn = make();
    const u = new SparseEmbedding({ rows: NU, dim: d, seed: 3 });
    const i = testFloats(NI * d, 4);
    cmn.initFromEmbeddings(u, i);
    expect(Array.from(cmn.userMemory.data.subarray(0, NU * d))).toEqual(Array.from(u.data.subarray(0, NU * d)));
    expect(Array.from(cmn.itemMemory.data.subarray(0, NI * d))).toEqual(Array.from(i));
    expect(() => cmn.initFromEmbeddings(u, new Float32Array(5))).toThrow('CollaborativeMemory.initFromEmbeddings: itemEmb must be a Float32Array or SparseEmbedding of shape [4, 3] (12 values), got Float32Array(5)');
    cmn.dispose();
  });

  it('errors name the function, the argument and the bad value or shape', () => {
    expect(() => make({ hops: 0 })).toThrow('CollaborativeMemory: hops must be an integer >= 1, got 0');
    expect(() => make({ interactions: { users: Int32Array.of(7), items: Int32Array.of(0) } })).toThrow('Neighbourhoods: users[0] must be an integer id in [0, 5), got 7');
    const cmn = make();
    expect(() => cmn.score(Int32Array.of(0, 1), Int32Array.of(2))).toThrow('CollaborativeMemory.score: items must have length users.length (2), got 1');
    expect(() => cmn.trainStep(Int32Array.of(0, 1), Int32Array.of(2, 1), Int32Array.of(1, 2, 3))).toThrow('CollaborativeMemory.trainStep: negatives must have length users.length * n (a positive multiple of 2), got 3');
    expect(() => cmn.scoreAll(Int32Array.of(-1))).toThrow('CollaborativeMemory.scoreAll: users[0] must be an integer id in [0, 5), got -1');
    cmn.dispose();
  });
});
