import { UserItemSet, seededRng } from '@memrec/core';
import { drawCumulative, irganSampler, IrganSampler } from './irgan';
import { MfBias } from './mf-bias';
import { expectValidNegatives, fixtureSet } from './test-fixtures';

/** -sum_k w_k log q(items[k]) with q = softmax(s / tau) over `allowed` items, in float64. */
function surrogate(m: MfBias, u: number, items: number[], w: number[], tau: number, allowed: (i: number) => boolean): number {
  const n = m.numItems;
  const s = Array.from({ length: n }, (_, i) => m.score(u, i) / tau);
  const mx = Math.max(...s.filter((_, i) => allowed(i)));
  const z = s.reduce((a, v, i) => a + (allowed(i) ? Math.exp(v - mx) : 0), 0);
  return items.reduce((a, i, k) => a - w[k] * (s[i] - mx - Math.log(z)), 0);
}

/** Central finite difference of f with respect to one float of `arr` (float64 step on a float32 value). */
function fd(arr: Float32Array, idx: number, f: () => number, h = 1e-3): number {
  const v = arr[idx];
  arr[idx] = v + h;
  const a = f();
  arr[idx] = v - h;
  const b = f();
  arr[idx] = v;
  return (a - b) / (arrStep(v + h, v) + arrStep(v, v - h));
}
// the float32 table rounds v +- h: divide by the step actually taken
const arrStep = (a: number, b: number) => Math.fround(a) - Math.fround(b);

