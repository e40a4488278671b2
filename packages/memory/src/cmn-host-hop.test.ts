import * as tf from '@tensorflow/tfjs-core';
import { randInt, seededRng } from '@memrec/core';
import { expectClose, expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { CollaborativeMemory } from './collaborative-memory';
import { cmnForward, type CmnWeights } from './cmn-ops';

useCpuBackend();

const NU = 30;
const NI = 20;

const pairs: [number[], number[]] = [[], []];

function layer(hops: number, d: number, kernel: 'wasm' | 'js', excludeSelf = true): CollaborativeMemory {
  const rng = seededRng(hops);
  const users: number[] = [];
  const items: number[] = [];
  for (let i = 0; i < NI; i++) {
    for (let k = 0; k < i % 7; k++) { // sizes 0..6, capped at 5: padded, capped and empty neighbourhoods
      users.push(randInt(rng, NU));
      items.push(i);
    }
  }
  pairs[0] = users;
  pairs[1] = items;
  return new CollaborativeMemory({
    numUsers: NU, numItems: NI, dim: d, hops, maxNeighbours: 5, seed: 2,
    interactions: { users: Int32Array.from(users), items: Int32Array.from(items) },
    optimizer: { kind: 'sgd', learningRate: 1 }, init: { kind: 'normal', std: 0.6 }, denseOptimizer: tf.train.sgd(1), kernel, excludeSelf,
  });
}

/**
 * Gradients of the mean BPR loss through the padded tensor path ({@link cmnForward} over
 * `[pairs, L, d]` neighbour copies with a mask), scattered onto full tables: the step the layer
 * took before its attention moved to the host. With `excludeSelf`, the mask also drops each
 * pair's own user from its neighbourhood.
 */
function paddedPathGradients(cmn: CollaborativeMemory, users: Int32Array, pos: Int32Array, neg: Int32Array, excludeSelf: boolean): Float64Array[] {
  const b = users.length;
  const n = neg.length / b;
  const pu = Int32Array.from({ length: b * (n + 1) }, (_, t) => (t < b ? users[t] : users[Math.floor((t - b) / n)]));
  const pi = Int32Array.from([...pos, ...neg]);
  const P = pu.length;
  const d = cmn.dim;
  const nb = cmn.neighbourhoods.pad(pi);
  if (excludeSelf) for (let t = 0; t < P * nb.L; t++) if (nb.ids[t] === pu[Math.floor(t / nb.L)]) nb.mask[t] = 0;
  const w = cmn.weights;
  const dense = [...w.hopW, ...w.hopB, w.U1, w.U2, w.bU, w.v];
  const k = w.hopW.length;
  let out: Float64Array[] = [];
  tf.tidy(() => {
    const mask = tf.tensor3d(nb.mask, [P, 1, nb.L]);
    const f = (mu: tf.Tensor, ei: tf.Tensor, mN: tf.Tensor, cN: tf.Tensor, ...x: tf.Tensor[]) => {
      const weights = { hopW: x.slice(0, k), hopB: x.slice(k, 2 * k), U1: x[2 * k], U2: x[2 * k + 1], bU: x[2 * k + 2], v: x[2 * k + 3] } as CmnWeights;
      const r = tf.reshape(cmnForward({ mu: tf.reshape(mu, [P, 1, d]) as tf.Tensor3D, ei: tf.reshape(ei, [P, 1, d]) as tf.Tensor3D, mN: tf.reshape(mN, [P, nb.L, d]) as tf.Tensor3D, cN: tf.reshape(cN, [P, nb.L, d]) as tf.Tensor3D, mask }, weights), [P]);
      const rp = tf.reshape(tf.tile(tf.reshape(tf.slice(r, [0], [b]), [b, 1]), [1, n]), [b * n]);
      return tf.mean(tf.softplus(tf.neg(tf.sub(rp, tf.slice(r, [b], [b * n]))))) as tf.Scalar;
    };
    const grads = tf.grads(f as (...a: tf.Tensor[]) => tf.Scalar)([cmn.userMemory.lookup(pu), cmn.itemMemory.lookup(pi), cmn.userMemory.lookup(nb.ids), cmn.outputMemory.lookup(nb.ids), ...dense]);
    const scatter = (rows: number, ids: Int32Array, g: tf.Tensor, keep: (t: number) => boolean = () => true, into = new Float64Array(rows * d)) => {
      const gv = g.dataSync();
      ids.forEach((id, t) => { if (keep(t)) for (let j = 0; j < d; j++) into[id * d + j] += gv[t * d + j]; });
      return into;
    };
    const real = (t: number) => nb.mask[t] === 1;
    const gm = scatter(NU, nb.ids, grads[2], real, scatter(NU, pu, grads[0]));
    const gc = scatter(NU, nb.ids, grads[3], real);
    const ge = scatter(NI, pi, grads[1]);
    out = [gm, gc, ge, ...grads.slice(4).map((g) => Float64Array.from(g.dataSync()))];
  });
  return out;
}

describe('CollaborativeMemory.trainStep with host attention', () => {
  for (const kernel of ['wasm', 'js'] as const) {
    for (const [hops, d, excludeSelf] of [[1, 6, true], [2, 6, true], [3, 6, true], [2, 18, true], [3, 16, true], [2, 6, false], [3, 16, false]] as const) {
      it(`${kernel}, ${hops} hop(s), d ${d}, excludeSelf ${excludeSelf}: one SGD step (lr 1) moves every table row and weight by the padded path's gradient`, async () => {
        const cmn = layer(hops, d, kernel, excludeSelf);
        const rng = seededRng(10 + hops);
        // positives are training pairs, so most pairs find their own user in their item's neighbourhood
        const picks = Array.from({ length: 12 }, () => randInt(rng, pairs[0].length));
        const users = Int32Array.from(picks, (k) => pairs[0][k]);
        const pos = Int32Array.from(picks, (k) => pairs[1][k]);
        const neg = Int32Array.from({ length: 36 }, () => randInt(rng, NI));
        const selfSeen = Array.from(users).filter((u, t) => cmn.neighbourhoods.of(pos[t]).includes(u)).length;
        expect(selfSeen).toBeGreaterThan(3);
        const want = paddedPathGradients(cmn, users, pos, neg, excludeSelf);
        const before = snapshot(cmn);
        await expectNoLeak(() => cmn.trainStep(users, pos, neg));
        const after = snapshot(cmn);
        before.forEach((x, k) => expectClose(x.map((v, j) => v - after[k][j]), want[k], 1e-6, 1e-5));
        expect(Math.max(...want.slice(0, 3).map((g) => Math.max(...Array.from(g, Math.abs))))).toBeGreaterThan(1e-3);
        cmn.dispose();
      });
    }
  }

  it('wasm and js kernels stay together over steps of changing batches (d 7: padded columns)', () => {
    const [a, b] = (['wasm', 'js'] as const).map((k) => layer(3, 7, k));
    const rng = seededRng(5);
    for (let step = 0; step < 6; step++) {
      const B = 2 + step * 3; // batch layouts grow and shrink the kernel's memory use
      const users = Int32Array.from({ length: B }, () => randInt(rng, NU));
      const pos = Int32Array.from({ length: B }, () => randInt(rng, NI));
      const neg = Int32Array.from({ length: 2 * B }, () => randInt(rng, NI));
      expect(a.trainStep(users, pos, neg)).toBeCloseTo(b.trainStep(users, pos, neg), 5);
      snapshot(a).forEach((x, k) => expectClose(x, snapshot(b)[k], 1e-5, 1e-4));
    }
    a.dispose();
    b.dispose();
  });

  it('the kernel option is checked', () => {
    expect(() => layer(2, 4, 'gpu' as 'js')).toThrow('CollaborativeMemory: kernel must be one of auto, wasm, js, got "gpu"');
  });
});

function snapshot(cmn: CollaborativeMemory): Float64Array[] {
  const w = cmn.weights;
  return [cmn.userMemory.data, cmn.outputMemory.data, cmn.itemMemory.data, ...[...w.hopW, ...w.hopB, w.U1, w.U2, w.bU, w.v].map((v) => v.dataSync())].map((x) => Float64Array.from(x));
}
