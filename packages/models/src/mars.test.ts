import * as tf from '@tensorflow/tfjs-core';
import type { Interactions } from '@memrec/core';
import { streamSplit, syntheticStream } from '@memrec/data';
import { expectClose, expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { ItemPop } from './item-pop';
import { Mars } from './mars';
import { recommenderFromBytes } from './registry';
import { groupSequences, hitRate, historyOf, softmaxPool } from './window-test-data';

useCpuBackend();

const data = syntheticStream({ seed: 7, numUsers: 40, numItems: 30, numEvents: 1500 });
const { train, blocks } = streamSplit(data, { trainRatio: 0.6, blocks: 2 });

describe('Mars', () => {
  it("holds each user's last L items; scores are (p_u + sum_k softmax_k(q_i . f_k) f_k) . q_i with f_k = sum_j softmax_j(g_k . m_j) m_j, by hand", async () => {
    const D = 5;
    const K = 3;
    const m = new Mars({ dim: D, facets: K, history: 4, epochs: 2, batchSize: 64 });
    await m.fit(train, { seed: 1 });
    await m.observe(blocks[0]);
    const all: Interactions = { ...train, users: Int32Array.from([...train.users, ...blocks[0].users]), items: Int32Array.from([...train.items, ...blocks[0].items]), timestamps: Float64Array.from([...(train.timestamps ?? []), ...(blocks[0].timestamps ?? [])]) };
    const keys = Array.from({ length: K }, (_, k) => Array.from(m.dense[0].dataSync().subarray(k * D, (k + 1) * D)));
    for (const u of [0, 5, 17]) {
      const last = historyOf(all, u).slice(-4).reverse();
      const win = m.fifo.window(Int32Array.of(u));
      expect(Array.from(win.ids.subarray(0, win.lengths[0]))).toEqual(last);
      const slots = last.map((i) => Array.from(m.items.row(i)));
      const facets = keys.map((g) => softmaxPool(g, slots));
      const p = Array.from(m.users.row(u));
      const want = Array.from({ length: m.numItems }, (_, i) => {
        const q = Array.from(m.items.row(i));
        const r = softmaxPool(q, facets);
        return q.reduce((a, qd, d) => a + (p[d] + r[d]) * qd, 0);
      });
      expectClose(m.scoreAll(Int32Array.of(u)), want, 1e-5, 1e-4);
      expectClose(m.score(Int32Array.of(u, u), Int32Array.of(2, 9)), [want[2], want[9]], 1e-5, 1e-4);
    }
    m.dispose();
  });

  it('is seeded, round-trips through bytes to the same scores and state, and keeps the tensor count flat over a long observe stream', async () => {
    const before = tf.memory().numTensors;
    const run = async (seed: number) => {
      const m = new Mars({ dim: 8, facets: 2, history: 5, epochs: 1 });
      await m.fit(train, { seed });
      await m.observe(blocks[0]);
      const s = Array.from(m.scoreAll(Int32Array.of(1, 2)));
      m.dispose();
      return s;
    };
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));

    const m = new Mars({ dim: 8, facets: 2, history: 5, epochs: 1, batchSize: 32 });
    await m.fit(train, { seed: 2 });
    const bytes = m.toBytes();
    const loaded = recommenderFromBytes(bytes);
    expect(loaded).toBeInstanceOf(Mars);
    expect(Array.from(loaded.scoreAll(Int32Array.of(0, 3, 39)))).toEqual(Array.from(m.scoreAll(Int32Array.of(0, 3, 39))));
    expect(loaded.toBytes()).toEqual(bytes);
    loaded.dispose();
    const small = streamSplit(data, { trainRatio: 0.6, blocks: 31 }).blocks;
    await m.observe(small[0]); // the first block may create optimizer slots
    await expectNoLeak(async () => {
      for (const b of small.slice(1)) {
        await m.observe(b);
        m.recommend(3, 5);
      }
    });
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options, bytes of another model and use before fit, naming the function, argument and value', async () => {
    expect(() => new Mars({ facets: 0 })).toThrow('Mars: option facets must be an integer >= 1, got 0');
    expect(() => new Mars({ history: 2.5 })).toThrow('Mars: option history must be an integer >= 1, got 2.5');
    expect(() => new Mars({ learningRate: -1 })).toThrow('Mars: option learningRate must be a finite number > 0, got -1');
    expect(() => new Mars({ slots: 3 } as never)).toThrow('Mars: unknown option "slots"');
    const m = new Mars({ dim: 4 });
    expect(() => m.scoreAll(Int32Array.of(0))).toThrow('Mars.scoreAll: the model must be fitted (call fit) or loaded (fromBytes) first');
    const pop = new ItemPop();
    await pop.fit(train);
    expect(() => Mars.fromBytes(pop.toBytes())).toThrow(/Mars\.fromBytes: .*model:mars.*model:pop/);
  });

  it("learns a sequential pattern: beats ItemPop by a wide margin at HR@5 (above 0.9) on the next item when its group follows from the user's last items", async () => {
    const { x, next } = groupSequences();
    const m = new Mars({ dim: 16, facets: 2, history: 3, epochs: 10, batchSize: 40, learningRate: 0.03 });
    await m.fit(x, { seed: 2 });
    const pop = new ItemPop();
    await pop.fit(x);
    const hr = hitRate(m, next, 5);
    const popHr = hitRate(pop, next, 5);
    // measured: MARS 1.0, ItemPop 0.025; an order-free BPR-MF (dim 16, 30 epochs) reaches 0.575
    expect(hr).toBeGreaterThan(0.9);
    expect(hr).toBeGreaterThan(popHr + 0.5);
    m.dispose();
  }, 60000);
});
