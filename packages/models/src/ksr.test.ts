import * as tf from '@tensorflow/tfjs-core';
import type { Interactions } from '@memrec/core';
import { streamSplit, syntheticStream } from '@memrec/data';
import { expectClose, finiteDiffGrad, testFloats, useCpuBackend } from '@memrec/test-helpers';
import { ItemPop } from './item-pop';
import { Ksr, type KsrAttributes } from './ksr';
import { recommenderFromBytes } from './registry';

useCpuBackend();

const data = syntheticStream({ seed: 7, numUsers: 40, numItems: 30, numEvents: 1500 });
const { train, blocks } = streamSplit(data, { trainRatio: 0.6, blocks: 8 });

/** Item i has attribute i % 3, and attribute 3 too when i % 4 = 0. */
function attributesOf(numItems: number): KsrAttributes {
  const offsets = [0];
  const ids: number[] = [];
  for (let i = 0; i < numItems; i++) {
    ids.push(...(i % 4 === 0 ? [i % 3, 3].sort() : [i % 3]));
    offsets.push(ids.length);
  }
  return { numAttributes: 4, offsets: Int32Array.from(offsets), attributes: Int32Array.from(ids) };
}

/** Each user's items in time order (row order breaks ties). */
function historyOf(x: Interactions, u: number): number[] {
  const rows: number[] = [];
  for (let k = 0; k < x.users.length; k++) if (x.users[k] === u) rows.push(k);
  rows.sort((a, b) => (x.timestamps as Float64Array)[a] - (x.timestamps as Float64Array)[b] || a - b);
  return rows.map((k) => x.items[k]);
}

/** Every user walks a cycle of the catalogue from its own start: the next item is (item + step) mod N. */
function cycles(numUsers: number, numItems: number, length: number, stepOf: (u: number) => number): Interactions {
  const users: number[] = [];
  const items: number[] = [];
  const times: number[] = [];
  for (let t = 0; t < length; t++) {
    for (let u = 0; u < numUsers; u++) {
      users.push(u);
      items.push((u * 7 + t * stepOf(u)) % numItems);
      times.push(t * 1000 + u);
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items), timestamps: Float64Array.from(times), numUsers, numItems };
}

const rows = (flat: ArrayLike<number>, n: number, d: number) => Array.from({ length: n }, (_, k) => Array.from({ length: d }, (__, j) => flat[k * d + j]));

