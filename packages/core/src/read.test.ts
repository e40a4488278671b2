import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, expectNoLeak, testFloats } from '@memrec/test-helpers';
import { matMul2d } from './matmul';
import { readInto } from './read';

describeWithBackends('readInto', (backend) => {
  it(`gives dataSync's values, into the caller's buffer, on ${backend}`, () => {
    const a = tf.tensor2d(testFloats(6 * 5, 1), [6, 5]);
    const b = tf.tensor2d(testFloats(7 * 5, 2), [7, 5]);
    const p = tf.tidy(() => matMul2d(a, b, false, true));
    const out = new Float32Array(6 * 7 + 3).fill(-1);
    const res = readInto(p, out);
    expect(res).toBe(out);
    expect(Array.from(out.subarray(0, 42))).toEqual(Array.from(p.dataSync()));
    expect(Array.from(out.subarray(42))).toEqual([-1, -1, -1]); // nothing written past t.size
    // a reshaped view shares the data; a slice of a larger tensor does not start at offset 0
    const view = tf.reshape(p, [42]);
    const part = tf.slice(p, [2, 0], [3, 7]);
    expect(Array.from(readInto(view))).toEqual(Array.from(p.dataSync()));
    expect(Array.from(readInto(part))).toEqual(Array.from(p.dataSync().subarray(14, 35)));
    tf.dispose([a, b, p, view, part]);
  });

  it(`reads the live values after an in-place change of a variable on ${backend}`, () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    v.assign(tf.tensor1d([4, 5, 6]));
    expect(Array.from(readInto(v))).toEqual([4, 5, 6]);
    v.dispose();
  });

  it(`allocates no tensor on ${backend}`, async () => {
    const t = tf.tensor1d([1, 2, 3]);
    const out = new Float32Array(3);
    await expectNoLeak(() => readInto(t, out));
    t.dispose();
  });

  it(`rejects a bad tensor or buffer, naming the argument, on ${backend}`, () => {
    const t = tf.tensor1d([1, 2, 3]);
    const i = tf.tensor1d([1, 2], 'int32');
    expect(() => readInto(t, new Float32Array(2))).toThrow('readInto: out must have length >= t.size (3), got 2');
    expect(() => readInto(t, new Float64Array(3) as unknown as Float32Array)).toThrow('readInto: out must be a Float32Array, got [object Float64Array]');
    expect(() => readInto(i)).toThrow('readInto: t must have dtype float32, got int32');
    tf.dispose([t, i]);
    expect(() => readInto(t)).toThrow('readInto: t must be a live tensor, got a disposed tensor');
  });
});
