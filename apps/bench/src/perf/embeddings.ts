/**
 * `pnpm bench:perf embeddings`: BPR-MF (6,040 users x 3,706 items x 64 dims, batch 1,024,
 * synthetic ids) trained three ways in one process:
 *  (a) tf.Variable tables + tf.gather + tf.train.adam (capped at a few steps),
 *  (b) SparseEmbedding tables + tfjs math on the chosen backend + lazy Adam,
 *  (c) a hand-written Float32Array loop computing the same gradients, applied by the same
 *      lazy Adam (the ceiling for this model).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding, seededRng, randInt, initBackend, activeBackend } from '@memrec/core';
import { timeIt, type PerfContext, type PerfResult } from './types';

const USERS = 6040;
const ITEMS = 3706;
const DIM = 64;
const BATCH = 1024;

function makeBatches(count: number, seed: number): Int32Array[][] {
  const rng = seededRng(seed);
  return Array.from({ length: count }, () => [
    Int32Array.from({ length: BATCH }, () => randInt(rng, USERS)),
    Int32Array.from({ length: BATCH }, () => randInt(rng, ITEMS)),
    Int32Array.from({ length: BATCH }, () => randInt(rng, ITEMS)),
  ]);
}

/** BPR loss mean(softplus(-(u.i - u.j))) on tensors. */
function bprLoss(u: tf.Tensor, i: tf.Tensor, j: tf.Tensor): tf.Scalar {
  const x = tf.sum(tf.mul(u, tf.sub(i, j)), 1);
  return tf.mean(tf.softplus(tf.neg(x))) as tf.Scalar;
}

async function denseVariant(ctx: PerfContext, batches: Int32Array[][]): Promise<{ perSecond: number; backend: string; steps: number; note: string }> {
  const original = activeBackend();
  let note = '';
  // tf.gather's gradient needs UnsortedSegmentSum, which wasm lacks: fall back to cpu and say so.
  if (tf.getKernel('UnsortedSegmentSum', tf.getBackend()) == null) {
    note = `UnsortedSegmentSum missing on ${original}; measured on cpu`;
    await initBackend({ backend: 'cpu', log: false });
  }
  const rng = seededRng(5);
  const init = (rows: number) => {
    const t = tf.tensor2d(Float32Array.from({ length: rows * DIM }, () => (rng() - 0.5) * 0.2), [rows, DIM]);
    const v = tf.variable(t);
    t.dispose();
    return v;
  };
  const U = init(USERS);
  const V = init(ITEMS);
  const opt = tf.train.adam(0.001);
  let k = 0;
  const maxSteps = ctx.quick ? 1 : 3;
  const r = await timeIt(
    () => {
      const [uu, ii, jj] = batches[k++ % batches.length];
      const cost = opt.minimize(() => {
        const ut = tf.tensor1d(uu, 'int32');
        const it = tf.tensor1d(ii, 'int32');
        const jt = tf.tensor1d(jj, 'int32');
        return bprLoss(tf.gather(U, ut), tf.gather(V, it), tf.gather(V, jt));
      }, true);
      cost?.dataSync();
      cost?.dispose();
    },
    0,
    0,
    maxSteps,
  );
  opt.dispose();
  tf.dispose([U, V]);
  if (activeBackend() !== original) await initBackend({ backend: original, log: false });
  return { perSecond: r.perSecond * BATCH, backend: note ? 'cpu' : original, steps: r.calls, note };
}

function sparseTables(): [SparseEmbedding, SparseEmbedding] {
  const opt = { kind: 'adam' as const, learningRate: 0.001 };
  return [
    new SparseEmbedding({ rows: USERS, dim: DIM, optimizer: opt, seed: 1 }),
    new SparseEmbedding({ rows: ITEMS, dim: DIM, optimizer: opt, seed: 2 }),
  ];
}

async function sparseVariant(ctx: PerfContext, batches: Int32Array[][]): Promise<number> {
  const [U, V] = sparseTables();
  const gradFn = tf.grads((u: tf.Tensor, i: tf.Tensor, j: tf.Tensor) => bprLoss(u, i, j));
  let k = 0;
  const r = await timeIt(() => {
    const [uu, ii, jj] = batches[k++ % batches.length];
    const u = U.lookup(uu);
    const i = V.lookup(ii);
    const j = V.lookup(jj);
    const [gu, gi, gj] = gradFn([u, i, j]);
    U.applyGradients(uu, gu);
    V.applyGradients(ii, gi);
    V.applyGradients(jj, gj);
    tf.dispose([u, i, j, gu, gi, gj]);
  }, ctx.quick ? 0.5 : 4);
  return r.perSecond * BATCH;
}

async function loopVariant(ctx: PerfContext, batches: Int32Array[][]): Promise<number> {
  const [U, V] = sparseTables();
  const u = new Float32Array(BATCH * DIM);
  const i = new Float32Array(BATCH * DIM);
  const j = new Float32Array(BATCH * DIM);
  const gu = new Float32Array(BATCH * DIM);
  const gi = new Float32Array(BATCH * DIM);
  const gj = new Float32Array(BATCH * DIM);
  let k = 0;
  const r = await timeIt(() => {
    const [uu, ii, jj] = batches[k++ % batches.length];
    U.gather(uu, u);
    V.gather(ii, i);
    V.gather(jj, j);
    for (let b = 0; b < BATCH; b++) {
      const o = b * DIM;
      let x = 0;
      for (let d = 0; d < DIM; d++) x += u[o + d] * (i[o + d] - j[o + d]);
      // d/dx mean(softplus(-x)) = -sigmoid(-x) / BATCH
      const s = -1 / (1 + Math.exp(x)) / BATCH;
      for (let d = 0; d < DIM; d++) {
        gu[o + d] = s * (i[o + d] - j[o + d]);
        gi[o + d] = s * u[o + d];
        gj[o + d] = -s * u[o + d];
      }
    }
    U.applyGradients(uu, gu);
    V.applyGradients(ii, gi);
    V.applyGradients(jj, gj);
  }, ctx.quick ? 0.5 : 4);
  return r.perSecond * BATCH;
}

/** Runs the three variants and reports triples/s and ratios. */
export async function run(ctx: PerfContext): Promise<PerfResult> {
  const batches = makeBatches(32, 7);
  ctx.log('embeddings: (a) tf.Variable + tf.gather + Adam (a few steps) ...');
  const dense = await denseVariant(ctx, batches);
  ctx.log('embeddings: (b) SparseEmbedding + tfjs math ...');
  const sparse = await sparseVariant(ctx, batches);
  ctx.log('embeddings: (c) hand-written Float32Array loop ...');
  const loop = await loopVariant(ctx, batches);
  return {
    rows: [
      { variant: '(a) tf.Variable + tf.gather + Adam', backend: dense.backend, 'triples/s': dense.perSecond, 'vs loop': dense.perSecond / loop, note: `${dense.steps} steps${dense.note ? `; ${dense.note}` : ''}` },
      { variant: '(b) SparseEmbedding + tfjs math', backend: ctx.backend, 'triples/s': sparse, 'vs loop': sparse / loop, note: '' },
      { variant: '(c) Float32Array loop (ceiling)', backend: 'none (JS)', 'triples/s': loop, 'vs loop': 1, note: '' },
    ],
    figures: {
      dense_gather_triples_per_second: dense.perSecond,
      sparse_triples_per_second: sparse,
      loop_triples_per_second: loop,
      sparse_vs_loop: sparse / loop,
    },
  };
}
