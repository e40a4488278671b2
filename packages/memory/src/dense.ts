import * as tf from '@tensorflow/tfjs-core';
import { randNormal, type Rng } from '@memrec/core';

/**
 * A dense weight as a `tf.Variable`, filled from a seeded generator: `glorot` (uniform with
 * scale sqrt(6 / (fanIn + fanOut)), Glorot & Bengio 2010), `normal` (std), or a constant.
 *
 * @example
 * ```ts
 * const W = denseVariable([64, 64], { kind: 'glorot' }, seededRng(1));
 * ```
 */
export function denseVariable(
  shape: number[],
  init: { kind: 'glorot' } | { kind: 'normal'; std: number } | { kind: 'constant'; value: number },
  rng: Rng,
): tf.Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (init.kind === 'constant') data.fill(init.value);
  else if (init.kind === 'normal') for (let i = 0; i < n; i++) data[i] = randNormal(rng) * init.std;
  else {
    const fanIn = shape.length > 1 ? shape[0] : 1;
    const fanOut = shape[shape.length - 1];
    const scale = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < n; i++) data[i] = (rng() * 2 - 1) * scale;
  }
  const initial = tf.tensor(data, shape, 'float32');
  const v = tf.variable(initial, true);
  initial.dispose(); // the variable holds its own reference to the data
  return v;
}

/**
 * Identity in the forward pass, zero gradient in the backward pass (TensorFlow's
 * `stop_gradient`). `x - stopGradient(x)` is exactly zero yet carries the gradient of `x`.
 *
 * @example
 * ```ts
 * const y = tf.add(constantState, tf.sub(delta, stopGradient(delta))); // value: constantState
 * ```
 */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/** Writes `values` into the variable `v` (shape checked), naming `fn` and `arg` on mismatch. */
export function assignFloats(v: tf.Variable, values: Float32Array, fn: string, arg: string): void {
  if (values.length !== v.size) throw new Error(`${fn}: ${arg} must have ${v.size} values (shape [${v.shape.join(', ')}]), got ${values.length}`);
  tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
}
