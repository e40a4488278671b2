/**
 * Private test helpers shared by memrec packages: backend setup, leak checks,
 * finite-difference gradients and small numeric comparisons.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export { freePort, startRedis, REDIS_SERVER, type TestRedis } from './redis';
export { ALL_TEST_BACKENDS, describeWithBackends, parseTestBackends, testBackends, useBackend, type TestBackend } from './backends';

/**
 * Activates the cpu backend (deterministic, always available) for a test file.
 * Call at the top level of a test file: `useCpuBackend();`
 */
export function useCpuBackend(): void {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
    await tf.ready();
  });
}

/**
 * Runs `fn` and asserts that it leaves `tf.memory().numTensors` unchanged. Returns what `fn`
 * returned (which must not be a tensor).
 *
 * Call it outside any `tf.tidy` or `op()` scope, and run the code under test directly inside `fn`
 * (create the inputs, call the op, dispose the result and the inputs: see {@link runOp}): a scope
 * disposes every tensor made in it when it ends, so a leaked intermediate would never be counted.
 * Called inside a scope, it throws instead of checking.
 */
export function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const scopes = tf.engine().state.scopeStack;
  if (scopes.length > 0) {
    // Thrown synchronously, so that it escapes a tidy (a tidy rejects a returned Promise with its own message).
    throw new Error(
      `expectNoLeak: must be called outside tf.tidy and op() scopes (a scope disposes what it tracks and hides a leak), got scope depth ${scopes.length} (innermost "${scopes[scopes.length - 1].name}")`,
    );
  }
  const before = tf.memory().numTensors;
  return (async () => {
    const out = await fn();
    if (out instanceof tf.Tensor) throw new Error(`expectNoLeak: fn must not return a tensor, got one of shape [${out.shape.join(', ')}]`);
    const after = tf.memory().numTensors;
    if (after !== before) {
      throw new Error(`expectNoLeak: fn must leave tf.memory().numTensors unchanged, got ${after - before} (${before} before, ${after} after)`);
    }
    return out;
  })();
}

/** Values and shape of one output of {@link runOp}. */
export interface OpOutput {
  values: number[];
  shape: number[];
}

/**
 * Calls `f` on `inputs` directly (no tidy), reads every output, then disposes the outputs and the
 * inputs (also when `f` throws). Inside {@link expectNoLeak}, whatever else `f` leaves behind is
 * counted. `undefined` inputs are passed through (optional tensors such as weights).
 *
 * @example
 * ```ts
 * await expectNoLeak(() => {
 *   const [loss] = runOp((p, n) => bprLoss(p, n), tf.tensor1d([2]), tf.tensor1d([0]));
 *   expect(loss.values[0]).toBeCloseTo(Math.log1p(Math.exp(-2)), 6);
 * });
 * ```
 */
export function runOp<A extends (tf.Tensor | undefined)[]>(f: (...inputs: A) => tf.Tensor | tf.Tensor[], ...inputs: A): OpOutput[] {
  try {
    const res = f(...inputs);
    const outs = Array.isArray(res) ? res : [res];
    try {
      return outs.map((t) => ({ values: Array.from(t.dataSync()), shape: [...t.shape] }));
    } finally {
      tf.dispose(outs);
    }
  } finally {
    tf.dispose(inputs.filter((t): t is tf.Tensor => t !== undefined));
  }
}

/**
 * Central finite-difference gradient of a scalar function of a flat float64 vector.
 * `d f / d x_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h`.
 */
export function finiteDiffGrad(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-3): Float64Array {
  const p = Float64Array.from(x);
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const orig = p[i];
    p[i] = orig + h;
    const fp = f(p);
    p[i] = orig - h;
    const fm = f(p);
    p[i] = orig;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Asserts element-wise `|a - b| <= atol + rtol * |b|`, reporting the worst index. */
export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): void {
  expect(a.length).toBe(b.length);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    throw new Error(`expectClose: index ${worst}: got ${a[worst]}, expected ${b[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Seeded float array in [-scale, scale) for test inputs (xorshift32; not the library RNG). */
export function testFloats(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}
