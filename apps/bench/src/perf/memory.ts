/**
 * `pnpm bench:perf memory`: the two memory layers of @memrec/memory on synthetic data.
 *  - KeyValueMemory (NMRN): H = 20 slots, D = 64, batch 256 events, one negative each:
 *    hinge-loss training step (read, distances, gradients to rows, keys and projections) plus
 *    the exact sequential write of the batch. Figure: events/s.
 *  - CollaborativeMemory (CMN): d = 50, 2 hops, every neighbourhood capped at 64 users,
 *    batch 128 positives x 4 negatives = 640 scored pairs, forward + backward + updates.
 *    Figure: pairs/s (positive and negative pairs alike).
 * Measured on the chosen backend, then on cpu when the chosen one is not cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SparseEmbedding, activeBackend, initBackend, randInt, seededRng } from '@memrec/core';
import { CollaborativeMemory, KeyValueMemory } from '@memrec/memory';
import { timeIt, type PerfContext, type PerfResult } from './types';

const USERS = 6040;
const ITEMS = 3706;
const KV_BATCH = 256;
const CMN_BATCH = 128;
const CMN_NEG = 4;

function ids(rng: () => number, n: number, bound: number): Int32Array {
  return Int32Array.from({ length: n }, () => randInt(rng, bound));
}

async function kvRate(seconds: number): Promise<number> {
  const opt = { kind: 'adam' as const, learningRate: 0.001 };
  const users = new SparseEmbedding({ rows: USERS, dim: 64, optimizer: opt, seed: 1 });
  const items = new SparseEmbedding({ rows: ITEMS, dim: 64, optimizer: opt, seed: 2 });
  const kv = new KeyValueMemory({ users, items, slots: 20, seed: 3 });
  const rng = seededRng(4);
  const batches = Array.from({ length: 16 }, () => [ids(rng, KV_BATCH, USERS), ids(rng, KV_BATCH, ITEMS), ids(rng, KV_BATCH, ITEMS)]);
  // hinge written inline with tf ops: mean(max(0, m + d(u, v+) - d(u, v-)))
  const hinge = (dPos: tf.Tensor1D, dNeg: tf.Tensor1D) => tf.mean(tf.relu(tf.add(tf.sub(dPos, dNeg), 1))) as tf.Scalar;
  let k = 0;
  const r = await timeIt(() => {
    const [u, p, n] = batches[k++ % batches.length];
    kv.trainStep(u, p, n, { loss: hinge });
    kv.write(u, p, { mode: 'sequential' });
  }, seconds);
  kv.dispose();
  return r.perSecond * KV_BATCH;
}

async function cmnRate(seconds: number): Promise<number> {
  const rng = seededRng(5);
  // every item gets at least 64 distinct users, so every neighbourhood is capped at 64
  const perItem = 80;
  const tu = new Int32Array(ITEMS * perItem);
  const ti = new Int32Array(ITEMS * perItem);
  for (let i = 0; i < ITEMS; i++) {
    for (let k = 0; k < perItem; k++) {
      tu[i * perItem + k] = (i * 7 + k * 75) % USERS;
      ti[i * perItem + k] = i;
    }
  }
  const cmn = new CollaborativeMemory({ numUsers: USERS, numItems: ITEMS, dim: 50, hops: 2, maxNeighbours: 64, seed: 6, interactions: { users: tu, items: ti } });
  const batches = Array.from({ length: 16 }, () => [ids(rng, CMN_BATCH, USERS), ids(rng, CMN_BATCH, ITEMS), ids(rng, CMN_BATCH * CMN_NEG, ITEMS)]);
  const bpr = (pos: tf.Tensor1D, neg: tf.Tensor1D) => tf.mean(tf.softplus(tf.neg(tf.sub(pos, neg)))) as tf.Scalar;
  let k = 0;
  const r = await timeIt(() => {
    const [u, p, n] = batches[k++ % batches.length];
    cmn.trainStep(u, p, n, bpr);
  }, seconds);
  cmn.dispose();
  return r.perSecond * CMN_BATCH * (1 + CMN_NEG);
}

/** Runs both layers on the chosen backend and, when that is not cpu, on cpu too. */
export async function run(ctx: PerfContext): Promise<PerfResult> {
  const seconds = ctx.quick ? 0.5 : 4;
  const original = activeBackend();
  const rows: PerfResult['rows'] = [];
  const figures: Record<string, number> = {};
  const backends = original === 'cpu' ? ['cpu' as const] : [original, 'cpu' as const];
  for (const backend of backends) {
    if (activeBackend() !== backend) await initBackend({ backend, log: false });
    const suffix = backend === original ? '' : `_${backend}`;
    ctx.log(`memory: KeyValueMemory train + write on ${backend} ...`);
    const kv = await kvRate(backend === original ? seconds : seconds / 2);
    ctx.log(`memory: CollaborativeMemory forward + backward on ${backend} ...`);
    const cmn = await cmnRate(backend === original ? seconds : seconds / 2);
    rows.push({ layer: 'KeyValueMemory (H 20, D 64, batch 256)', backend, 'per second': kv, unit: 'events (train + sequential write)' });
    rows.push({ layer: 'CollaborativeMemory (d 50, 2 hops, nbr 64)', backend, 'per second': cmn, unit: 'pairs (forward + backward)' });
    figures[`kv_events_per_second${suffix}`] = kv;
    figures[`cmn_pairs_per_second${suffix}`] = cmn;
  }
  if (activeBackend() !== original) await initBackend({ backend: original, log: false });
  return { rows, figures };
}
