import * as tf from '@tensorflow/tfjs-core';
import { UserItemSet } from '@memrec/core';
import { leaveLastOut, syntheticStream } from '@memrec/data';
import { evaluateFull } from '@memrec/eval';
import { expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { Irgan } from './irgan';
import { ItemPop } from './item-pop';
import { OnlineRecommender } from './online';
import { recommenderFromBytes } from './registry';

useCpuBackend();

const data = syntheticStream({ seed: 4, numUsers: 200, numItems: 120, numEvents: 8000 });
const { train, test } = leaveLastOut(data);
const small = { dim: 8, epochs: 3, dEpochs: 3, gEpochs: 2, pretrainEpochs: 10, pretrainLearningRate: 0.05, gLearningRate: 0.01, dLearningRate: 0.01 };

describe('Irgan', () => {
  it('takes the BCE step of the authors’ discriminator on one positive and one G negative', async () => {
    // one user, two items: the positive is item 0, so G's only possible negative is item 1
    const tiny = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 2 };
    const opts = { dim: 2, dEpochs: 1, gEpochs: 0, pretrainG: 'none' as const, dLearningRate: 0.5, dL2: 0.1, initScale: 0.4, seed: 3 };
    const before = new Irgan({ ...opts, epochs: 0 });
    await before.fit(tiny);
    const after = new Irgan({ ...opts, epochs: 1 });
    await after.fit(tiny);
    const p = Array.from(before.d.users.row(0));
    const q = [Array.from(before.d.items.row(0)), Array.from(before.d.items.row(1))];
    const b = [0, 0];
    // sequential SGD: label 1 on item 0, then label 0 on item 1 (with the user's updated row)
    for (const [i, label] of [[0, 1], [1, 0]] as const) {
      const s = p.reduce((a, pf, k) => a + pf * q[i][k], b[i]);
      const g = 1 / (1 + Math.exp(-s)) - label;
      const pOld = p.slice();
      for (let k = 0; k < 2; k++) {
        p[k] -= 0.5 * (g * q[i][k] + 0.1 * pOld[k]);
        q[i][k] -= 0.5 * (g * pOld[k] + 0.1 * q[i][k]);
      }
      b[i] -= 0.5 * (g + 0.1 * b[i]);
    }
    Array.from(after.d.users.row(0)).forEach((v, k) => expect(v).toBeCloseTo(p[k], 6));
    Array.from(after.d.items.row(1)).forEach((v, k) => expect(v).toBeCloseTo(q[1][k], 6));
    expect(after.d.bias.data[0]).toBeCloseTo(b[0], 6);
    expect(after.d.bias.data[1]).toBeCloseTo(b[1], 6);
    before.dispose();
    after.dispose();
  });

  it('learns (G beats ItemPop on full ranking), is seeded, and the discriminator loss falls', async () => {
    const seen = UserItemSet.fromInteractions(train);
    const a = new Irgan({ ...small, seed: 2 });
    await a.fit(train);
    const b = new Irgan({ ...small, seed: 2 });
    await b.fit(train);
    expect(Array.from(b.scoreAll(Int32Array.of(0, 7)))).toEqual(Array.from(a.scoreAll(Int32Array.of(0, 7))));
    const c = new Irgan({ ...small, seed: 3 });
    await c.fit(train);
    expect(Array.from(c.scoreAll(Int32Array.of(0)))).not.toEqual(Array.from(a.scoreAll(Int32Array.of(0))));
    const pop = new ItemPop();
    await pop.fit(train);
    const ndcg = async (m: Irgan | ItemPop) => (await evaluateFull(m, test, { seen, k: [10] })).metrics['ndcg@10'];
    expect(await ndcg(a)).toBeGreaterThan((await ndcg(pop)) + 0.02);
    // D's BCE loss falls over the passes that share one draw of G negatives (dRefresh 5 > dEpochs 3)
    const losses: number[] = [];
    const d = new Irgan({ ...small, epochs: 1, seed: 2 });
    await d.fit(train, { onLoss: (_x, l) => losses.push(l) });
    expect(losses).toHaveLength(3);
    expect(losses[2]).toBeLessThan(losses[0]);
    d.dispose();
    for (const m of [a, b, c]) m.dispose();
  });

  it('round-trips through bytes (both networks), loads by kind, and serves raw ids through OnlineRecommender', async () => {
    const m = new Irgan({ ...small, epochs: 1, scoreWith: 'discriminator', seed: 1 });
    await m.fit(train);
    const again = recommenderFromBytes(m.toBytes()) as Irgan;
    expect(again).toBeInstanceOf(Irgan);
    expect(Array.from(again.scoreAll(Int32Array.of(3)))).toEqual(Array.from(m.scoreAll(Int32Array.of(3))));
    expect(Array.from(again.g.score(Int32Array.of(3), Int32Array.of(5)))).toEqual(Array.from(m.g.score(Int32Array.of(3), Int32Array.of(5))));
    expect(again.toBytes()).toEqual(m.toBytes());
    const rec = OnlineRecommender.fromModel(again, { users: data.users, items: data.items });
    const raw = data.users.toRaw(0);
    const top = rec.recommend(raw, 5);
    expect(top).toHaveLength(5);
    const bytes = m.toBytes();
    bytes[bytes.length - 5] ^= 0xff;
    expect(() => Irgan.fromBytes(bytes)).toThrow('Irgan.fromBytes');
    m.dispose();
    again.dispose();
  });

  it('keeps the tensor count flat over fit, a long stream of observed blocks and scoring', async () => {
    await expectNoLeak(async () => {
      const m = new Irgan({ ...small, epochs: 1 });
      await m.fit(train);
      for (let k = 0; k < 50; k++) {
        const s = (k * 80) % (test.users.length - 80);
        await m.observe({ users: test.users.slice(s, s + 80), items: test.items.slice(s, s + 80), numUsers: test.numUsers, numItems: test.numItems });
        m.scoreAll(Int32Array.of(k % 50));
      }
      m.dispose();
    });
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });

  it('rejects bad options and inputs, naming the option and the value', async () => {
    expect(() => new Irgan({ dim: 0 })).toThrow('Irgan: option dim must be an integer >= 1, got 0');
    expect(() => new Irgan({ temperature: 0 })).toThrow('Irgan: option temperature must be a finite number > 0, got 0');
    expect(() => new Irgan({ pretrainG: 'gan' as never })).toThrow('Irgan: option pretrainG must be one of "none", "bpr", "dns", got "gan"');
    expect(() => new Irgan({ importanceMix: 1 })).toThrow('Irgan: option importanceMix must be a finite number >= 0 and < 1, got 1');
    const m = new Irgan();
    expect(() => m.scoreAll(Int32Array.of(0))).toThrow('Irgan.scoreAll: the model must be fitted');
    await expect(m.fit({ users: Int32Array.of(0), items: Int32Array.of(5), numUsers: 1, numItems: 2 })).rejects.toThrow('Irgan.fit: train.items[0] must be an id in [0, 2), got 5');
  });
});
