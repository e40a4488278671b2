import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, type SparseEmbedding } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkIds, checkPerRow } from './check';
import { stopGradient } from './dense';
import { kvDistance, kvRead, type AddressMetric } from './kv-ops';
import { lastWriteDelta, type KvWeights, type LastWrite } from './kv-last-write';
import type { KvTrainOptions } from './kv-options';
import { hostHingeGrads } from './kv-train-host';
import { lastWriteGrads } from './kv-write-grad-host';
import type { ValueMemory } from './value-memory';

/** What a training step reads from the layer (a {@link KeyValueMemory} is one). */
export interface KvTrainLayer extends KvWeights {
  readonly users: SparseEmbedding;
  readonly items: SparseEmbedding;
  readonly keys: tf.Variable;
  readonly dim: number;
  readonly metric: AddressMetric;
  readonly temperature: number;
  readonly memory: ValueMemory;
  memoryFor(users: Int32Array): tf.Tensor2D | tf.Tensor3D;
}

/** A checked training batch: item ids per row `[positive, n negatives]` (`[b * (1 + n)]`). */
export interface KvTrainBatch {
  users: Int32Array;
  ids: Int32Array;
  b: number;
  n: number;
  margin: number;
  weights: Float32Array | null;
}

/**
 * Checks `trainStep`'s positives, negatives and options (users are checked by the layer) and
 * lays out each row's items as `[positive, its n negatives]`.
 *
 * @example
 * ```ts
 * const batch = checkTrainBatch('KeyValueMemory.trainStep', 50, users, positives, negatives, { margin: 1 });
 * ```
 */
export function checkTrainBatch(fn: string, numItems: number, users: Int32Array, positives: Int32Array, negatives: Int32Array, options: KvTrainOptions): KvTrainBatch {
  checkIds(fn, 'positives', positives, numItems);
  checkIds(fn, 'negatives', negatives, numItems);
  const b = users.length;
  if (positives.length !== b) throw new Error(`${fn}: positives must have length users.length (${b}), got ${positives.length}`);
  const n = checkPerRow(fn, 'negatives', negatives, b, 'n');
  const margin = options.margin ?? 1;
  assertFinite(fn, 'margin', margin);
  const weights = options.weights ?? null;
  if (weights !== null && (!(weights instanceof Float32Array) || (weights.length !== b && weights.length !== b * n))) {
    throw new Error(`${fn}: weights must be a Float32Array of length ${b} or ${b * n}, got ${show(weights)}`);
  }
  const m1 = n + 1;
  const ids = new Int32Array(b * m1);
  for (let r = 0; r < b; r++) {
    ids[r * m1] = positives[r];
    for (let k = 0; k < n; k++) ids[r * m1 + 1 + k] = negatives[r * n + k];
  }
  return { users, ids, b, n, margin, weights };
}

/** Gradients of one training step, shaped as its inputs; `dense`: keys, then (with a last write) W_e, b_e, W_a, b_a. */
export interface KvGrads {
  loss: number;
  gU: Float32Array;
  gV: Float32Array;
  dense: Float32Array[];
}

/**
 * The default weighted hinge, forward and backward on the host: {@link hostHingeGrads} and,
 * with a last write `lw`, {@link lastWriteGrads} from the gradient of the memories it
 * touched (the same function as {@link tensorKvGrads}'s `state + delta - stopGradient(delta)`,
 * whose value is the state). Returns the loss and the gradients; applies nothing.
 *
 * @example
 * ```ts
 * const g = hostKvGrads(kv, checkTrainBatch(fn, kv.items.rows, users, pos, neg, { margin: 1 }), lw);
 * ```
 */
export function hostKvGrads(kv: KvTrainLayer, t: KvTrainBatch, lw: LastWrite | null): KvGrads {
  const { b, n } = t;
  const H = kv.slots;
  const D = kv.dim;
  const keys = kv.keys.dataSync() as Float32Array;
  const perUser = kv.memory.perUser;
  // one gradient block per touched memory the batch reads (per user: usually a few of them)
  let memGrad: { rowOf: Int32Array; out: Float64Array } | null = null;
  let block: Int32Array | null = null;
  if (lw) {
    const rowOf = perUser ? lw.rowsOf(t.users) : new Int32Array(b);
    block = new Int32Array(lw.distinct.length).fill(-1);
    let blocks = 0;
    for (let r = 0; r < b; r++) {
      const m = rowOf[r];
      if (m < 0) continue;
      if (block[m] < 0) block[m] = blocks++;
      rowOf[r] = block[m];
    }
    memGrad = { rowOf, out: new Float64Array(blocks * H * D) };
  }
  const g = hostHingeGrads({
    U: kv.users.gather(t.users),
    V: kv.items.gather(t.ids),
    keys,
    memory: kv.memory.data,
    memIds: perUser ? t.users : null,
    b,
    n,
    H,
    D,
    metric: kv.metric,
    temperature: kv.temperature,
    margin: t.margin,
    weights: t.weights,
    memGrad,
  });
  if (!lw || !memGrad || !block) return { loss: g.loss, gU: g.gU, gV: g.gV, dense: [g.gK] };
  const w = lastWriteGrads(kv, lw, memGrad.out, block, keys);
  const gK = new Float32Array(g.gK.length);
  for (let k = 0; k < gK.length; k++) gK[k] = g.gK[k] + w.gK[k];
  return { loss: g.loss, gU: g.gU, gV: g.gV, dense: [gK, w.gWe, w.gbe, w.gWa, w.gba] };
}

