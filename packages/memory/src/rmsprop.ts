import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, type SparseEmbedding } from '@memrec/core';
import { show } from '@memrec/core/internal';

/**
 * RMSProp as TensorFlow 1's `RMSPropOptimizer` (the optimizer of CMN's authors' code, Ebesu et
 * al., SIGIR 2018): `ms = decay ms + (1 - decay) g^2`, `mom = momentum mom + lr g / sqrt(ms + eps)`,
 * `w -= mom`, with `ms` starting at 1 and `mom` at 0; `l2` adds `l2 * w` to the gradient.
 */
export interface RmsPropConfig {
  kind: 'rmsprop';
  learningRate: number;
  /** Discount of the mean square; default 0.9. */
  decay?: number;
  /** Momentum; default 0 (the CMN authors: 0.9). */
  momentum?: number;
  /** Added under the square root; default 1e-10 (TensorFlow 1's default). */
  epsilon?: number;
  /** L2 penalty added to the gradient of each touched row or weight; default 0. */
  l2?: number;
}

type Resolved = Required<RmsPropConfig>;

/** Fills defaults and validates an RMSProp config; errors name `fn`, the field and the value. */
export function resolveRmsProp(c: RmsPropConfig, fn: string): Resolved {
  if (c == null || typeof c !== 'object' || c.kind !== 'rmsprop') throw new Error(`${fn}: optimizer must be an object like { kind: 'rmsprop', learningRate: 0.001 }, got ${show(c)}`);
  const r: Resolved = { kind: 'rmsprop', learningRate: c.learningRate, decay: c.decay ?? 0.9, momentum: c.momentum ?? 0, epsilon: c.epsilon ?? 1e-10, l2: c.l2 ?? 0 };
  assertFinite(fn, 'optimizer.learningRate', r.learningRate, 0);
  assertFinite(fn, 'optimizer.decay', r.decay, 0, 1);
  assertFinite(fn, 'optimizer.momentum', r.momentum, 0, 1);
  assertFinite(fn, 'optimizer.epsilon', r.epsilon, 0);
  assertFinite(fn, 'optimizer.l2', r.l2, 0);
  return r;
}

/** One RMSProp step on `n` values: `w[wo..]`, state `ms[so..]`, `mom[so..]`, gradient `g[go..]`. */
function step(c: Resolved, w: Float32Array, wo: number, ms: Float32Array, mom: Float32Array, so: number, g: Float32Array, go: number, n: number): void {
  const { learningRate: lr, decay, momentum, epsilon, l2 } = c;
  for (let k = 0; k < n; k++) {
    const x = w[wo + k];
    const gk = g[go + k] + l2 * x;
    const m2 = (ms[so + k] = decay * ms[so + k] + (1 - decay) * gk * gk);
    const v = (mom[so + k] = momentum * mom[so + k] + (lr * gk) / Math.sqrt(m2 + epsilon));
    w[wo + k] = x - v;
  }
}

/**
 * Lazy RMSProp on the rows of a {@link SparseEmbedding}'s values (TensorFlow 1 applies RMSProp
 * to embedding gradients row by row, touching only the rows a batch looked up): gradients of
 * repeated ids are summed first, then each touched row takes one step; untouched rows and their
 * state stay as they are. The table's own optimizer is not used.
 *
 * @example
 * ```ts
 * const opt = new SparseRmsProp(table, { kind: 'rmsprop', learningRate: 1e-3, momentum: 0.9 });
 * opt.apply(Int32Array.of(3, 5, 3), grads); // [3, dim] gradients; row 3 gets the sum of two
 * ```
 */
export class SparseRmsProp {
  readonly config: Resolved;
  private ms: Float32Array;
  private mom: Float32Array;
  private slot: Int32Array;
  private sum = new Float32Array(0);

  constructor(private readonly table: SparseEmbedding, config: RmsPropConfig) {
    this.config = resolveRmsProp(config, 'SparseRmsProp');
    const n = table.rows * table.dim;
    this.ms = new Float32Array(n).fill(1);
    this.mom = new Float32Array(n);
    this.slot = new Int32Array(table.rows).fill(-1);
  }

  /** Applies `grads` (`[ids.length, dim]` row-major) to the rows `ids` (repeats summed). */
  apply(ids: Int32Array, grads: Float32Array): void {
    const d = this.table.dim;
    if (grads.length !== ids.length * d) throw new Error(`SparseRmsProp.apply: grads must have ids.length * dim = ${ids.length * d} values, got ${grads.length}`);
    if (this.sum.length < grads.length) this.sum = new Float32Array(grads.length);
    const order: number[] = [];
    for (let r = 0; r < ids.length; r++) {
      const id = ids[r];
      let s = this.slot[id];
      if (s < 0) {
        s = this.slot[id] = order.push(id) - 1;
        this.sum.fill(0, s * d, (s + 1) * d);
      }
      for (let k = 0; k < d; k++) this.sum[s * d + k] += grads[r * d + k];
    }
    const w = this.table.data;
    order.forEach((id, s) => {
      step(this.config, w, id * d, this.ms, this.mom, id * d, this.sum, s * d, d);
      this.slot[id] = -1;
    });
  }
}

/**
 * RMSProp (as {@link SparseRmsProp}) on dense `tf.Variable`s: reads each variable and its
 * gradient to the host, steps, and assigns the result (for small weights such as CMN's `d x d`
 * maps).
 *
 * @example
 * ```ts
 * const opt = new DenseRmsProp([W, b], { kind: 'rmsprop', learningRate: 1e-3 });
 * opt.apply([gW, gb]);
 * ```
 */
export class DenseRmsProp {
  readonly config: Resolved;
  private readonly ms: Float32Array[];
  private readonly mom: Float32Array[];

  constructor(private readonly vars: tf.Variable[], config: RmsPropConfig) {
    this.config = resolveRmsProp(config, 'DenseRmsProp');
    this.ms = vars.map((v) => new Float32Array(v.size).fill(1));
    this.mom = vars.map((v) => new Float32Array(v.size));
  }

  /** Applies one gradient per variable, in the constructor's order. */
  apply(grads: tf.Tensor[]): void {
    if (grads.length !== this.vars.length) throw new Error(`DenseRmsProp.apply: grads must have one tensor per variable (${this.vars.length}), got ${grads.length}`);
    this.vars.forEach((v, k) => {
      const w = (v.dataSync() as Float32Array).slice();
      step(this.config, w, 0, this.ms[k], this.mom[k], 0, grads[k].dataSync() as Float32Array, 0, w.length);
      tf.tidy(() => v.assign(tf.tensor(w, v.shape, 'float32')));
    });
  }
}