describe('Ksr', () => {
  it('scores [h, 1, m] . [o_i, e_i], m read from a memory replayed by hand: gated writes of e_i + r_a into the item\'s attribute slots and the item slot', async () => {
    const attrs = attributesOf(train.numItems);
    const m = new Ksr({ hidden: 5, dim: 4, epochs: 1, batchSize: 16 }, attrs);
    await m.fit(train, { seed: 1 });
    const H = 5;
    const D = 4;
    const S = 5;
    expect(m.slots).toBe(S);
    const K = rows((m.keys as tf.Variable).dataSync(), S, D);
    const W = rows((m.wq as tf.Variable).dataSync(), H, D);
    const users = Int32Array.of(0, 5, 17);
    const want: number[] = [];
    for (const u of users) {
      // z_a = sigmoid(v_a . x_a), v_a <- (1 - z_a) v_a + z_a x_a, x_a = e_i + r_a, for a in attrs(i) and the item slot
      const v = Array.from({ length: S }, () => new Array<number>(D).fill(0));
      for (const i of historyOf(train, u)) {
        const slots = [...Array.from(attrs.attributes.subarray(attrs.offsets[i], attrs.offsets[i + 1])), S - 1];
        const e = Array.from(m.kb.row(i));
        for (const a of slots) {
          const x = e.map((ed, d) => ed + K[a][d]);
          const z = 1 / (1 + Math.exp(-v[a].reduce((acc, vd, d) => acc + vd * x[d], 0)));
          v[a] = v[a].map((vd, d) => (1 - z) * vd + z * x[d]);
        }
      }
      const h = Array.from(m.states.currentOf(u));
      const hq = Array.from({ length: D }, (_, d) => h.reduce((acc, hj, j) => acc + hj * W[j][d], 0));
      const logits = K.map((k) => k.reduce((acc, kd, d) => acc + kd * hq[d], 0));
      const mx = Math.max(...logits);
      const ex = logits.map((l) => Math.exp(l - mx));
      const zsum = ex.reduce((a, b) => a + b, 0);
      const read = Array.from({ length: D }, (_, d) => v.reduce((acc, va, a) => acc + (ex[a] / zsum) * va[d], 0));
      for (let i = 0; i < m.numItems; i++) {
        const o = Array.from(m.out.row(i));
        const e = Array.from(m.kb.row(i));
        want.push(o[H] + h.reduce((acc, hd, d) => acc + hd * o[d], 0) + read.reduce((acc, rd, d) => acc + rd * e[d], 0));
      }
    }
    expectClose(m.scoreAll(users), want, 1e-5, 1e-4);
    const pairUsers = Int32Array.of(5, 0, 17, 5);
    const pairItems = Int32Array.of(3, 29, 0, 11);
    const N = m.numItems;
    expectClose(m.score(pairUsers, pairItems), [want[N + 3], want[29], want[2 * N], want[N + 11]], 1e-5, 1e-4);
    const again = recommenderFromBytes(m.toBytes()) as Ksr;
    expect(Array.from(again.scoreAll(users))).toEqual(Array.from(m.scoreAll(users)));
    expect(again.attributes.numAttributes).toBe(4);
    again.dispose();
    m.dispose();
  });

  for (const loss of ['ce', 'bpr'] as const) {
    it(`${loss}: the step's gradients with respect to the keys, the query projection, the knowledge rows and the GRU's U equal finite differences`, async () => {
      const attrs = attributesOf(train.numItems);
      const m = new Ksr({ hidden: 4, dim: 3, negatives: 0, epochs: 0, loss }, attrs);
      await m.fit(train, { seed: 3 });
      const keys = m.keys as tf.Variable;
      const wq = m.wq as tf.Variable;
      const U = (m.gru as NonNullable<typeof m.gru>).U;
      const set = (v: tf.Variable, x: ArrayLike<number>) => tf.tidy(() => v.assign(tf.tensor(Float32Array.from(x), v.shape, 'float32')));
      set(keys, testFloats(keys.size, 1, 1));
      set(wq, testFloats(wq.size, 2, 1));
      set(U, testFloats(U.size, 4, 0.5));
      m.kb.data.set(testFloats(m.kb.data.length, 5, 1));
      m.memory.reset();
      const users = Int32Array.of(0, 1, 2);
      m.writeItems(Int32Array.of(0, 1, 0, 2, 1), Int32Array.of(4, 9, 12, 3, 0));
      const inputs = Int32Array.of(3, 4, 5);
      const targets = Int32Array.of(6, 8, 6);
      const hPrev = testFloats(3 * 4, 6, 0.8);
      const g = m.pairGrads(users, inputs, targets, hPrev);
      const lossAt = () => m.pairGrads(users, inputs, targets, hPrev).loss;
      const check = (v: tf.Variable, got: Float32Array) => {
        const x0 = Float64Array.from(v.dataSync());
        const fd = finiteDiffGrad((x) => {
          set(v, x);
          return lossAt();
        }, x0, 1e-2);
        set(v, x0);
        expectClose(got, fd, 2e-3, 2e-2);
      };
      expect(Math.max(...Array.from(g.dK, Math.abs))).toBeGreaterThan(1e-3); // the attention is not flat
      check(keys, g.dK);
      check(wq, g.dW);
      check(U, g.gU);
      // knowledge rows: candidate columns [6, 8, 6], so item 6's gradient is the sum of columns 0 and 2
      for (const [item, cols] of [[6, [0, 2]], [8, [1]]] as const) {
        const row = m.kb.row(item);
        const x0 = Float64Array.from(row);
        const fd = finiteDiffGrad((x) => {
          row.set(x);
          return lossAt();
        }, x0, 1e-2);
        row.set(x0);
        const got = Array.from({ length: 3 }, (_, d) => (cols as readonly number[]).reduce((acc, c) => acc + g.dE[c * 3 + d], 0));
        expectClose(got, fd, 2e-3, 2e-2);
      }
      m.dispose();
    });
  }

  it("learns each user's next item in a cyclic sequence and beats popularity (HR@5 above 0.9, ItemPop below 0.3)", async () => {
    const x = cycles(40, 30, 25, (u) => 1 + (u % 3));
    const attrs = attributesOf(30);
    const m = new Ksr({ hidden: 24, dim: 8, epochs: 12, batchSize: 16, negatives: 8, learningRate: 0.02 }, attrs);
    await m.fit(x, { seed: 3 });
    const pop = new ItemPop();
    await pop.fit(x, { seed: 3 });
    const hr = (model: Ksr | ItemPop) => {
      let hits = 0;
      for (let u = 0; u < 40; u++) {
        const next = (u * 7 + 25 * (1 + (u % 3))) % 30;
        if (model.recommend(u, 5, { excludeSeen: false }).items.includes(next)) hits++;
      }
      return hits / 40;
    };
    expect(hr(m)).toBeGreaterThan(0.9);
    expect(hr(pop)).toBeLessThan(0.3);
    m.dispose();
    pop.dispose();
  }, 60000);

  it('without attributes keeps one key (the item relation), streams (observe moves states and memories), round-trips through bytes, and keeps the tensor count flat', async () => {
    const base = tf.memory().numTensors;
    const m = new Ksr({ hidden: 8, dim: 4, epochs: 1 });
    await m.fit(train, { seed: 2 });
    expect(m.slots).toBe(1);
    const users = Int32Array.from({ length: 10 }, (_, k) => k);
    const before = m.scoreAll(users);
    const memBefore = m.memory.gather(users);
    await m.observe(blocks[0]);
    const after = m.scoreAll(users);
    expect(after.some((v, k) => Math.abs(v - before[k]) > 1e-6)).toBe(true);
    expect(m.memory.gather(users).some((v, k) => v !== memBefore[k])).toBe(true);
    const again = recommenderFromBytes(m.toBytes()) as Ksr;
    expect(Array.from(again.scoreAll(users))).toEqual(Array.from(after));
    expect(again.toBytes()).toEqual(m.toBytes());
    again.dispose();
    const count = tf.memory().numTensors;
    for (const b of blocks.slice(1)) await m.observe(b);
    expect(tf.memory().numTensors).toBe(count);
    m.dispose();
    expect(tf.memory().numTensors).toBe(base);
  });

  it('observe trains on the memory as it was before the new item, then writes the item (the step never sees its target)', async () => {
    const m = new Ksr({ hidden: 4, dim: 3, epochs: 1 }, attributesOf(train.numItems));
    await m.fit(train, { seed: 1 });
    const b = blocks[0];
    const k = b.users.findIndex((u) => m.states.last[u] >= 0);
    const u = b.users[k];
    const before = m.memory.gather(Int32Array.of(u));
    const seenByStep: Float32Array[] = [];
    const step = m.trainPairs.bind(m);
    jest.spyOn(m, 'trainPairs').mockImplementation((users, inputs, targets, hPrev) => {
      seenByStep.push(m.memory.gather(users));
      return step(users, inputs, targets, hPrev);
    });
    await m.observe({ ...b, users: Int32Array.of(u), items: Int32Array.of(b.items[k]), timestamps: Float64Array.of((b.timestamps as Float64Array)[k]) });
    expect(seenByStep.length).toBe(1);
    expect(Array.from(seenByStep[0])).toEqual(Array.from(before));
    expect(Array.from(m.memory.gather(Int32Array.of(u)))).not.toEqual(Array.from(before));
    m.dispose();
  });

  it('is seeded: the same seed gives the same scores, another seed other scores', async () => {
    const attrs = attributesOf(train.numItems);
    const scores = async (seed: number) => {
      const m = new Ksr({ hidden: 6, dim: 3, epochs: 1, batchSize: 8 }, attrs);
      const losses: number[] = [];
      await m.fit(train, { seed, onLoss: (_x, l) => losses.push(l) });
      await m.observe(blocks[0]);
      const s = Array.from(m.scoreAll(Int32Array.of(0, 1)));
      m.dispose();
      expect(losses.every(Number.isFinite)).toBe(true);
      return s;
    };
    expect(await scores(4)).toEqual(await scores(4));
    expect(await scores(4)).not.toEqual(await scores(5));
  });

  it('errors name the function, the argument and the bad value', async () => {
    expect(() => new Ksr({ hidden: 0 })).toThrow('Ksr: option hidden must be an integer >= 1, got 0');
    expect(() => new Ksr({ loss: 'mse' as never })).toThrow('Ksr: option loss must be one of');
    expect(() => new Ksr({}, { numAttributes: 2, offsets: Int32Array.of(0, 1), attributes: Int32Array.of(2) })).toThrow('Ksr: attributes.attributes[0] must be an attribute id in [0, 2), got 2');
    expect(() => new Ksr({}, { numAttributes: 2, offsets: Int32Array.of(0, 2), attributes: Int32Array.of(1) })).toThrow('Ksr: attributes.offsets must be an Int32Array starting at 0 and ending at attributes.length = 1, got Int32Array(2)');
    expect(() => new Ksr({}, null as never)).toThrow('Ksr: attributes must be an object like { numAttributes, offsets, attributes }, got null');
    const m = new Ksr({ hidden: 4, dim: 2, epochs: 0 });
    await expect(m.observe(blocks[0])).rejects.toThrow('Ksr.observe: the model must be fitted (call fit) or loaded (fromBytes) first');
    await m.fit(train, { seed: 1 });
    expect(() => m.scoreAll(Int32Array.of(train.numUsers))).toThrow(`Ksr.scoreAll: users[0] must be a user id in [0, ${train.numUsers}), got ${train.numUsers}`);
    const pop = new ItemPop();
    await pop.fit(train);
    expect(() => Ksr.fromBytes(pop.toBytes())).toThrow('Ksr.fromBytes');
    pop.dispose();
    m.dispose();
  });
});
