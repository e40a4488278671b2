import * as tf from '@tensorflow/tfjs-core';
import { UserItemSet } from '@memrec/core';
import { describeWithBackends, expectClose, expectNoLeak, finiteDiffGrad, testFloats } from '@memrec/test-helpers';
import { ganSampler, GanSampler } from './gan';
import { GanGenerator } from './gan-generator';
import { expectValidNegatives, fixtureSet } from './test-fixtures';

const N = 30;
const HARD = new Set([10, 11, 12, 13, 14]);

function toySet(): UserItemSet {
  return UserItemSet.fromInteractions({ users: Int32Array.from([0, 0, 1, 2]), items: Int32Array.from([0, 1, 2, 3]), numUsers: 3, numItems: N });
}

function hardMass(g: GanSampler, u: number): number {
  const items = Int32Array.from({ length: N }, (_, i) => i).filter((i) => !g.seen.has(u, i));
  const p = g.probabilities(u, items);
  let m = 0;
  items.forEach((i, k) => (m += HARD.has(i) ? p[k] : 0));
  return m;
}

const USERS = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]);
const POS = Int32Array.from([0, 2, 3, 1, 2, 3, 0, 2]);

describeWithBackends('ganSampler', () => {
  it('d_G matches a plain reference of softplus(w2 . relu(Wu e + Wv f + Wp (e*f) + b1) + b2)', () => {
    const g = ganSampler({ seen: toySet(), dim: 4, hidden: 3, seed: 2 });
    const users = Int32Array.from([0, 2, 1]);
    const items = Int32Array.from([5, 7, 29]);
    const got = g.distance(users, items);
    const [wu, wv, wp, b1, w2, b2] = g.generator.mlpValues();
    const ref = Array.from(users, (u, k) => {
      const e = g.generator.users.row(u);
      const f = g.generator.items.row(items[k]);
      let o = b2[0];
      for (let h = 0; h < 3; h++) {
        let a = b1[h];
        for (let d = 0; d < 4; d++) a += e[d] * wu[d * 3 + h] + f[d] * wv[d * 3 + h] + e[d] * f[d] * wp[d * 3 + h];
        o += Math.max(0, a) * w2[h];
      }
      return Math.log1p(Math.exp(o));
    });
    expectClose(got, ref, 1e-5, 1e-4);
    g.dispose();
  });

  it("the generator's step moves every row and MLP weight by minus the finite-difference gradient (sgd, learning rate 1)", async () => {
    const [dim, H] = [3, 4];
    const g = new GanGenerator(3, 6, { dim, hidden: H, learningRate: 1, optimizer: 'sgd' }, 5);
    // rows of scale 1 (not the initialiser's 0.1) keep the hidden pre-activations away from relu's kink
    g.users.data.set(testFloats(9, 21));
    g.items.data.set(testFloats(18, 22));
    // R = 2 rows of T = 2 candidates: user 0 with items (1, 4), user 2 with items (5, 1); item 1 twice
    const userIds = Int32Array.from([0, 2]);
    const itemIds = Int32Array.from([1, 4, 5, 1]);
    const c = [1, -0.5, 0.25, 2]; // loss = sum_{r, t} c[r, t] d_G(u_r, v_rt)
    // All parameters as one flat vector: E (3 x 3), F (6 x 3), then wu, wv, wp, b1, w2, b2.
    const sizes = [9, 18, dim * H, dim * H, dim * H, H, H, 1];
    const x = Float64Array.from([...g.users.data.subarray(0, 9), ...g.items.data.subarray(0, 18), ...g.mlpValues().flatMap((v) => Array.from(v))]);
    const offsets = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
    const preActivations: number[] = [];
    const plainLoss = (p: Float64Array) => {
      const [E, F, wu, wv, wp, b1, w2, b2] = offsets;
      let loss = 0;
      for (let r = 0; r < 2; r++) {
        for (let t = 0; t < 2; t++) {
          const u = userIds[r];
          const i = itemIds[r * 2 + t];
          let o = p[b2];
          for (let h = 0; h < H; h++) {
            let a = p[b1 + h];
            for (let d = 0; d < dim; d++) {
              const e = p[E + u * dim + d];
              const f = p[F + i * dim + d];
              a += e * p[wu + d * H + h] + f * p[wv + d * H + h] + e * f * p[wp + d * H + h];
            }
            preActivations.push(a);
            o += Math.max(0, a) * p[w2 + h];
          }
          loss += c[r * 2 + t] * Math.log1p(Math.exp(o)); // d_G = softplus(o)
        }
      }
      return loss;
    };
    plainLoss(x);
    // finite differences with h = 1e-3 are exact only away from relu's kink
    expect(Math.min(...preActivations.map(Math.abs))).toBeGreaterThan(1e-2);
    const expected = finiteDiffGrad(plainLoss, x, 1e-3);
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.1); // a step that does nothing fails below
    await expectNoLeak(() => {
      g.step(userIds, itemIds, 2, (ue, ve, params) => tf.tidy(() => tf.sum(tf.mul(g.distances(ue, ve, params), tf.tensor2d(c, [2, 2]))) as tf.Scalar));
    });
    const after = [...g.users.data.subarray(0, 9), ...g.items.data.subarray(0, 18), ...g.mlpValues().flatMap((v) => Array.from(v))];
    const moved = after.map((v, k) => x[k] - v);
    // user 1 and items 0, 2, 3 take no part: they must not move at all
    expect([...moved.slice(3, 6), ...moved.slice(9, 12), ...moved.slice(15, 21)]).toEqual(new Array(12).fill(0));
    // float32 forward and backward against a float64 reference
    expectClose(moved, expected, 1e-5, 1e-3);
    g.dispose();
  });

  it('never returns a positive over 20 seeds, including a user who has seen all but two items', () => {
    const seen = fixtureSet(40, [7, 31]);
    const users = Int32Array.from([0, 1, 2, 3, 1]);
    const pos = Int32Array.from([1, 4, 0, 0, 7]);
    for (let seed = 0; seed < 20; seed++) {
      const g = ganSampler({ seen, dim: 4, hidden: 4, candidates: 6, seed });
      expectValidNegatives(seen, users, pos, 3, g.sample(users, pos, 3));
      g.dispose();
    }
  });

  it('same seed gives the same draws', () => {
    const a = ganSampler({ seen: toySet(), dim: 4, hidden: 4, candidates: 5, seed: 9 });
    const b = ganSampler({ seen: toySet(), dim: 4, hidden: 4, candidates: 5, seed: 9 });
    expect(Array.from(a.sample(USERS, POS, 2))).toEqual(Array.from(b.sample(USERS, POS, 2)));
    a.dispose();
    b.dispose();
  });

  it.each([0, 0.3])('moves its distribution toward high-reward items (toy problem, importanceMix %s)', (importanceMix) => {
    const g = ganSampler({ seen: toySet(), dim: 8, hidden: 8, candidates: 8, learningRate: 0.05, seed: 3, importanceMix, baselineDecay: 0.5 });
    const before = [0, 1, 2].map((u) => hardMass(g, u));
    let lastReward = 0;
    for (let step = 0; step < 120; step++) {
      const negs = g.sample(USERS, POS, 2);
      const rewards = Float32Array.from(negs, (i) => (HARD.has(i) ? 1 : 0));
      lastReward = g.update(USERS, negs, rewards).meanReward;
    }
    const after = [0, 1, 2].map((u) => hardMass(g, u));
    // 5 hard items among 27-28 non-positives: mass about 0.18 at the start.
    for (const m of before) expect(m).toBeLessThan(0.3);
    for (const m of after) expect(m).toBeGreaterThan(0.6);
    expect(lastReward).toBeGreaterThan(0.5);
    expect(g.baseline).toBeGreaterThan(0.3);
    g.dispose();
  });

  it('pretrain pulls positives closer than other items', () => {
    const g = ganSampler({ seen: toySet(), dim: 8, hidden: 8, learningRate: 0.05, seed: 4 });
    const first = g.pretrain(USERS, POS);
    let last = first;
    for (let k = 0; k < 60; k++) last = g.pretrain(USERS, POS);
    expect(last).toBeLessThan(first * 0.5);
    const d = g.distance(Int32Array.from([1, 1]), Int32Array.from([2, 20]));
    expect(d[0]).toBeLessThan(d[1]);
    g.dispose();
  });

  it('saves and loads generator weights, baseline and config', () => {
    const seen = toySet();
    const g = ganSampler({ seen, dim: 4, hidden: 5, candidates: 7, learningRate: 0.02, seed: 5, importanceMix: 0.2, baselineDecay: 0.7 });
    for (let k = 0; k < 3; k++) {
      const negs = g.sample(USERS, POS, 1);
      g.update(USERS, negs, Float32Array.from(negs, (i) => i / N));
    }
    const bytes = g.toBytes();
    const a = GanSampler.fromBytes(bytes, { seen, seed: 11 });
    const b = GanSampler.fromBytes(bytes, { seen, seed: 11 });
    const u = Int32Array.from([0, 1, 2, 2]);
    const i = Int32Array.from([4, 9, 17, 29]);
    expect(Array.from(a.distance(u, i))).toEqual(Array.from(g.distance(u, i)));
    expect(a.baseline).toBe(g.baseline);
    expect(a.updates).toBe(3);
    expect([a.candidates, a.importanceMix, a.baselineDecay, a.generator.config.hidden]).toEqual([7, 0.2, 0.7, 5]);
    expect(Array.from(a.sample(USERS, POS, 2))).toEqual(Array.from(b.sample(USERS, POS, 2)));
    expect(() => GanSampler.fromBytes(bytes.subarray(0, 40), { seen })).toThrow(`GanSampler.fromBytes: bytes is truncated at byte 40 of ${bytes.length}`);
    expect(() => GanSampler.fromBytes(new Uint8Array(16), { seen })).toThrow('GanSampler.fromBytes: bytes must be at least 20 bytes long (the state prefix), got 16');
    expect(() => GanSampler.fromBytes(new Uint8Array(24), { seen })).toThrow('GanSampler.fromBytes: bytes must start with "MRST", got bytes 00 00 00 00 (not a memrec state)');
    expect(() => GanSampler.fromBytes(g.generator.users.toBytes(), { seen })).toThrow('GanSampler.fromBytes: bytes must hold a "gan-sampler" state, got "sparse-embedding"');
    const flipped = bytes.slice();
    flipped[flipped.length - 1] ^= 1;
    expect(() => GanSampler.fromBytes(flipped, { seen })).toThrow(/^GanSampler\.fromBytes: bytes must match their checksum/);
    [g, a, b].forEach((s) => s.dispose());
  });

  it('grows with the stream: new users and items are sampled and scored', () => {
    const seen = toySet();
    const g = ganSampler({ seen, dim: 4, hidden: 4, candidates: 4, seed: 6 });
    seen.add(5, 40);
    const users = Int32Array.from([5, 7]);
    const pos = Int32Array.from([40, 39]);
    const negs = g.sample(users, pos, 3);
    expectValidNegatives(seen, users, pos, 3, negs);
    expect(g.generator.items.rows).toBe(41);
    expect(g.generator.users.rows).toBe(8);
    g.update(users, negs, new Float32Array(6).fill(0.5));
    g.dispose();
  });

  it('leaves no tensors behind (sample, update, pretrain, distance, save/load, dispose)', async () => {
    const before = tf.memory().numTensors;
    const g = ganSampler({ seen: toySet(), dim: 4, hidden: 4, candidates: 4, seed: 7 });
    const warm = g.sample(USERS, POS, 1);
    g.update(USERS, warm, new Float32Array(8).fill(1)); // creates the optimizer's slots
    await expectNoLeak(() => {
      for (let k = 0; k < 3; k++) {
        const negs = g.sample(USERS, POS, 2);
        g.update(USERS, negs, new Float32Array(16).fill(0.1));
        g.pretrain(USERS, POS);
        g.distance(USERS, POS);
      }
    });
    const loaded = GanSampler.fromBytes(g.toBytes(), { seen: g.seen });
    loaded.dispose();
    g.dispose();
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad input with clear messages', () => {
    const g = ganSampler({ seen: toySet(), dim: 4, hidden: 4, candidates: 4, seed: 8 });
    expect(() => ganSampler({ seen: toySet(), dim: 0 })).toThrow('ganSampler: dim must be an integer >= 1, got 0');
    expect(() => ganSampler({ seen: toySet(), importanceMix: 1 })).toThrow('ganSampler: importanceMix must be a finite number in [0, 0.999999], got 1');
    expect(() => g.update(USERS, new Int32Array(8), new Float32Array(8))).toThrow('ganSampler.update: no sample to update from: call sample() before each update()');
    expect(() => g.sample(USERS, POS, 0)).toThrow('ganSampler.sample: n must be an integer >= 1, got 0');
    const negs = g.sample(USERS, POS, 1);
    expect(() => g.update(USERS, negs, new Float32Array(7))).toThrow('ganSampler.update: rewards must be a Float32Array of length 8 (one per negative), got Float32Array(7)');
    const nan = new Float32Array(8);
    nan[3] = NaN;
    expect(() => g.update(USERS, negs, nan)).toThrow('ganSampler.update: rewards[3] must be finite, got NaN');
    const other = negs.map((i) => (i + 1) % N);
    expect(() => g.update(USERS, other, new Float32Array(8))).toThrow('ganSampler.update: negatives must be the 8 items returned by the last sample() call');
    expect(() => g.update(POS, negs, new Float32Array(8))).toThrow('ganSampler.update: users must be the users of the last sample() call');
    const full = UserItemSet.fromInteractions({ users: Int32Array.from([0, 0]), items: Int32Array.from([0, 1]), numUsers: 1, numItems: 2 });
    const h = ganSampler({ seen: full, dim: 2, hidden: 2 });
    expect(() => h.sample(Int32Array.from([0]), Int32Array.from([0]), 1)).toThrow('ganSampler.sample: user 0 has no possible negative (has seen 2 of 2 items; row positive 0)');
    h.dispose();
    g.dispose();
    expect(() => g.sample(USERS, POS, 1)).toThrow('ganSampler.sample: the sampler was disposed');
  });
});