describe('irganSampler', () => {
  it('never returns a positive or the row positive, stays in range, and repeats with the same seed', () => {
    const seen = fixtureSet();
    const users = Int32Array.from([0, 1, 2, 3, 0, 2]);
    const pos = Int32Array.from([1, 7, 9, 0, 3, 9]);
    const a = irganSampler({ seen, seed: 5, dim: 4 }).sample(users, pos, 16);
    expectValidNegatives(seen, users, pos, 16, a);
    // user 1 has two unseen items (7 and 31); its row positive 7 leaves only 31
    for (let t = 0; t < 16; t++) expect(a[16 + t]).toBe(31);
    const b = irganSampler({ seen, seed: 5, dim: 4 }).sample(users, pos, 16);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(irganSampler({ seen, seed: 6, dim: 4 }).sample(users, pos, 16))).not.toEqual(Array.from(a));
  });

  it('draws from softmax(s_G / temperature) over unseen items (chi-square over 40,000 draws)', () => {
    const seen = fixtureSet(12);
    const g = irganSampler({ seen, seed: 3, dim: 3, initScale: 1, temperature: 0.5 });
    const p = g.probabilities(0, 0.5, true);
    const counts = new Float64Array(12);
    const draws = 40000;
    const negs = g.sample(new Int32Array(400).fill(0), new Int32Array(400).fill(1), draws / 400);
    for (const i of negs) counts[i]++;
    let chi = 0;
    let df = -1;
    for (let i = 0; i < 12; i++) {
      if (p[i] === 0) {
        expect(counts[i]).toBe(0);
        continue;
      }
      chi += (counts[i] - draws * p[i]) ** 2 / (draws * p[i]);
      df++;
    }
    // 8 free cells: the 0.999 quantile of chi-square(8) is 26.1
    expect(df).toBe(8);
    expect(chi).toBeLessThan(26.1);
  });

  it('update takes an SGD step along the finite-difference gradient of -mean(r log q(neg))', () => {
    const seen = fixtureSet(10);
    const g = irganSampler({ seen, seed: 2, dim: 3, initScale: 0.5, temperature: 0.7, learningRate: 1e-3 });
    const users = Int32Array.from([0, 0, 2]);
    const pos = Int32Array.from([1, 3, 4]);
    const negs = g.sample(users, pos, 2);
    const rewards = Float32Array.from([0.3, -0.2, 0.9, 0.1, -0.5, 0.4]);
    const m = g.model;
    const allowed0 = (i: number) => !seen.has(0, i);
    const loss = () =>
      surrogate(m, 0, Array.from(negs.subarray(0, 4)), Array.from(rewards.subarray(0, 4), (r) => r / 6), 0.7, allowed0) +
      surrogate(m, 2, Array.from(negs.subarray(4)), Array.from(rewards.subarray(4), (r) => r / 6), 0.7, () => true);
    const params: [Float32Array, number][] = [
      [m.users.data, 0],
      [m.users.data, 2],
      [m.users.data, 2 * 3 + 1],
      [m.items.data, negs[0] * 3],
      [m.items.data, 8 * 3 + 2],
      [m.bias.data, negs[5]],
      [m.bias.data, 0],
    ];
    const grads = params.map(([arr, idx]) => fd(arr, idx, loss));
    const before = params.map(([arr, idx]) => arr[idx]);
    const info = g.update(users, negs, rewards);
    expect(info.meanReward).toBeCloseTo(rewards.reduce((a, b) => a + b, 0) / 6, 6);
    params.forEach(([arr, idx], k) => {
      const step = (before[k] - arr[idx]) / 1e-3; // SGD: value -= lr * grad
      expect(step).toBeCloseTo(grads[k], 3);
    });
    // items user 0 has seen are outside its distribution: their bias only moves by user 2's term
    expect(() => g.update(users, negs, rewards)).toThrow('irganSampler.update: no sample to update from');
  });

  it('policyStep draws positives with at least the mixing mass and follows the importance-weighted gradient', () => {
    const seen = new UserItemSet(1, 20);
    const g = irganSampler({ seen, seed: 4, dim: 2, initScale: 0.3, importanceMix: 0.5, learningRate: 1e-3 });
    const positives = Int32Array.from([2, 7]);
    let drawn: Int32Array = new Int32Array(0);
    const p = g.probabilities(0);
    const before = Float32Array.from(g.model.bias.data.subarray(0, 20));
    const reward = (items: Int32Array) => {
      drawn = items.slice();
      return Float32Array.from(items, (i) => (i === 2 ? 1 : -0.25));
    };
    g.policyStep(0, positives, 4000, reward);
    const hits = drawn.filter((i) => i === 2 || i === 7).length / drawn.length;
    expect(hits).toBeGreaterThan(0.5 * 1 - 0.03 + (1 - 0.5) * (p[2] + p[7]));
    // the bias of item i moves by lr * (1/S) sum_k [i_k = i] w_k r_k - lr * p_i * (1/S) sum_k w_k r_k
    const pn = (i: number) => 0.5 * p[i] + (i === 2 || i === 7 ? 0.25 : 0);
    let W = 0;
    const per = new Float64Array(20);
    for (const i of drawn) {
      const wr = ((p[i] / pn(i)) * (i === 2 ? 1 : -0.25)) / drawn.length;
      per[i] += wr;
      W += wr;
    }
    for (const i of [2, 5, 7]) expect((g.model.bias.data[i] - before[i]) / 1e-3).toBeCloseTo(per[i] - p[i] * W, 4);
  });

  it('drawCumulative never picks a zero-weight item, even at the top of the range', () => {
    const cum = Float64Array.from([0, 1, 1, 3, 3]);
    const top = () => 0.9999999999;
    expect(drawCumulative(cum, 5, 3, top)).toBe(3);
    expect(drawCumulative(cum, 5, 3, () => 0)).toBe(1);
    const rng = seededRng(1);
    for (let k = 0; k < 1000; k++) expect([1, 3]).toContain(drawCumulative(cum, 5, 3, rng));
  });

  it('round-trips through bytes and validates its options', () => {
    const seen = fixtureSet();
    const g = irganSampler({ seen, seed: 9, dim: 4, temperature: 0.3 });
    const back = IrganSampler.fromBytes(g.toBytes(), { seen });
    expect(Array.from(back.score(Int32Array.of(0, 2), Int32Array.of(4, 9)))).toEqual(Array.from(g.score(Int32Array.of(0, 2), Int32Array.of(4, 9))));
    expect(back.temperature).toBe(0.3);
    expect(() => irganSampler({ seen, temperature: 0 })).toThrow('irganSampler: temperature must be a finite number > 0, got 0');
    expect(() => irganSampler({ seen, importanceMix: 1 })).toThrow('irganSampler: importanceMix');
    expect(() => irganSampler({ seen: {} as UserItemSet })).toThrow('irganSampler: seen must be a UserItemSet');
    const bytes = g.toBytes();
    bytes[bytes.length - 3] ^= 0xff;
    expect(() => IrganSampler.fromBytes(bytes, { seen })).toThrow('IrganSampler.fromBytes');
  });
});
