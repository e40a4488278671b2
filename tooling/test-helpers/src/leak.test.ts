import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak, runOp, useCpuBackend } from './index';

useCpuBackend();

/** What the fake losses below leaked (so that each test can free it afterwards). */
const leaked: tf.Tensor[] = [];

/** A fake loss written without `op()`: `mean(x * 2)` leaves its intermediate `x * 2` behind. */
const leakyPlain = (x: tf.Tensor): tf.Tensor => {
  const doubled = tf.mul(x, 2);
  leaked.push(doubled);
  return tf.mean(doubled);
};

/** A fake op that keeps an intermediate (as a cache would), so even its `op()` scope cannot free it. */
const leakyOp = tf.op({
  leakyOp_: (x: tf.Tensor): tf.Tensor => {
    const doubled = tf.keep(tf.mul(x, 2));
    leaked.push(doubled);
    return tf.mean(doubled);
  },
});

afterEach(() => tf.dispose(leaked.splice(0)));

/** The same loss written correctly. */
const clean = tf.op({ clean_: (x: tf.Tensor): tf.Tensor => tf.mean(tf.mul(x, 2)) });

describe('expectNoLeak', () => {
  it('passes an op that frees its intermediates, run outside any scope', async () => {
    const v = await expectNoLeak(() => runOp(clean, tf.tensor1d([1, 2, 3]))[0].values);
    expect(v).toEqual([4]); // mean([2, 4, 6])
  });

  it.each([
    { name: 'without op()', f: leakyPlain },
    { name: 'keeping a tensor inside op()', f: leakyOp },
  ])('catches a fake loss that leaks one intermediate ($name)', async ({ f }) => {
    const before = tf.memory().numTensors;
    await expect(expectNoLeak(() => runOp(f, tf.tensor1d([1, 2, 3])))).rejects.toThrow(
      /^expectNoLeak: fn must leave tf\.memory\(\)\.numTensors unchanged, got 1 \(\d+ before, \d+ after\)$/,
    );
    expect(leaked.map((t) => t.isDisposed)).toEqual([false]); // the intermediate x * 2, still alive
    expect(tf.memory().numTensors).toBe(before + 1);
  });

  it('cannot see the unwrapped leak when the check wraps the code in tf.tidy (why checks run outside scopes)', async () => {
    await expect(expectNoLeak(() => tf.tidy(() => leakyPlain(tf.tensor1d([1, 2, 3])).dataSync()[0]))).resolves.toBe(4);
  });

  it.each([
    { scope: 'tf.tidy', run: (g: () => void) => tf.tidy(g), name: 'unnamed scope' },
    { scope: 'an op() scope', run: (g: () => void) => tf.op({ wrapper_: () => (g(), tf.scalar(0)) })().dispose(), name: 'wrapper__op' },
  ])('refuses to run inside $scope', ({ run, name }) => {
    let called = false;
    expect(() => run(() => void expectNoLeak(() => (called = true)))).toThrow(
      `expectNoLeak: must be called outside tf.tidy and op() scopes (a scope disposes what it tracks and hides a leak), got scope depth 1 (innermost "${name}")`,
    );
    expect(called).toBe(false);
  });

  it('rejects a returned tensor', async () => {
    const t = tf.scalar(1);
    await expect(expectNoLeak(() => t)).rejects.toThrow('expectNoLeak: fn must not return a tensor, got one of shape []');
    t.dispose();
  });
});

describe('runOp', () => {
  it('returns every output with its shape and disposes outputs and inputs, also when the op throws', async () => {
    await expectNoLeak(() => {
      const out = runOp((a, b) => [tf.add(a, b), tf.reshape(a, [2, 1])], tf.tensor1d([1, 2]), tf.tensor1d([10, 20]));
      expect(out).toEqual([
        { values: [11, 22], shape: [2] },
        { values: [1, 2], shape: [2, 1] },
      ]);
      const x = tf.tensor1d([1]);
      expect(() =>
        runOp((_x) => {
          throw new Error('boom');
        }, x),
      ).toThrow('boom');
      expect(x.isDisposed).toBe(true);
    });
  });
});
