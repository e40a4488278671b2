import * as tf from '@tensorflow/tfjs-core';
import { randInt, seededRng, SparseEmbedding } from '@memrec/core';
import { expectClose, expectNoLeak, testFloats, useCpuBackend } from '@memrec/test-helpers';
import { CollaborativeMemory } from './collaborative-memory';
import { CmnScorer } from './cmn-scorer';

useCpuBackend();

const NU = 40;
const NI = 30;
const D = 7; // the 4-wide loops' remainder; 18 below also takes the 16-column groups of the wasm kernel

/**
 * A seeded layer whose neighbourhoods have every size from 0 to the cap of 6: item i has
 * min(i mod 9, ...) distinct users (items 0, 9, 18, 27 have none; items with 7 or 8 are capped).
 */
function layer(hops: number, seed = 1, d = D): CollaborativeMemory {
  const rng = seededRng(seed);
  const users: number[] = [];
  const items: number[] = [];
  for (let i = 0; i < NI; i++) {
    for (let k = 0; k < i % 9; k++) {
      users.push(randInt(rng, NU));
      items.push(i);
    }
  }
  return new CollaborativeMemory({
    numUsers: NU, numItems: NI, dim: d, hops, maxNeighbours: 6, seed,
    interactions: { users: Int32Array.from(users), items: Int32Array.from(items) },
    optimizer: { kind: 'sgd', learningRate: 0.5 }, init: { kind: 'normal', std: 0.6 }, denseOptimizer: tf.train.sgd(0.5),
  });
}

/** Plain float64 CMN score from the layer's current tables and weights (the per-example definition). */
function reference(cmn: CollaborativeMemory, u: number, i: number): number {
  const d = cmn.dim;
  const m = cmn.userMemory.data;
  const c = cmn.outputMemory.data;
  const e = cmn.itemMemory.data;
  const w = cmn.weights;
  const mat = (t: tf.Tensor) => Array.from(t.dataSync());
  const row = (x: Float32Array, r: number) => Array.from(x.subarray(r * d, (r + 1) * d));
  const vecMat = (x: number[], W: number[]) => Array.from({ length: W.length / x.length }, (_, k) => x.reduce((s, xj, j) => s + xj * W[j * (W.length / x.length) + k], 0));
  const nb = Array.from(cmn.neighbourhoods.of(i));
  const hop = (z: number[]) => {
    if (nb.length === 0) return z.map(() => 0);
    const q = nb.map((v) => row(m, v).reduce((s, x, k) => s + x * z[k], 0));
    const mx = Math.max(...q);
    const ex = q.map((x) => Math.exp(x - mx));
    const sum = ex.reduce((a, b) => a + b, 0);
    return z.map((_, k) => nb.reduce((s, v, j) => s + (ex[j] / sum) * c[v * d + k], 0));
  };
  const mu = row(m, u);
  const ei = row(e, i);
  let z = mu.map((x, k) => x + ei[k]);
  let o = hop(z);
  w.hopW.forEach((W, h) => {
    const b = mat(w.hopB[h]);
    z = vecMat(z, mat(W)).map((x, k) => Math.max(0, x + o[k] + b[k]));
    o = hop(z);
  });
  const a = vecMat(mu.map((x, k) => x * ei[k]), mat(w.U1));
  const g = vecMat(o, mat(w.U2));
  const bU = mat(w.bU);
  const v = mat(w.v);
  return a.reduce((s, x, k) => s + Math.max(0, x + g[k] + bU[k]) * v[k], 0);
}

const USERS = Int32Array.of(3, 0, 17, 39);
const allRef = (cmn: CollaborativeMemory, users = USERS) => Array.from(users).flatMap((u) => Array.from({ length: NI }, (_, i) => reference(cmn, u, i)));

