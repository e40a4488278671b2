import * as tf from '@tensorflow/tfjs-core';
import { describeWithBackends, parseTestBackends, testBackends, type TestBackend } from './index';

describe('parseTestBackends', () => {
  it.each([
    { spec: undefined, want: ['cpu', 'wasm'] },
    { spec: '', want: ['cpu', 'wasm'] },
    { spec: 'wasm', want: ['wasm'] },
    { spec: 'cpu', want: ['cpu'] },
    { spec: ' cpu , wasm ', want: ['cpu', 'wasm'] },
    { spec: 'wasm,cpu,wasm', want: ['wasm', 'cpu'] }, // the order given, each once
  ])('MEMREC_TEST_BACKENDS=$spec selects $want', ({ spec, want }) => {
    expect(parseTestBackends(spec)).toEqual(want);
  });

  it.each(['webgl', 'cpu,', 'cpu wasm'])('rejects %j, naming the variable and the allowed names', (spec) => {
    expect(() => parseTestBackends(spec)).toThrow(`MEMREC_TEST_BACKENDS must list cpu and/or wasm separated by commas, got ${JSON.stringify(spec)}`);
  });
});

const ran: { backend: TestBackend; active: string; title: string }[] = [];

describeWithBackends('describeWithBackends', (backend) => {
  it('activates the backend it names before the block runs', () => {
    ran.push({ backend, active: tf.getBackend(), title: expect.getState().currentTestName ?? '' });
    // 2 x 3 times 3 x 1: [1*1 + 2*2 + 3*3, 4*1 + 5*2 + 6*3] = [14, 32], computed by this backend's kernel
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([1, 2, 3], [3, 1]);
    const c = tf.matMul(a, b);
    expect(Array.from(c.dataSync())).toEqual([14, 32]);
    tf.dispose([a, b, c]);
  });

  it("installs @memrec/core's matMul gradient, as initBackend does in production", async () => {
    // imported by name only (core's own tests use these helpers, so neither package depends on the other)
    const core = (await import('@memrec/core' as string)) as { matMulGradientInstalled(): boolean };
    expect(core.matMulGradientInstalled()).toBe(true);
  });
});

it('ran the block once per selected backend, in order, with that backend active and named in the title', () => {
  const selected = testBackends();
  expect(ran.map((r) => r.backend)).toEqual(selected);
  expect(ran.map((r) => r.active)).toEqual(selected);
  expect(ran.map((r) => r.title)).toEqual(selected.map((b) => `describeWithBackends [${b}] activates the backend it names before the block runs`));
});
