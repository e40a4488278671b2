import * as tf from '@tensorflow/tfjs-core';
import type { Interactions } from '@memrec/core';
import { streamSplit, syntheticStream } from '@memrec/data';
import { expectClose, useCpuBackend } from '@memrec/test-helpers';
import { Rum } from './rum';

useCpuBackend();

const data = syntheticStream({ seed: 7, numUsers: 40, numItems: 30, numEvents: 1500 });
const { train, blocks } = streamSplit(data, { trainRatio: 0.6, blocks: 2 });

/** softmax(logits) . rows, float64. */
function attend(q: ArrayLike<number>, keys: number[][], values: number[][]): number[] {
  const s = keys.map((k) => k.reduce((a, x, d) => a + x * q[d], 0));
  const mx = Math.max(...s);
  const e = s.map((x) => Math.exp(x - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return q.length ? Array.from({ length: q.length }, (_, d) => values.reduce((a, v, k) => a + (e[k] / z) * v[d], 0)) : [];
}

/** Each user's items in time order. */
function historyOf(x: Interactions, u: number): number[] {
  const rows: number[] = [];
  for (let k = 0; k < x.users.length; k++) if (x.users[k] === u) rows.push(k);
  rows.sort((a, b) => (x.timestamps as Float64Array)[a] - (x.timestamps as Float64Array)[b] || a - b);
  return rows.map((k) => x.items[k]);
}

describe('Rum', () => {
  it("item memory: holds each user's last K items, and scores are (p_u + alpha * attention read) . q_i by hand", async () => {
    const m = new Rum({ memory: 'item', dim: 6, slots: 3, alpha: 0.7, epochs: 2, batchSize: 64 });
    await m.fit(train, { seed: 1 });
    await m.observe(blocks[0]);
    const all: Interactions = { ...train, users: Int32Array.from([...train.users, ...blocks[0].users]), items: Int32Array.from([...train.items, ...blocks[0].items]), timestamps: Float64Array.from([...(train.timestamps ?? []), ...(blocks[0].timestamps ?? [])]) };
    const fifo = m.fifo;
    if (!fifo) throw new Error('no fifo');
    for (const u of [0, 5, 17]) {
      const last = historyOf(all, u).slice(-3).reverse();
      const win = fifo.window(Int32Array.of(u));
      expect(Array.from(win.ids.subarray(0, win.lengths[0]))).toEqual(last);
      const slots = last.map((i) => Array.from(m.items.row(i)));
      const p = Array.from(m.users.row(u));
      const want = Array.from({ length: m.numItems }, (_, i) => {
        const q = Array.from(m.items.row(i));
        const r = attend(q, slots, slots);
        return q.reduce((a, qd, d) => a + (p[d] + 0.7 * r[d]) * qd, 0);
      });
      expectClose(m.scoreAll(Int32Array.of(u)), want, 1e-5, 1e-4);
    }
    m.dispose();
  });

  it('feature memory: scores read the user\'s K feature values addressed by softmax(q_i . k_j); a write is the erase/add of NMRN', async () => {
    const m = new Rum({ memory: 'feature', dim: 5, slots: 4, alpha: 1, epochs: 1, batchSize: 64 });
    await m.fit(train, { seed: 2 });
    const feats = m.features;
    if (!feats) throw new Error('no features');
    const K = 4;
    const D = 5;
    const keys = Array.from({ length: K }, (_, j) => Array.from(m.dense[0].dataSync().subarray(j * D, (j + 1) * D)));
    const u = 3;
    const values = () => Array.from({ length: K }, (_, j) => Array.from(feats.data.subarray(u * K * D + j * D, u * K * D + (j + 1) * D)));
    const V = values();
    const p = Array.from(m.users.row(u));
    const want = Array.from({ length: m.numItems }, (_, i) => {
      const q = Array.from(m.items.row(i));
      const r = attend(q, keys, V);
      return q.reduce((a, qd, d) => a + (p[d] + r[d]) * qd, 0);
    });
    expectClose(m.scoreAll(Int32Array.of(u)), want, 1e-5, 1e-4);
    // one event of user 3 on item 2: v_j <- v_j (1 - w_j e) + w_j a with the current weights
    const q = Array.from(m.items.row(2));
    const s = keys.map((k) => k.reduce((a, x, d) => a + x * q[d], 0));
    const ex = s.map((x) => Math.exp(x - Math.max(...s)));
    const w = ex.map((x) => x / ex.reduce((a, b) => a + b, 0));
    const [We, be, Wa, ba] = m.dense.slice(1).map((v) => v.dataSync());
    const e = Array.from({ length: D }, (_, d) => 1 / (1 + Math.exp(-q.reduce((a, x, k) => a + x * We[k * D + d], be[d]))));
    const a = Array.from({ length: D }, (_, d) => Math.tanh(q.reduce((acc, x, k) => acc + x * Wa[k * D + d], ba[d])));
    const next = V.map((row, j) => row.map((v, d) => v * (1 - w[j] * e[d]) + w[j] * a[d]));
    // the write alone (observe would also take a training step first)
    (m as unknown as { write(u: Int32Array, i: Int32Array): void }).write(Int32Array.of(u), Int32Array.of(2));
    expectClose(values().flat(), next.flat(), 1e-5, 1e-4);
    m.dispose();
  });

  it('is seeded and trains on the stream without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const run = async (seed: number) => {
      const m = new Rum({ memory: 'item', dim: 8, epochs: 1 });
      await m.fit(train, { seed });
      await m.observe(blocks[0]);
      const s = Array.from(m.scoreAll(Int32Array.of(1, 2)));
      m.dispose();
      return s;
    };
    expect(await run(3)).toEqual(await run(3));
    expect(await run(3)).not.toEqual(await run(4));
    expect(tf.memory().numTensors).toBe(before);
  });
});
