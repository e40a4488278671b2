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
   * Scores `[b, C]` of each user row `P[r]` (`[b, D]`) against its C candidates `Q[r]`
   * (`[b, C, D]`: the positive, then its negatives) given the user's window `slots` `[b, L, D]`
   * (newest first) with `mask` `[b, L]` and the dense weights.
   */
  score(P: tf.Tensor2D, Q: tf.Tensor3D, slots: tf.Tensor3D, mask: tf.Tensor2D, dense: tf.Tensor[]): tf.Tensor2D;
}

/**
 * One BPR step (uniform negatives from `parts.sampler`) of a window model (MARS, DMN): the
 * positives `(us, pos)` and `negatives` per positive are scored against each user's window as it
 * is (one window per positive, shared by its negatives); the gradient reaches the user rows, the target rows, the window's item rows (through
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
  const C = 1 + n;
  const neg = parts.sampler.sample(us, pos, n);
  // row r's candidates: its positive, then its n negatives (one user window per row, shared)
  const targets = new Int32Array(b * C);
  for (let r = 0; r < b; r++) {
    targets[r * C] = pos[r];
    for (let j = 0; j < n; j++) targets[r * C + 1 + j] = neg[r * n + j];
  }
  const win = fifo.window(us);
  const P = users.lookup(us);
  const Q = items.lookup(targets);
  const S = tf.tensor2d(items.gather(win.ids), [b * L, D], 'float32');
  const mask = tf.tensor2d(win.mask, [b, L], 'float32');
  const f = (...x: tf.Tensor[]): tf.Scalar =>
    tf.tidy(() => {
      const y = parts.score(x[0] as tf.Tensor2D, tf.reshape(x[1], [b, C, D]) as tf.Tensor3D, tf.reshape(x[2], [b, L, D]) as tf.Tensor3D, mask, x.slice(3));
      return bprLoss(tf.reshape(tf.slice(y, [0, 0], [b, 1]), [b]), tf.slice(y, [0, 1], [b, n])) as tf.Scalar;
    });
  const { value, grads } = tf.valueAndGrads(f)([P, Q, S, ...parts.dense]);
  const slots = FifoItemMemory.compactGradient(win, grads[2].dataSync() as Float32Array, D);
  users.applyGradients(us, grads[0]);
  const ids = new Int32Array(b * C + slots.ids.length);
  ids.set(targets);
  ids.set(slots.ids, b * C);
  const g = new Float32Array(ids.length * D);
  g.set(grads[1].dataSync() as Float32Array);
  g.set(slots.grad, b * C * D);
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
