import type { Interactions } from '@memrec/core';
import { streamSplit, syntheticStream } from '@memrec/data';
import { expectClose, useCpuBackend } from '@memrec/test-helpers';
import { Stamp } from './stamp';

useCpuBackend();

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const matVec = (x: number[], W: Float32Array, D: number) => Array.from({ length: D }, (_, j) => x.reduce((a, v, k) => a + v * W[k * D + j], 0));

describe('Stamp', () => {
  it('scores are <h_s, h_t, x_i> of the paper, computed by hand from the window, the table and the weights', async () => {
    const data = syntheticStream({ seed: 3, numUsers: 30, numItems: 25, numEvents: 900 });
    const { train } = streamSplit(data, { trainRatio: 0.6, blocks: 2 });
    const D = 5;
    const m = new Stamp({ dim: D, sessionLength: 4, epochs: 1, negatives: 8, batchSize: 32 });
    await m.fit(train, { seed: 1 });
    const [W1, W2, W3, ba, w0, Ws, bs, Wt, bt] = m.dense.map((v) => v.dataSync() as Float32Array);
    for (const u of [0, 4, 11]) {
      const win = m.fifo.window(Int32Array.of(u));
      const xs = Array.from(win.ids.subarray(0, win.lengths[0]), (i) => Array.from(m.items.row(i)));
      expect(xs.length).toBeGreaterThan(0);
      const xt = xs[0]; // newest first
      const ms = Array.from({ length: D }, (_, d) => xs.reduce((a, x) => a + x[d], 0) / xs.length);
      const ctx = matVec(xt, W2, D).map((v, d) => v + matVec(ms, W3, D)[d] + ba[d]);
      const alpha = xs.map((x) => matVec(x, W1, D).reduce((a, v, d) => a + sig(v + ctx[d]) * w0[d], 0));
      const ma = Array.from({ length: D }, (_, d) => xs.reduce((a, x, i) => a + alpha[i] * x[d], 0));
      const hs = matVec(ma, Ws, D).map((v, d) => Math.tanh(v + bs[d]));
      const ht = matVec(xt, Wt, D).map((v, d) => Math.tanh(v + bt[d]));
      const want = Array.from({ length: m.numItems }, (_, i) => Array.from(m.items.row(i)).reduce((a, x, d) => a + hs[d] * ht[d] * x, 0));
      expectClose(m.scoreAll(Int32Array.of(u)), want, 1e-5, 1e-4);
    }
    m.dispose();
  });

  it("a batch reads each event's window as if the events came one by one (its user's earlier events of the batch first)", async () => {
    const x: Interactions = { users: Int32Array.of(0, 1, 0), items: Int32Array.of(3, 4, 5), timestamps: Float64Array.of(1, 2, 3), numUsers: 2, numItems: 8 };
    const m = new Stamp({ dim: 4, sessionLength: 3, epochs: 1 });
    await m.fit(x, { seed: 1 });
    const win = (m as unknown as { windowsOf(u: Int32Array, i: Int32Array): { ids: Int32Array; lengths: Int32Array } }).windowsOf(Int32Array.of(0, 0, 1, 0), Int32Array.of(6, 7, 2, 1));
    // user 0 holds [5, 3] (newest first), user 1 holds [4]
    expect(Array.from(win.lengths)).toEqual([2, 3, 1, 3]);
    expect(Array.from(win.ids)).toEqual([5, 3, 0, 6, 5, 3, 4, 0, 0, 7, 6, 5]);
    m.dispose();
  });

  it("learns each user's next item from the last click (HR@5 above 0.9 on cyclic sequences)", async () => {
    const users: number[] = [];
    const items: number[] = [];
    for (let t = 0; t < 20; t++) for (let u = 0; u < 40; u++) {
      users.push(u);
      items.push((u * 7 + t * (1 + (u % 3))) % 30);
    }
    const x: Interactions = { users: Int32Array.from(users), items: Int32Array.from(items), timestamps: Float64Array.from(users, (_, k) => k), numUsers: 40, numItems: 30 };
    const m = new Stamp({ dim: 16, sessionLength: 2, epochs: 8, batchSize: 40, negatives: 8, learningRate: 0.03 });
    await m.fit(x, { seed: 2 });
    let hits = 0;
    for (let u = 0; u < 40; u++) if (m.recommend(u, 5, { excludeSeen: false }).items.includes((u * 7 + 20 * (1 + (u % 3))) % 30)) hits++;
    expect(hits / 40).toBeGreaterThan(0.9);
    m.dispose();
  }, 60000);
});
