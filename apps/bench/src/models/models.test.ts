import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { UserItemSet } from '@memrec/core';
import { streamSplit, syntheticStream } from '@memrec/data';
import { expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { BprMf } from './bprmf';
import { Cmn } from './cmn';
import { loadModel } from './load';
import { NeuMf } from './neumf';
import { Nmrn } from './nmrn';
import { ItemPop } from './pop';
import { recommend } from './recommend';
import type { Recommender } from './types';

useCpuBackend();

const data = syntheticStream({ seed: 5, numUsers: 60, numItems: 40, numEvents: 3000 });
const { train, blocks } = streamSplit(data, { trainRatio: 0.6, blocks: 2 });
const users = Int32Array.from({ length: 10 }, (_, k) => k * 5);

const makers: [string, () => Recommender][] = [
  ['pop', () => new ItemPop()],
  ['bprmf', () => new BprMf({ dim: 8 })],
  ['neumf', () => new NeuMf({ factors: 8, layers: [16, 8] })],
  ['cmn', () => new Cmn({ dim: 8, maxNeighbours: 8 })],
  ['nmrn', () => new Nmrn({ dim: 8, slots: 4, sampler: 'gan', candidates: 8 })],
  ['nmrn-uniform', () => new Nmrn({ dim: 8, slots: 4, sampler: 'uniform' })],
];

describe.each(makers)('%s', (_name, make) => {
  it('fits, streams, saves and loads to the same scores, without leaking tensors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-ckpt-'));
    const model = make();
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    await model.fit(train, { epochs: 2, batchSize: 128, seed: 1, onLoss: (_x, l) => losses.push(l) });
    await model.observe(blocks[0]);
    const scores = await model.scoreAll(users);
    expect(scores.length).toBe(users.length * model.numItems);
    expect(scores.every(Number.isFinite)).toBe(true);
    if (model.name !== 'pop') expect(losses.every(Number.isFinite) && losses.length > 0).toBe(true);
    // streaming updates after the first one keep the tensor count flat
    await model.observe(blocks[1]);
    const mid = tf.memory().numTensors;
    await expectNoLeak(async () => {
      await model.observe(blocks[1]);
      await model.scoreAll(users);
    });
    expect(mid).toBeGreaterThanOrEqual(before);
    await model.save(dir, { note: new TextEncoder().encode('extra') });
    const again = await model.scoreAll(users);
    const loaded = loadModel(dir);
    expect(loaded.name).toBe(model.name);
    expect(Array.from(await loaded.scoreAll(users))).toEqual(Array.from(again));
    const top = await recommend(loaded, 0, 5, { exclude: UserItemSet.fromInteractions(train) });
    expect(top.items.length).toBe(5);
    for (const i of top.items) expect(UserItemSet.fromInteractions(train).has(0, i)).toBe(false);
    loaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('checkpoints', () => {
  it('a corrupt or mismatched checkpoint is a clear error and the previous one survives a failed save', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-ckpt-'));
    const m = new BprMf({ dim: 4 });
    await m.fit(train, { epochs: 1, batchSize: 256, seed: 1 });
    await m.save(dir);
    const file = join(dir, 'users.bin');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);
    expect(() => loadModel(dir)).toThrow(/users\.bin must match its SHA-256 in the manifest, got different content \(corrupt checkpoint\)/);
    await m.save(dir);
    expect(() => Nmrn.load(dir)).toThrow(/readCheckpoint: model must be "nmrn", got "bprmf"/);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version: 99 }));
    expect(() => loadModel(dir)).toThrow(/readCheckpoint: version must be 1, got 99/);
    await m.save(dir);
    await expect(m.save(dir, { 'bad/name': new Uint8Array(1) })).rejects.toThrow(/blob names must be plain file names/);
    expect(loadModel(dir).name).toBe('bprmf');
    expect(() => loadModel(join(dir, 'nope'))).toThrow(/dir must contain manifest.json, got none/);
  });
});
