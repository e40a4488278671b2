import * as tf from '@tensorflow/tfjs-core';
import type { Interactions, Recommender } from '@memrec/core';
import { streamSplit, syntheticStream } from '@memrec/data';
import { expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { BprMf } from './bprmf';
import { Gru4Rec } from './gru4rec';
import { Rum } from './rum';
import { Stamp } from './stamp';
import { Mars } from './mars';
import { Dmn } from './dmn';
import { Ksr } from './ksr';
import { Cmn } from './cmn';
import { ItemPop } from './item-pop';
import { NeuMf } from './neumf';
import { Nmrn } from './nmrn';
import { recommenderFromBytes } from './registry';

useCpuBackend();

const data = syntheticStream({ seed: 5, numUsers: 60, numItems: 40, numEvents: 3000 });
const { train, blocks } = streamSplit(data, { trainRatio: 0.6, blocks: 2 });
const users = Int32Array.from({ length: 10 }, (_, k) => k * 5);

const makers: [string, () => Recommender][] = [
  ['pop', () => new ItemPop()],
  ['bprmf', () => new BprMf({ dim: 8, epochs: 2, batchSize: 128 })],
  ['bprmf (adam)', () => new BprMf({ dim: 8, epochs: 2, batchSize: 128, solver: 'adam' })],
  ['bprmf (incremental)', () => new BprMf({ dim: 8, epochs: 2, batchSize: 128, observeEpochs: 1 })],
  ['bprmf (adam, incremental)', () => new BprMf({ dim: 8, epochs: 2, batchSize: 128, observeEpochs: 1, solver: 'adam' })],
  ['neumf', () => new NeuMf({ factors: 8, layers: [16, 8], epochs: 2, batchSize: 128 })],
  ['neumf (incremental)', () => new NeuMf({ factors: 8, layers: [16, 8], epochs: 1, batchSize: 128, observeEpochs: 1, pretrainEpochs: 1 })],
  ['cmn', () => new Cmn({ dim: 8, maxNeighbours: 8, epochs: 1, pretrainEpochs: 1, batchSize: 128 })],
  ['nmrn', () => new Nmrn({ dim: 8, slots: 4, sampler: 'gan', candidates: 8, batchSize: 128 })],
  ['nmrn-uniform', () => new Nmrn({ dim: 8, slots: 4, sampler: 'uniform', batchSize: 128 })],
  ['nmrn-shared-dns', () => new Nmrn({ dim: 8, slots: 4, sampler: 'dns', memory: 'shared', candidates: 4, batchSize: 128 })],
  ['nmrn-popularity', () => new Nmrn({ dim: 8, slots: 4, sampler: 'popularity', batchSize: 128 })],
  ['gru4rec', () => new Gru4Rec({ hidden: 8, epochs: 2, batchSize: 32, negatives: 8 })],
  ['rum-item', () => new Rum({ memory: 'item', dim: 8, slots: 3, epochs: 2, batchSize: 128 })],
  ['rum-feature', () => new Rum({ memory: 'feature', dim: 8, slots: 4, epochs: 2, batchSize: 128 })],
  ['stamp', () => new Stamp({ dim: 8, sessionLength: 4, epochs: 2, batchSize: 64, negatives: 8 })],
  ['mars', () => new Mars({ dim: 8, facets: 2, history: 5, epochs: 2, batchSize: 128 })],
  ['dmn', () => new Dmn({ dim: 8, memory: 4, hops: 2, epochs: 2, batchSize: 128 })],
  ['ksr', () => new Ksr({ hidden: 8, dim: 4, epochs: 2, batchSize: 32, negatives: 8 })],
];

describe.each(makers)('%s', (_name, make) => {
  it('fits, streams, round-trips through bytes to the same scores and recommendations, without leaking tensors', async () => {
    const model = make();
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    await model.fit(train, { seed: 1, onLoss: (_x, l) => losses.push(l) });
    await model.observe(blocks[0]);
    const scores = model.scoreAll(users);
    expect(scores.length).toBe(users.length * model.numItems);
    expect(scores.every(Number.isFinite)).toBe(true);
    if (model.name !== 'pop') expect(losses.length > 0 && losses.every(Number.isFinite)).toBe(true);
    const pairs = model.score(users, Int32Array.from(users, (u) => u % model.numItems));
    users.forEach((_u, k) => expect(pairs[k]).toBeCloseTo(scores[k * model.numItems + (users[k] % model.numItems)], 4));
    const bytes = model.toBytes();
    const loaded = recommenderFromBytes(bytes);
    expect(loaded.name).toBe(model.name);
    expect(loaded.constructor).toBe(model.constructor);
    expect(Array.from(loaded.scoreAll(users))).toEqual(Array.from(model.scoreAll(users)));
    // scores into an offered buffer (a stale one: nothing of its old content may survive) equal fresh scores
    const offered = new Float32Array(users.length * model.numItems + 7).fill(123);
    const into = model.scoreAll(users, offered);
    expect(Array.from(into)).toEqual(Array.from(scores));
    if (into.buffer === offered.buffer) expect(into.byteOffset).toBe(0);
    for (const u of [0, 7, 33]) {
      const a = model.recommend(u, 5);
      expect(Array.from(loaded.recommend(u, 5).items)).toEqual(Array.from(a.items));
      expect(a.items.length).toBe(5);
      expect(new Set(a.items).size).toBe(5);
      for (const i of a.items) expect(blocks[0].users.some((x, k) => x === u && blocks[0].items[k] === i) || train.users.some((x, k) => x === u && train.items[k] === i)).toBe(false);
    }
    expect(loaded.toBytes()).toEqual(bytes);
    loaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the tensor count flat over 20 streamed blocks', async () => {
    const model = make();
    await model.fit(train, { seed: 2, epochs: 1 });
    const small = streamSplit(data, { trainRatio: 0.6, blocks: 21 }).blocks;
    await model.observe(small[0]); // first block may create optimizer slots
    await expectNoLeak(async () => {
      for (const b of small.slice(1)) {
        await model.observe(b);
        model.recommend(3, 5);
      }
    });
    model.dispose();
  });
});

describe('a user who has interacted with every item', () => {
  // user 0 takes all 4 items; user 1 takes two. No negative exists for user 0: its rows get no
  // pairwise loss term, and every model still trains, streams and recommends.
  const tiny = { users: Int32Array.of(0, 1, 0, 1, 0, 0), items: Int32Array.of(0, 1, 1, 2, 2, 3), timestamps: Float64Array.of(1, 2, 3, 4, 5, 6), numUsers: 2, numItems: 4 };
  const more = { users: Int32Array.of(0, 1, 0), items: Int32Array.of(1, 3, 0), numUsers: 2, numItems: 4 };
  it.each([
    ['bprmf (incremental)', () => new BprMf({ dim: 4, epochs: 2, batchSize: 4, observeEpochs: 1 })],
    ['bprmf (adam, incremental)', () => new BprMf({ dim: 4, epochs: 2, batchSize: 4, observeEpochs: 1, solver: 'adam' })],
    ['neumf (incremental)', () => new NeuMf({ factors: 4, layers: [4], epochs: 2, batchSize: 4, observeEpochs: 1 })],
    ['cmn', () => new Cmn({ dim: 4, maxNeighbours: 2, epochs: 2, pretrainEpochs: 1, batchSize: 4 })],
    ['nmrn (gan)', () => new Nmrn({ dim: 4, slots: 2, candidates: 2, epochs: 2, batchSize: 4 })],
    ['nmrn (uniform)', () => new Nmrn({ dim: 4, slots: 2, sampler: 'uniform', epochs: 2, batchSize: 4 })],
  ])('%s', async (_n, make) => {
    const model = make();
    await model.fit(tiny, { seed: 1 });
    await model.observe(more);
    expect(model.recommend(0, 3).items.length).toBe(0);
    expect(Array.from(model.recommend(1, 3).items).sort()).toEqual([0]);
    model.dispose();
  });
});

describe('Recommender contract', () => {
  it('validates every option with the model, option, rule and value in the error', () => {
    expect(() => new Nmrn({ dim: 0 })).toThrow('Nmrn: option dim must be an integer >= 1, got 0');
    expect(() => new Nmrn({ sampler: 'irgan' as 'gan' })).toThrow('Nmrn: option sampler must be one of "gan", "uniform", "popularity", "dns", got "irgan"');
    expect(() => new BprMf({ learningRate: 0 })).toThrow('BprMf: option learningRate must be a finite number > 0, got 0');
    expect(() => new BprMf({ l2: Number.NaN })).toThrow('BprMf: option l2 must be a finite number >= 0, got NaN');
    expect(() => new NeuMf({ layers: [] })).toThrow('NeuMf: option layers must be a list of at least 1 integers >= 1, got []');
    expect(() => new Cmn({ hops: 1.5 })).toThrow('Cmn: option hops must be an integer >= 1, got 1.5');
    expect(() => new Cmn({ dims: 3 } as never)).toThrow('Cmn: unknown option "dims"; known options are dim, hops');
    expect(() => new Nmrn({ writeGradient: 'yes' as never })).toThrow('Nmrn: option writeGradient must be true or false, got "yes"');
  });

  it('library defaults equal the benchmark defaults (NMRN: uniform negatives, per-user memory, write gradient on)', () => {
    const n = new Nmrn();
    expect(n.config).toMatchObject({ memory: 'per-user', candidates: 100, writeGradient: true, sampler: 'uniform', epochs: 2, batchSize: 256 });
    expect(new Nmrn({ memory: 'shared' }).config.writeGradient).toBe(true);
    expect(new Nmrn({ memory: 'shared', writeGradient: false }).config.writeGradient).toBe(false);
    expect(new BprMf().config).toMatchObject({ solver: 'sgd', dim: 128, epochs: 100, l2: 0.002, init: 'normal', learningRate: 0.01 });
    expect(new Cmn().config).toMatchObject({ dim: 32, hops: 2, maxNeighbours: 16, negatives: 4, pretrainEpochs: 100, pretrainSolver: 'sgd', outputInit: 'gmf', learningRate: 0.001, epochs: 2 });
    expect(new NeuMf().config).toMatchObject({ factors: 16, layers: [32, 16, 8], negatives: 6, loss: 'bce', pretrainEpochs: 6, epochs: 2 });
  });

  it('checks fit options, ids and the fitted state', async () => {
    const m = new BprMf({ dim: 4, epochs: 1 });
    expect(() => m.scoreAll(Int32Array.of(0))).toThrow('BprMf.scoreAll: the model must be fitted (call fit) or loaded (fromBytes) first');
    await expect(m.fit(train, { epochs: -1 })).rejects.toThrow('BprMf.fit: options.epochs must be an integer >= 0, got -1');
    await expect(m.fit(train, { epoch: 2 } as never)).rejects.toThrow('BprMf.fit: unknown option "epoch"');
    await expect(m.fit({ ...train, items: train.items.map((i) => i + 100) })).rejects.toThrow(/BprMf\.fit: train\.items\[0\] must be an id in \[0, 40\), got 1\d\d/);
    await m.fit(train);
    expect(() => m.scoreAll(Int32Array.of(60))).toThrow('BprMf.scoreAll: users[0] must be a user id in [0, 60), got 60');
    expect(() => m.scoreAll(Int32Array.of(0, 1), new Float32Array(79))).toThrow('BprMf.scoreAll: out must be a Float32Array of length >= users.length x numItems = 80, got');
    expect(() => m.recommend(0, 0)).toThrow('BprMf.recommend: k must be an integer >= 1, got 0');
    expect(() => m.recommend(-1, 3)).toThrow('BprMf.recommend: user must be a user id in [0, 60), got -1');
    expect(m.recommend(0, 1000).items.length).toBe(40 - m.seenItems(0).length);
    expect(m.recommend(0, 1000, { excludeSeen: false }).items.length).toBe(40);
    m.dispose();
  });

  it('rejects corrupted, truncated, foreign and future-version bytes', async () => {
    const m = new ItemPop();
    await m.fit(train);
    const bytes = m.toBytes();
    const flipped = bytes.slice();
    flipped[flipped.length - 3] ^= 0xff;
    expect(() => ItemPop.fromBytes(flipped)).toThrow(/ItemPop\.fromBytes: .*checksum/);
    expect(() => ItemPop.fromBytes(bytes.subarray(0, bytes.length - 10))).toThrow(/ItemPop\.fromBytes: .*truncated at byte/);
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(4, 99, true);
    expect(() => ItemPop.fromBytes(future)).toThrow(/ItemPop\.fromBytes: .*unknown version 99/);
    expect(() => BprMf.fromBytes(bytes)).toThrow(/BprMf\.fromBytes: .*model:bprmf.*model:pop/);
    expect(() => recommenderFromBytes(new TextEncoder().encode('hello world, not a model'))).toThrow(/recommenderFromBytes: .*not a memrec state/);
  });
});

describe('static models and what they never learned', () => {
  /** Items 30..39 and users 50..59 appear only after training. */
  function coldStream(): { train: Interactions; later: Interactions } {
    const keep = (u: number, i: number) => u < 50 && i < 30;
    const all = data.interactions;
    const idx = Array.from({ length: all.users.length }, (_, k) => k);
    const early = idx.filter((k) => keep(all.users[k], all.items[k]));
    const late = idx.filter((k) => !keep(all.users[k], all.items[k]));
    const pick = (ks: number[]) => ({ users: Int32Array.from(ks, (k) => all.users[k]), items: Int32Array.from(ks, (k) => all.items[k]), numUsers: 60, numItems: 40 });
    return { train: pick(early), later: pick(late) };
  }

  it.each([
    ['bprmf', () => new BprMf({ dim: 8, epochs: 3, batchSize: 128 })],
    ['neumf', () => new NeuMf({ factors: 8, layers: [8], epochs: 1, batchSize: 128 })],
    ['cmn', () => new Cmn({ dim: 8, maxNeighbours: 8, epochs: 1, pretrainEpochs: 1, batchSize: 128 })],
  ])('%s ranks never-trained items below every trained item, and never-trained users by popularity', async (_n, make) => {
    const { train: tr, later } = coldStream();
    const model = make();
    await model.fit(tr, { seed: 3 });
    await model.observe(later);
    const rows = model.scoreAll(Int32Array.of(0, 1, 2, 55));
    for (let r = 0; r < 3; r++) {
      const row = rows.subarray(r * 40, (r + 1) * 40);
      const worstTrained = Math.min(...row.subarray(0, 30));
      const bestUntrained = Math.max(...row.subarray(30));
      expect(bestUntrained).toBeLessThan(worstTrained);
    }
    const cold = rows.subarray(3 * 40);
    const counts = new Float64Array(40);
    for (const i of [...tr.items, ...later.items]) counts[i]++;
    expect(Array.from(cold)).toEqual(Array.from(counts, (c) => Math.fround(c)));
    // pair scores agree with full rows, for trained and untrained pairs alike
    const pu = Int32Array.of(0, 0, 55, 1);
    const pi = Int32Array.of(3, 35, 7, 39);
    const pairs = model.score(pu, pi);
    const full = model.scoreAll(pu);
    pu.forEach((_u, k) => expect(pairs[k]).toBeCloseTo(full[k * 40 + pi[k]], 4));
    model.dispose();
  });
});

describe('onEpochEnd', () => {
  it.each([
    ['bprmf (adam)', () => new BprMf({ dim: 4, epochs: 5, batchSize: 256, solver: 'adam' }), Math.ceil(train.users.length / 256)],
    ['bprmf (sgd)', () => new BprMf({ dim: 4, epochs: 5, solver: 'sgd' }), 1],
    ['nmrn', () => new Nmrn({ dim: 4, slots: 2, sampler: 'uniform', epochs: 5, batchSize: 256 }), Math.ceil(train.users.length / 256)],
    ['neumf', () => new NeuMf({ factors: 4, layers: [4], epochs: 5, batchSize: 256 }), Math.ceil(train.users.length / 256)],
  ] as [string, () => Recommender, number][])('%s: is called after each epoch with its mean loss, may score the model, and stops training when it returns true', async (_n, make, lossesPerEpoch) => {
    const model = make();
    const seen: { epoch: number; loss: number; rows: number }[] = [];
    const batchLosses: number[] = [];
    await model.fit(train, {
      seed: 1,
      onLoss: (_x, l) => batchLosses.push(l),
      onEpochEnd: ({ epoch, loss }) => {
        seen.push({ epoch, loss, rows: model.scoreAll(Int32Array.of(0)).length });
        return epoch === 2;
      },
    });
    expect(seen.map((s) => s.epoch)).toEqual([0, 1, 2]);
    for (const s of seen) expect(Number.isFinite(s.loss) && s.rows === 40).toBe(true);
    // training stopped after epoch 2: no batch of a fourth epoch ran
    expect(batchLosses).toHaveLength(3 * lossesPerEpoch);
    model.dispose();
  });
});
