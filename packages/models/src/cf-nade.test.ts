import * as tf from '@tensorflow/tfjs-core';
import { seededRng, type Interactions } from '@memrec/core';
import { expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { CfNade } from './cf-nade';
import { nadeUserLoss, ratingCost, type NadeParams } from './cf-nade-math';
import { RatingBias } from './rating-bias';
import { recommenderFromBytes } from './registry';

useCpuBackend();

/** Ratings 1..5 from two latent taste groups (users and items), plus noise; every user rates 30 items. */
function ratings(seed: number, numUsers = 120, numItems = 60): { train: Interactions; test: Interactions } {
  const rng = seededRng(seed);
  const rows: [number, number, number][] = [];
  for (let u = 0; u < numUsers; u++) {
    const picked = new Set<number>();
    while (picked.size < 30) picked.add(Math.floor(rng() * numItems));
    for (const i of picked) {
      const match = u % 2 === i % 2 ? 1.2 : -1.2;
      const r = Math.min(5, Math.max(1, Math.round(3 + match + (i % 5 === 0 ? 0.8 : 0) + (rng() - 0.5))));
      rows.push([u, i, r]);
    }
  }
  const isTest = rows.map(() => rng() < 0.1);
  const pick = (t: boolean) => {
    const r = rows.filter((_, k) => isTest[k] === t);
    return { users: Int32Array.from(r, (x) => x[0]), items: Int32Array.from(r, (x) => x[1]), ratings: Float32Array.from(r, (x) => x[2]), numUsers, numItems };
  };
  return { train: pick(false), test: pick(true) };
}

const rmse = (pred: Float32Array, truth: Float32Array) => Math.sqrt(pred.reduce((s, p, k) => s + (p - truth[k]) ** 2, 0) / pred.length);

function tinyParams(share: boolean, ordinal: number): NadeParams {
  const rng = seededRng(11);
  const K = 3;
  const H = 4;
  const n = 5;
  const r = (len: number) => Float32Array.from({ length: len }, () => (rng() - 0.5) * 0.8);
  return { K, H, W: r(n * K * H), V: r(n * K * H), b: r(n * K), c: r(H), share, ordinal };
}

describe('CF-NADE cost', () => {
  it('ordinal cost of level 1 of 3 at equal scores is 2 log 2; the regular cost is log 3', () => {
    const s = Float64Array.from([0, 0, 0]);
    expect(ratingCost(s, 3, 1, 1, 1, null)).toBeCloseTo(2 * Math.log(2), 12);
    expect(ratingCost(s, 3, 1, 0, 1, null)).toBeCloseTo(Math.log(3), 12);
    // level 0: down-sum is 0 (one term), up-sum: -log softmax(s0,s1,s2)_0 - log softmax(s1,s2)_1 - 0
    expect(ratingCost(s, 3, 0, 1, 1, null)).toBeCloseTo(Math.log(3) + Math.log(2), 12);
  });

  for (const [share, ordinal] of [[true, 1], [true, 0], [false, 0.5]] as const) {
    it(`gradients match central finite differences (share ${share}, ordinal ${ordinal})`, () => {
      const p = tinyParams(share, ordinal);
      const inItems = Int32Array.of(0, 3);
      const inLevels = Int32Array.of(2, 1);
      const outItems = Int32Array.of(1, 4, 2);
      const outLevels = Int32Array.of(0, 2, 1);
      const KH = p.K * p.H;
      const g = { W: new Float32Array(2 * KH), V: new Float32Array(3 * KH), b: new Float32Array(3 * p.K), c: new Float64Array(p.H) };
      nadeUserLoss(p, inItems, inLevels, outItems, outLevels, 1.5, g, 1);
      const f = () => nadeUserLoss(p, inItems, inLevels, outItems, outLevels, 1.5, null, 1);
      const fd = (arr: Float32Array, idx: number) => {
        const v = arr[idx];
        const h = 1e-2;
        arr[idx] = v + h;
        const a = f();
        const up = arr[idx] - v;
        arr[idx] = v - h;
        const b = f();
        const down = v - arr[idx];
        arr[idx] = v;
        return (a - b) / (up + down);
      };
      // W row of input 3 (position 1), level 0 and 1 entries; V row of output 4 (position 1); b of output 2; c
      for (const [k, j] of [[0, 1], [1, 3], [2, 0]]) expect(g.W[1 * KH + k * p.H + j]).toBeCloseTo(fd(p.W, 3 * KH + k * p.H + j), 3);
      for (const [k, j] of [[0, 2], [2, 1]]) expect(g.V[1 * KH + k * p.H + j]).toBeCloseTo(fd(p.V, 4 * KH + k * p.H + j), 3);
      for (const k of [0, 1, 2]) expect(g.b[2 * p.K + k]).toBeCloseTo(fd(p.b, 2 * p.K + k), 3);
      for (const j of [0, 3]) expect(g.c[j]).toBeCloseTo(fd(p.c, j), 3);
    });
  }
});

describe('CfNade', () => {
  const { train, test } = ratings(5);
  const opts = { hidden: 16, epochs: 15, batchSize: 8, learningRate: 0.01, l2: 0.001, seed: 2 };

  it('learns: RMSE below the bias baseline, seeded, scoreAll agrees with predict, round-trips through bytes', async () => {
    const m = new CfNade(opts);
    await m.fit(train);
    const bias = new RatingBias();
    await bias.fit(train);
    const mean = train.ratings!.reduce((a, b) => a + b, 0) / train.ratings!.length;
    const base = rmse(Float32Array.from(test.users, () => mean), test.ratings!);
    const biasRmse = rmse(bias.predict(test.users, test.items), test.ratings!);
    const nadeRmse = rmse(m.predict(test.users, test.items), test.ratings!);
    expect(biasRmse).toBeLessThan(base);
    expect(nadeRmse).toBeLessThan(biasRmse - 0.05);
    const again = new CfNade(opts);
    await again.fit(train);
    expect(Array.from(again.predict(test.users.subarray(0, 20), test.items.subarray(0, 20)))).toEqual(Array.from(m.predict(test.users.subarray(0, 20), test.items.subarray(0, 20))));
    const row = m.scoreAll(Int32Array.of(test.users[0]));
    expect(row[test.items[0]]).toBeCloseTo(m.predict(test.users.subarray(0, 1), test.items.subarray(0, 1))[0], 4);
    const loaded = recommenderFromBytes(m.toBytes()) as CfNade;
    expect(Array.from(loaded.predict(test.users, test.items))).toEqual(Array.from(m.predict(test.users, test.items)));
    const b2 = RatingBias.fromBytes(bias.toBytes());
    expect(Array.from(b2.predict(test.users, test.items))).toEqual(Array.from(bias.predict(test.users, test.items)));
    // ranking by P(rating >= 4) puts the user's own taste group first
    const thr = new CfNade({ ...opts, rankBy: 'threshold', threshold: 4 });
    await thr.fit(train);
    const top = thr.recommend(0, 5).items;
    expect(Array.from(top).filter((i) => i % 2 === 0).length).toBeGreaterThanOrEqual(4);
    for (const x of [m, again, loaded, thr]) x.dispose();
  });

  it('keeps the tensor count flat over fit, observed blocks and scoring', async () => {
    await expectNoLeak(async () => {
      const m = new CfNade({ ...opts, epochs: 1 });
      await m.fit(train);
      for (let k = 0; k < 30; k++) {
        await m.observe({ users: test.users.slice(k, k + 5), items: test.items.slice(k, k + 5), numUsers: test.numUsers, numItems: test.numItems });
        m.scoreAll(Int32Array.of(k, k + 1));
      }
      m.dispose();
    });
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });

  it('rejects implicit data, ratings off the level grid and bad options', async () => {
    const implicit = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 1 };
    await expect(new CfNade().fit(implicit)).rejects.toThrow('CfNade.fit: train.ratings must be a Float32Array with one rating per interaction');
    await expect(new CfNade().fit({ ...implicit, ratings: Float32Array.of(7) })).rejects.toThrow('CfNade.fit: train.ratings[0] must be a rating level in 1, 2, ..., 5 (ratingMin, ratingStep, levels), got 7');
    await expect(new RatingBias().fit(implicit)).rejects.toThrow('RatingBias.fit: train.ratings must be a Float32Array');
    expect(() => new CfNade({ ordinal: 2 })).toThrow('CfNade: option ordinal must be a finite number >= 0 and <= 1, got 2');
    expect(() => new CfNade({ rankBy: 'mean' as never })).toThrow('CfNade: option rankBy must be one of "expected", "threshold", got "mean"');
  });
});
