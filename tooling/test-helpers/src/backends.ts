/**
 * Runs a block of tests once per tfjs backend, like tfjs's `describeWithFlags(name, ALL_ENVS, fn)`.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A backend the tests run on: the two that install everywhere (tfjs-node needs a native addon). */
export type TestBackend = 'cpu' | 'wasm';

/** Every {@link TestBackend}, in the order the blocks run. */
export const ALL_TEST_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm'];

/**
 * The backends selected by `MEMREC_TEST_BACKENDS`: see {@link parseTestBackends}.
 *
 * @example
 * ```ts
 * // MEMREC_TEST_BACKENDS=wasm pnpm exec jest packages/losses
 * testBackends(); // ['wasm']
 * ```
 */
export function testBackends(): TestBackend[] {
  return parseTestBackends(process.env.MEMREC_TEST_BACKENDS);
}

/**
 * Parses a value of `MEMREC_TEST_BACKENDS`: `cpu`, `wasm`, or both separated by commas (run in
 * the order given, each once); unset or empty: all of them. An unknown name is an error, so a typo
 * cannot silently run nothing.
 *
 * @example
 * ```ts
 * parseTestBackends('wasm'); // ['wasm']
 * parseTestBackends(undefined); // ['cpu', 'wasm']
 * ```
 */
export function parseTestBackends(spec: string | undefined): TestBackend[] {
  if (spec === undefined || spec.trim() === '') return [...ALL_TEST_BACKENDS];
  const out: TestBackend[] = [];
  for (const raw of spec.split(',')) {
    const name = raw.trim();
    if (!(ALL_TEST_BACKENDS as readonly string[]).includes(name)) {
      throw new Error(`MEMREC_TEST_BACKENDS must list ${ALL_TEST_BACKENDS.join(' and/or ')} separated by commas, got ${JSON.stringify(spec)}`);
    }
    if (!out.includes(name as TestBackend)) out.push(name as TestBackend);
  }
  return out;
}

/** The part of `@memrec/core` this module uses (imported lazily: core's own tests use these helpers). */
interface CoreBackendApi {
  initBackend(options: { backend: TestBackend; log: false }): Promise<{ backend: string }>;
}

/**
 * Activates `backend` the way the library does in production: `@memrec/core`'s `initBackend`
 * (loads the backend package, sets `PROD`, installs core's faster matMul gradient). Under jest,
 * `@memrec/core` resolves to its source through the preset's module map.
 *
 * @example
 * ```ts
 * beforeAll(() => useBackend('wasm'));
 * ```
 */
export async function useBackend(backend: TestBackend): Promise<void> {
  const core = (await import('@memrec/core' as string)) as CoreBackendApi;
  await core.initBackend({ backend, log: false });
  if (tf.getBackend() !== backend) throw new Error(`useBackend: backend must be active after initBackend, got ${tf.getBackend()} instead of ${backend}`);
}

/**
 * Declares `describe(`${name} [backend]`, ...)` once per backend of {@link testBackends}; each block
 * activates its backend in a `beforeAll` before its tests run, and `fn` receives the backend's name
 * (for the rare assertion that legitimately differs). Restrict with `MEMREC_TEST_BACKENDS=wasm`.
 *
 * @example
 * ```ts
 * describeWithBackends('bprLoss', (backend) => {
 *   it('is log 2 for tied scores', () => { ... });
 * });
 * ```
 */
export function describeWithBackends(name: string, fn: (backend: TestBackend) => void): void {
  for (const backend of testBackends()) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(() => useBackend(backend));
      fn(backend);
    });
  }
}