/**
 * Whether `trainStep` with the default loss should take {@link tensorKvGrads} rather than
 * {@link hostKvGrads}: only with a last write on the shared memory under a backend with fast
 * matMuls (`wasm`, `tensorflow`). There every event of the write is read by the batch, and the
 * tfjs step's batched matMuls beat the host's per-event loops (wasm, H 20, batch 256, CPU time
 * per step: D 32 7.6 ms vs 9.3 ms, D 64 11.8 ms vs 17.2 ms). Per user, a batch reads few of the
 * write's memories and the host step wins by 10x or more; on the `cpu` backend the host wins
 * either way (3,251 vs 1,094 events/s shared at D 64).
 *
 * @example
 * ```ts
 * const g = preferTensorStep(kv, lw) ? tensorKvGrads(kv, lw, batch, {}) : hostKvGrads(kv, batch, lw);
 * ```
 */
export function preferTensorStep(kv: KvTrainLayer, lw: LastWrite | null): boolean {
  if (!lw || kv.memory.perUser) return false;
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'tensorflow';
}

/**
 * Applies `g` (of {@link hostKvGrads} or {@link tensorKvGrads}): rows through their tables'
 * sparse optimizers, keys (and projections, when `g` has them) through `optimizer`.
 *
 * @example
 * ```ts
 * applyKvGrads(kv, optimizer, batch, hostKvGrads(kv, batch, null));
 * ```
 */
export function applyKvGrads(kv: KvTrainLayer, optimizer: tf.Optimizer, t: KvTrainBatch, g: KvGrads): number {
  kv.users.applyGradients(t.users, g.gU);
  kv.items.applyGradients(t.ids, g.gV);
  const vars = [kv.keys, kv.We, kv.be, kv.Wa, kv.ba].slice(0, g.dense.length);
  const tensors = vars.map((v, k) => tf.tensor(g.dense[k], v.shape, 'float32'));
  try {
    optimizer.applyGradients(vars.map((v, k) => ({ name: v.name, tensor: tensors[k] })));
  } finally {
    tf.dispose(tensors);
  }
  return g.loss;
}

/**
 * The training step with tfjs gradients: any `loss`, and the gradient through the last write
 * (`lw`, see `KeyValueMemory.trainStep`). One item tensor `[b, 1 + n, D]` gives both distances.
 * The reference for {@link hostKvGrads} (the tests hold the two together). Returns the loss and
 * the gradients; applies nothing.
 *
 * @example
 * ```ts
 * const g = tensorKvGrads(kv, null, checkTrainBatch(fn, kv.items.rows, users, pos, neg, {}), { loss: myLoss });
 * ```
 */
export function tensorKvGrads(kv: KvTrainLayer, lw: LastWrite | null, t: KvTrainBatch, options: KvTrainOptions): KvGrads {
  const { b, n, margin, weights } = t;
  const D = kv.dim;
  const H = kv.slots;
  const dense = lw ? [kv.keys, kv.We, kv.be, kv.Wa, kv.ba] : [kv.keys];
  const uT = kv.users.lookup(t.users);
  const vT = tf.tensor3d(kv.items.gather(t.ids), [b, n + 1, D], 'float32');
  const memConst = kv.memoryFor(t.users);
  const sel = lw && kv.memory.perUser ? lw.selection(t.users) : null;
  const wT = weights ? tf.tensor2d(weights, weights.length === b ? [b, 1] : [b, n]) : null;
  const f = (u: tf.Tensor, v: tf.Tensor): tf.Scalar => {
    let M: tf.Tensor = memConst;
    if (lw) {
      const delta = lastWriteDelta(kv, lw); // [R * H, D]
      const z = tf.sub(delta, stopGradient(delta));
      M = sel ? tf.add(M, tf.reshape(tf.matMul(sel, tf.reshape(z, [-1, H * D])), [b, H, D])) : tf.add(M, z);
    }
    const s = kvRead(kv.address(u as tf.Tensor2D), M as tf.Tensor2D);
    const d = kvDistance(s, v as tf.Tensor3D); // [b, 1 + n]
    const dPos = tf.slice(d, [0, 0], [b, 1]); // [b, 1]
    const dNeg = tf.slice(d, [0, 1], [b, n]); // [b, n]
    if (options.loss) {
      const dPosRep = n === 1 ? dPos : tf.tile(dPos, [1, n]);
      return options.loss(tf.reshape(dPosRep, [-1]) as tf.Tensor1D, tf.reshape(dNeg, [-1]) as tf.Tensor1D);
    }
    let h = tf.relu(tf.add(tf.sub(dPos, dNeg), margin)); // [b, n], dPos broadcast over the negatives
    if (wT) h = tf.mul(h, wT);
    return tf.mean(h) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(f as (...args: tf.Tensor[]) => tf.Scalar)([uT, vT, ...dense]);
  try {
    const [gU, gV, ...gDense] = grads.map((g) => g.dataSync() as Float32Array);
    return { loss: value.dataSync()[0], gU, gV, dense: gDense };
  } finally {
    tf.dispose([value, ...grads, uT, vT, memConst, ...(sel ? [sel] : []), ...(wT ? [wT] : [])]);
  }
}
