import * as tf from '@tensorflow/tfjs-core';

/**
 * Whether {@link matMul2d} transposes explicitly by default: true on the wasm backend, where a
 * `tf.matMul` with a transpose flag runs 5-10x slower than `tf.transpose` followed by a plain
 * `tf.matMul` (measured in tfjs 4.22, e.g. [256, 64] x [3706, 64]^T: 101 ms flagged, 19 ms with
 * the explicit transpose). Other backends handle the flags without a copy.
 *
 * @example
 * ```ts
 * if (explicitTransposes()) console.log('matMul2d transposes before multiplying');
 * ```
 */
export function explicitTransposes(): boolean {
  return tf.getBackend() === 'wasm';
}

/**
 * `tf.matMul(a, b, transposeA, transposeB)` for rank-2 tensors, computed as fast as the backend
 * allows: with `explicit` (default {@link explicitTransposes}) a flagged operand is transposed
 * first and the product taken without flags. Same values either way, up to float rounding.
 *
 * @param explicit - force the strategy (true: transpose first; false: pass the flags to tfjs).
 * @example
 * ```ts
 * const scores = tf.tidy(() => matMul2d(userVectors, itemVectors, false, true)); // U V^T
 * ```
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false, explicit = explicitTransposes()): tf.Tensor2D {
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matMul2d: a and b must be rank-2 tensors, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  if (!explicit || (!transposeA && !transposeB)) return tf.matMul(a, b, transposeA, transposeB);
  return tf.tidy(() => tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b));
}

/** The gradient config registered by {@link registerMatMulGradient}. */
const MATMUL_GRADIENT: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const g = dy as tf.Tensor;
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const mm = (x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean): tf.Tensor =>
      x.rank === 2 && y.rank === 2 ? matMul2d(x as tf.Tensor2D, y as tf.Tensor2D, tx, ty) : tf.matMul(x, y, tx, ty);
    if (!transposeA && !transposeB) return { a: () => mm(g, b, false, true), b: () => mm(a, g, true, false) };
    if (!transposeA && transposeB) return { a: () => mm(g, b, false, false), b: () => mm(g, a, true, false) };
    if (transposeA && !transposeB) return { a: () => mm(b, g, false, true), b: () => mm(a, g, false, false) };
    return { a: () => mm(b, g, true, true), b: () => mm(g, a, true, true) };
  },
};

/**
 * Replaces tfjs's gradient of `BatchMatMul` with one whose rank-2 products go through
 * {@link matMul2d} (the backward pass of `matMul(x, W)` multiplies by `W^T` and `x^T`, which
 * tfjs writes with transpose flags: the slow path on wasm). Batched (rank 3+) products keep the
 * flags: there an explicit transpose copies the whole batch and is slower. Runs when
 * `@memrec/core` loads and again in `initBackend` (loading `@tensorflow/tfjs` or
 * `@tensorflow/tfjs-node` registers tfjs's own gradients again, over this one).
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs'; // re-registers tfjs's gradients
 * registerMatMulGradient();  // puts this one back
 * ```
 */
export function registerMatMulGradient(): void {
  tf.registerGradient(MATMUL_GRADIENT);
}

/**
 * Whether the `BatchMatMul` gradient in tfjs's registry is {@link registerMatMulGradient}'s.
 *
 * @example
 * ```ts
 * await initBackend();
 * matMulGradientInstalled(); // true
 * ```
 */
export function matMulGradientInstalled(): boolean {
  return tf.getGradient(tf.BatchMatMul) === MATMUL_GRADIENT;
}
