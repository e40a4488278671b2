import * as tf from '@tensorflow/tfjs-core';
import type { SparseEmbedding } from '@memrec/core';
import { bprLoss } from '@memrec/losses';
import { FifoItemMemory } from '@memrec/memory';
import type { NegativeSampler } from '@memrec/samplers';

/** What {@link windowBprStep} needs of a model whose user state is a window of recent items. */
export interface WindowBprParts {
  users: SparseEmbedding;
  items: SparseEmbedding;
  /** The users' recent items (read before the batch is written). */
  fifo: FifoItemMemory;
  /** Dense weights trained by `optimizer` (may be empty). */
  dense: tf.Variable[];
  optimizer: tf.Optimizer | null;
  sampler: NegativeSampler;
  negatives: number;
  /**
   * Scores `[T]` of rows `(P[t], Q[t])` (`[T, D]` each: user rows, target rows) given each row's
   * window `slots` `[T, L, D]` (newest first) with `mask` `[T, L]` and the dense weights.
   */
  score(P: tf.Tensor2D, Q: tf.Tensor2D, slots: tf.Tensor3D, mask: tf.Tensor2D, dense: tf.Tensor[]): tf.Tensor1D;
}

/**
 * One BPR step (uniform negatives from `parts.sampler`) of a window model (MARS, DMN): the
 * positives `(us, pos)` and `negatives` per positive are scored against each user's window as it
 * is; the gradient reaches the user rows, the target rows, the window's item rows (through
 * `FifoItemMemory.compactGradient`) and the dense weights. Returns the loss. Internal to
 * `@memrec/models`.
 *
 * @example
 * ```ts
 * const loss = windowBprStep(this.parts(), users, items);
 * ```
 */
export function windowBprStep(parts: WindowBprParts, us: Int32Array, pos: Int32Array): number {
  const { users, items, fifo, negatives: n } = parts;
  const b = us.length;
  const D = items.dim;
  const L = fifo.capacity;
  const neg = parts.sampler.sample(us, pos, n);
  const T = b * (1 + n);
  const owners = new Int32Array(T);
  const targets = new Int32Array(T);
  owners.set(us);
  targets.set(pos);
  for (let k = 0; k < b * n; k++) {
    owners[b + k] = us[Math.floor(k / n)];
    targets[b + k] = neg[k];
  }
  const win = fifo.window(owners);
  const P = users.lookup(owners);
  const Q = items.lookup(targets);
  const S = tf.tensor2d(items.gather(win.ids), [T * L, D], 'float32');
  const mask = tf.tensor2d(win.mask, [T, L], 'float32');
  const f = (...x: tf.Tensor[]): tf.Scalar =>
    tf.tidy(() => {
      const y = parts.score(x[0] as tf.Tensor2D, x[1] as tf.Tensor2D, tf.reshape(x[2], [T, L, D]) as tf.Tensor3D, mask, x.slice(3));
      return bprLoss(tf.slice(y, [0], [b]), tf.reshape(tf.slice(y, [b], [b * n]), [b, n])) as tf.Scalar;
    });
  const { value, grads } = tf.valueAndGrads(f)([P, Q, S, ...parts.dense]);
  const slots = FifoItemMemory.compactGradient(win, grads[2].dataSync() as Float32Array, D);
  users.applyGradients(owners, grads[0]);
  const ids = new Int32Array(T + slots.ids.length);
  ids.set(targets);
  ids.set(slots.ids, T);
  const g = new Float32Array(ids.length * D);
  g.set(grads[1].dataSync() as Float32Array);
  g.set(slots.grad, T * D);
  items.applyGradients(ids, g);
  if (parts.optimizer && parts.dense.length > 0) parts.optimizer.applyGradients(Object.fromEntries(parts.dense.map((v, k) => [v.name, grads[k + 3]])));
  const loss = value.dataSync()[0];
  tf.dispose([P, Q, S, mask, value, ...grads]);
  return loss;
}

/**
 * A dense weight initialised uniformly in `[-scale, scale]` from `rng` (internal).
 *
 * @example
 * ```ts
 * const W = denseVariable([64, 64], 0.2, seededRng(1));
 * ```
 */
export function denseVariable(shape: number[], scale: number, rng: () => number): tf.Variable {
  const t = tf.tensor(Float32Array.from({ length: shape.reduce((a, c) => a * c, 1) }, () => (rng() * 2 - 1) * scale), shape, 'float32');
  const v = tf.variable(t);
  t.dispose();
  return v;
}
