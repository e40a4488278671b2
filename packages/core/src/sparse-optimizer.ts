import { assertFinite, show } from './assert';

/**
 * Configuration of a sparse optimizer: it updates only the rows a batch touched.
 *
 * - `sgd`: w -= lr * (g + l2 * w)
 * - `adagrad` (Duchi et al., 2011): a += g^2; w -= lr * g / (sqrt(a) + epsilon)
 * - `adam` (lazy Adam, Kingma & Ba 2015; as PyTorch `SparseAdam` / TF `LazyAdam`): moments of a
 *   row are updated only when the row is in the batch; bias correction uses the global step
 *   (the number of `applyGradients` calls).
 *
 * `l2` adds `l2 * w` to the gradient of each touched row (lazy weight decay).
 *
 * @example
 * ```ts
 * const opt: SparseOptimizerConfig = { kind: 'adam', learningRate: 1e-3, l2: 1e-5 };
 * ```
 */
export type SparseOptimizerConfig =
  | { kind: 'sgd'; learningRate: number; l2?: number }
  | { kind: 'adagrad'; learningRate: number; initialAccumulator?: number; epsilon?: number; l2?: number }
  | { kind: 'adam'; learningRate: number; beta1?: number; beta2?: number; epsilon?: number; l2?: number };

/** Fully resolved optimizer settings (defaults filled in). */
export interface ResolvedOptimizer {
  kind: 'sgd' | 'adagrad' | 'adam';
  learningRate: number;
  l2: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  initialAccumulator: number;
}

/** Fills defaults and validates an optimizer config; errors name the field and value. */
export function resolveOptimizer(config: SparseOptimizerConfig, fn = 'SparseEmbedding'): ResolvedOptimizer {
  if (config == null || typeof config !== 'object') {
    throw new Error(`${fn}: optimizer must be an object like { kind: 'adam', learningRate: 0.001 }, got ${show(config)}`);
  }
  const kind = config.kind;
  if (kind !== 'sgd' && kind !== 'adagrad' && kind !== 'adam') {
    throw new Error(`${fn}: optimizer.kind must be one of sgd, adagrad, adam, got ${show(kind)}`);
  }
  const c = config as Partial<ResolvedOptimizer>;
  const r: ResolvedOptimizer = {
    kind,
    learningRate: config.learningRate,
    l2: config.l2 ?? 0,
    beta1: c.beta1 ?? 0.9,
    beta2: c.beta2 ?? 0.999,
    epsilon: c.epsilon ?? (kind === 'adagrad' ? 1e-10 : 1e-8),
    initialAccumulator: c.initialAccumulator ?? 0.1,
  };
  assertFinite(fn, 'optimizer.learningRate', r.learningRate, 0);
  assertFinite(fn, 'optimizer.l2', r.l2, 0);
  assertFinite(fn, 'optimizer.beta1', r.beta1, 0, 0.999999);
  assertFinite(fn, 'optimizer.beta2', r.beta2, 0, 0.999999999);
  assertFinite(fn, 'optimizer.epsilon', r.epsilon, 0);
  assertFinite(fn, 'optimizer.initialAccumulator', r.initialAccumulator, 0);
  return r;
}

/** Number of per-row state slots (each `dim` floats) the optimizer keeps. */
export function slotCount(kind: ResolvedOptimizer['kind']): number {
  return kind === 'sgd' ? 0 : kind === 'adagrad' ? 1 : 2;
}

/**
 * Applies one optimizer step to the rows `rows[0..n)` of `data`. The gradient of row `rows[r]`
 * starts at `grads[offsets[r]]` when `offsets[r] >= 0`, else at `summed[-1 - offsets[r]]`
 * (rows that were repeated in the batch, with their gradients already summed).
 * `slots` are the optimizer's per-row state arrays, laid out like `data`.
 * `step` is the 1-based global step (used by Adam's bias correction).
 */
export function sparseStep(
  opt: ResolvedOptimizer,
  data: Float32Array,
  slots: Float32Array[],
  dim: number,
  rows: Int32Array,
  offsets: Int32Array,
  n: number,
  grads: Float32Array,
  summed: Float32Array,
  step: number,
): void {
  const { learningRate: lr, l2 } = opt;
  if (opt.kind === 'sgd') {
    for (let r = 0; r < n; r++) {
      const base = rows[r] * dim;
      const o = offsets[r];
      const src = o >= 0 ? grads : summed;
      const gb = o >= 0 ? o : -1 - o;
      for (let k = 0; k < dim; k++) {
        const w = data[base + k];
        data[base + k] = w - lr * (src[gb + k] + l2 * w);
      }
    }
  } else if (opt.kind === 'adagrad') {
    const acc = slots[0];
    const eps = opt.epsilon;
    for (let r = 0; r < n; r++) {
      const base = rows[r] * dim;
      const o = offsets[r];
      const src = o >= 0 ? grads : summed;
      const gb = o >= 0 ? o : -1 - o;
      for (let k = 0; k < dim; k++) {
        const w = data[base + k];
        const g = src[gb + k] + l2 * w;
        const a = acc[base + k] + g * g;
        acc[base + k] = a;
        data[base + k] = w - (lr * g) / (Math.sqrt(a) + eps);
      }
    }
  } else {
    const m = slots[0];
    const v = slots[1];
    const { beta1: b1, beta2: b2, epsilon: eps } = opt;
    const c1 = 1 - Math.pow(b1, step);
    const c2 = 1 - Math.pow(b2, step);
    const stepSize = (lr * Math.sqrt(c2)) / c1;
    const epsHat = eps * Math.sqrt(c2);
    for (let r = 0; r < n; r++) {
      const base = rows[r] * dim;
      const o = offsets[r];
      const src = o >= 0 ? grads : summed;
      const gb = o >= 0 ? o : -1 - o;
      for (let k = 0; k < dim; k++) {
        const w = data[base + k];
        const g = src[gb + k] + l2 * w;
        const mk = b1 * m[base + k] + (1 - b1) * g;
        const vk = b2 * v[base + k] + (1 - b2) * g * g;
        m[base + k] = mk;
        v[base + k] = vk;
        data[base + k] = w - (stepSize * mk) / (Math.sqrt(vk) + epsHat);
      }
    }
  }
}