describe('CmnScorer kernels', () => {
  it('takes the WebAssembly SIMD kernel by default under Node', () => {
    const cmn = layer(2);
    expect(new CmnScorer(cmn).kernelKind).toBe('wasm');
    expect(new CmnScorer(cmn, { kernel: 'js' }).kernelKind).toBe('js');
    expect(() => new CmnScorer(cmn, { kernel: 'gpu' as 'js' })).toThrow('CmnScorer: options.kernel must be one of auto, wasm, js, got "gpu"');
    cmn.dispose();
  });

  for (const kernel of ['wasm', 'js'] as const) {
    for (const [hops, d] of [[1, 7], [2, 7], [3, 7], [1, 18], [2, 18], [3, 18], [2, 4], [2, 16]]) {
      it(`${kernel}, ${hops} hop(s), d ${d}: equals the float64 reference`, async () => {
        const cmn = layer(hops, 4, d);
        const ref = allRef(cmn);
        await expectNoLeak(() => expectClose(new CmnScorer(cmn, { kernel }).scoreAll(USERS), ref, 1e-6, 1e-5));
        expect(Math.max(...ref.map(Math.abs))).toBeGreaterThan(1e-2);
        cmn.dispose();
      });
    }
  }
});

describe('CollaborativeMemory.scoreAll: cached and batched paths', () => {
  for (const hops of [1, 2, 3]) {
    it(`${hops} hop(s): both paths equal the float64 reference (padded, capped and empty neighbourhoods)`, async () => {
      const cmn = layer(hops);
      expect(new Set(Array.from({ length: NI }, (_, i) => cmn.neighbourhoods.size(i)))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
      const ref = allRef(cmn);
      await expectNoLeak(() => {
        const cached = cmn.scoreAll(USERS, { path: 'cached' });
        const batched = cmn.scoreAll(USERS, { path: 'batched' });
        expectClose(cached, ref, 1e-6, 1e-5);
        expectClose(batched, ref, 1e-6, 1e-5);
        expectClose(cached, batched, 1e-6, 1e-5);
        // score() of single pairs agrees too
        const r = cmn.score(Int32Array.of(17, 17, 3), Int32Array.of(0, 8, 29));
        expectClose(r.dataSync(), [ref[2 * NI], ref[2 * NI + 8], ref[29]], 1e-6, 1e-5);
        r.dispose();
      });
      expect(Math.max(...ref.map(Math.abs))).toBeGreaterThan(1e-2);
      cmn.dispose();
    });
  }

  it('auto takes the cached path (it builds the cache), batched does not touch it', () => {
    const cmn = layer(2);
    const many = Int32Array.from({ length: 12 }, (_, k) => k);
    const auto = cmn.scoreAll(many);
    expect(cmn.cacheBuilds).toBe(1);
    cmn.invalidateCache();
    expectClose(cmn.scoreAll(many, { path: 'batched' }), auto, 1e-6, 1e-5);
    expect(cmn.cacheBuilds).toBe(1);
    expect(() => cmn.scoreAll(many, { path: 'fast' as 'cached' })).toThrow('CollaborativeMemory.scoreAll: options.path must be one of auto, cached, batched, got "fast"');
    cmn.dispose();
  });

  for (const kernel of ['wasm', 'js'] as const) {
    it(`${kernel}: hop-1 weights whose cached exponentials underflow are recomputed directly (no NaN)`, () => {
      const cmn = layer(2, 3);
      const d = D;
      const m = cmn.userMemory.data;
      for (let k = 0; k < NU * d; k++) m[k] *= 25; // logits m_u . m_v in the thousands
      const u = 5;
      const s = Array.from({ length: NU }, (_, v) => Array.from({ length: d }, (_, k) => m[u * d + k] * m[v * d + k]).reduce((a, b) => a + b, 0));
      const smax = Math.max(...s);
      // some non-empty neighbourhood lies entirely > 800 below the user's best logit: exp underflows to 0
      const far = Array.from({ length: NI }, (_, i) => i).filter((i) => cmn.neighbourhoods.size(i) > 0 && Math.max(...Array.from(cmn.neighbourhoods.of(i), (v) => s[v])) < smax - 800);
      expect(far.length).toBeGreaterThan(0);
      const got = new CmnScorer(cmn, { kernel }).scoreAll(Int32Array.of(u));
      expect(Array.from(got).every(Number.isFinite)).toBe(true);
      expectClose(got, allRef(cmn, Int32Array.of(u)), 1e-5, 1e-5);
      cmn.dispose();
    });
  }
});

describe('CollaborativeMemory.scoreAll cache invalidation', () => {
  const d = D;
  const changes: [string, (cmn: CollaborativeMemory) => void][] = [
    ['trainStep', (cmn) => cmn.trainStep(Int32Array.of(1, 2), Int32Array.of(5, 14), Int32Array.of(3, 4, 6, 7))],
    ['initFromEmbeddings', (cmn) => cmn.initFromEmbeddings(testFloats(NU * d, 5, 0.5), new SparseEmbedding({ rows: NI, dim: d, seed: 6, init: { kind: 'normal', std: 0.5 } }))],
    ['a write into userMemory.data', (cmn) => { cmn.userMemory.data[6 * d + 2] += 0.75; }],
    ['a write into outputMemory.row(v)', (cmn) => cmn.outputMemory.row(Array.from(cmn.neighbourhoods.of(8))[0]).fill(0.3)],
    ['itemMemory.applyGradients', (cmn) => cmn.itemMemory.applyGradients(Int32Array.of(11, 12), testFloats(2 * d, 7))],
    ['assign to the hop bias b_2', (cmn) => cmn.weights.hopB[0].assign(tf.tensor1d(testFloats(d, 8)))],
    ['assign to U2', (cmn) => cmn.weights.U2.assign(tf.tensor2d(testFloats(d * d, 9), [d, d]))],
    ['assign to v', (cmn) => cmn.weights.v.assign(tf.tensor2d(testFloats(d, 10), [d, 1]))],
  ];
  for (const [what, change] of changes) {
    it(`rebuilds after ${what} and scores with the new weights`, () => {
      const cmn = layer(2);
      const before = cmn.scoreAll(USERS, { path: 'cached' });
      expect(cmn.cacheBuilds).toBe(1);
      tf.tidy(() => change(cmn));
      const after = cmn.scoreAll(USERS, { path: 'cached' });
      expect(cmn.cacheBuilds).toBe(2);
      expectClose(after, allRef(cmn), 1e-6, 1e-5);
      expect(Array.from(after)).not.toEqual(Array.from(before));
      cmn.dispose();
    });
  }

  it('keeps the cache while nothing changes, and after writing back an identical value', () => {
    const cmn = layer(2);
    const first = cmn.scoreAll(USERS, { path: 'cached' });
    cmn.userMemory.data[4] = cmn.userMemory.data[4] + 0; // same bits
    const again = cmn.scoreAll(USERS, { path: 'cached' });
    cmn.score(Int32Array.of(1), Int32Array.of(2)).dispose();
    cmn.scoreAll(USERS, { path: 'batched' });
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(cmn.cacheBuilds).toBe(1);
    cmn.invalidateCache();
    expect(Array.from(cmn.scoreAll(USERS, { path: 'cached' }))).toEqual(Array.from(first));
    expect(cmn.cacheBuilds).toBe(2);
    cmn.dispose();
  });

  it('a cached scoreAll interleaved with training leaks no tensors', async () => {
    const cmn = layer(3);
    await expectNoLeak(() => {
      for (let s = 0; s < 20; s++) {
        cmn.trainStep(Int32Array.of(s % NU), Int32Array.of(s % NI), Int32Array.of((s + 4) % NI, (s + 9) % NI));
        cmn.scoreAll(Int32Array.of((s * 7) % NU), { path: 'cached' });
      }
    });
    expect(cmn.cacheBuilds).toBe(20);
    cmn.dispose();
  });
});
