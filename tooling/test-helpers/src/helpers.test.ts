import { expectClose, finiteDiffGrad, testFloats } from './index';

describe('test helpers', () => {
  it('finiteDiffGrad matches the analytic gradient of a cubic', () => {
    // f(x) = sum x_i^3, df/dx_i = 3 x_i^2
    const x = [0.5, -1, 2];
    const g = finiteDiffGrad((p) => p.reduce((s, v) => s + v * v * v, 0), x, 1e-4);
    expectClose(g, x.map((v) => 3 * v * v), 1e-6, 1e-6);
  });

  it('expectClose rejects values outside tolerance', () => {
    expect(() => expectClose([1, 2], [1, 2.1], 1e-3, 0)).toThrow(/index 1/);
  });

  it('testFloats is deterministic and in range', () => {
    const a = testFloats(100, 7, 0.5);
    expect(Array.from(a)).toEqual(Array.from(testFloats(100, 7, 0.5)));
    expect(Math.max(...a)).toBeLessThan(0.5);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-0.5);
  });
});
