/**
 * Private test helpers shared by memrec packages: backend setup, leak checks,
 * finite-difference gradients and small numeric comparisons.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

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
 * Runs `fn` and asserts that it leaves `tf.memory().numTensors` unchanged.
 * Returns what `fn` returned (which must not be a tensor).
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  expect({ leakedTensors: after - before }).toEqual({ leakedTensors: 0 });
  return out;
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
