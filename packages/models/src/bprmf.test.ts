import * as tf from '@tensorflow/tfjs-core';
import { UserItemSet } from '@memrec/core';
import { leaveLastOut, syntheticStream } from '@memrec/data';
import { evaluateFull } from '@memrec/eval';
import { useCpuBackend } from '@memrec/test-helpers';
import { BprMf } from './bprmf';
import { ItemPop } from './item-pop';

useCpuBackend();

describe("BprMf with solver 'sgd' (LearnBPR on the host)", () => {
  it('takes exactly the hand-written SGD step on the one possible triple', async () => {
    // one user, two items, one positive (0, 0): the only triple is (u 0, i 0, j 1)
    const train = { users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 2 };
    const opts = { dim: 3, solver: 'sgd' as const, learningRate: 0.5, l2: 0.1, seed: 7 };
    const init = new BprMf({ ...opts, epochs: 0 });
    await init.fit(train);
    const p = Array.from(init.users.row(0));
    const qi = Array.from(init.items.row(0));
    const qj = Array.from(init.items.row(1));
    const m = new BprMf({ ...opts, epochs: 1 });
    const losses: number[] = [];
    await m.fit(train, { onLoss: (_x, l) => losses.push(l) });
    const x = p.reduce((a, pf, d) => a + pf * (qi[d] - qj[d]), 0);
    const z = 1 / (1 + Math.exp(x));
    const lr = 0.5;
    const l2 = 0.1;
    const expectP = p.map((pf, d) => pf + lr * (z * (qi[d] - qj[d]) - l2 * pf));
    const expectI = qi.map((f, d) => f + lr * (z * p[d] - l2 * f));
    const expectJ = qj.map((f, d) => f + lr * (-z * p[d] - l2 * f));
    Array.from(m.users.row(0)).forEach((v, d) => expect(v).toBeCloseTo(expectP[d], 6));
    Array.from(m.items.row(0)).forEach((v, d) => expect(v).toBeCloseTo(expectI[d], 6));
    Array.from(m.items.row(1)).forEach((v, d) => expect(v).toBeCloseTo(expectJ[d], 6));
    expect(losses).toHaveLength(1);
    expect(losses[0]).toBeCloseTo(Math.log1p(Math.exp(-x)), 6); // -log sigmoid(x)
    init.dispose();
    m.dispose();
  });

  it('learns (beats ItemPop on full ranking by a margin), is seeded, and makes no tensors while training', async () => {
    const data = syntheticStream({ seed: 4, numUsers: 300, numItems: 150, numEvents: 12000 });
    const { train, test } = leaveLastOut(data);
    const seen = UserItemSet.fromInteractions(train);
    const before = tf.memory().numTensors;
    const a = new BprMf({ dim: 16, solver: 'sgd', epochs: 10, learningRate: 0.05, l2: 0.001, seed: 3 });
    await a.fit(train);
    expect(tf.memory().numTensors).toBe(before);
    const b = new BprMf({ dim: 16, solver: 'sgd', epochs: 10, learningRate: 0.05, l2: 0.001, seed: 3 });
    await b.fit(train);
    expect(Array.from(b.scoreAll(Int32Array.of(0, 5)))).toEqual(Array.from(a.scoreAll(Int32Array.of(0, 5))));
    const pop = new ItemPop();
    await pop.fit(train);
    const ndcg = async (m: BprMf | ItemPop) => (await evaluateFull(m, test, { seen, k: [10] })).metrics['ndcg@10'];
    expect(await ndcg(a)).toBeGreaterThan((await ndcg(pop)) + 0.02);
    a.dispose();
    b.dispose();
  });
});
