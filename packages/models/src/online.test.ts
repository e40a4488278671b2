import * as tf from '@tensorflow/tfjs-core';
import { syntheticStream } from '@memrec/data';
import { expectNoLeak, useCpuBackend } from '@memrec/test-helpers';
import { BprMf } from './bprmf';
import { Cmn } from './cmn';
import { ItemPop } from './item-pop';
import { Nmrn } from './nmrn';
import { OnlineRecommender, type OnlineEvent } from './online';

useCpuBackend();

/** The synthetic stream as raw events: string users ("u7"), numeric items offset by 1000. */
function rawEvents(n: number, seed = 3, numUsers = 80, numItems = 50): OnlineEvent[] {
  const s = syntheticStream({ seed, numUsers, numItems, numEvents: n }).interactions;
  return Array.from(s.users, (u, k) => ({ user: `u${u}`, item: 1000 + s.items[k], timestamp: (s.timestamps as Float64Array)[k] }));
}

const events = rawEvents(4000);
const trainEvents = events.slice(0, 3000);
const later = events.slice(3000);
const seenBy = (evs: OnlineEvent[], user: string) => new Set(evs.filter((e) => e.user === user).map((e) => e.item));

describe('OnlineRecommender', () => {
  it('trains from raw events, ingests new ones right away, and never recommends what the user has seen', async () => {
    const rec = await OnlineRecommender.train(new Nmrn({ dim: 8, slots: 4, sampler: 'uniform', epochs: 1, batchSize: 128 }), trainEvents, { seed: 1 });
    const user = 'u3';
    expect(rec.knowsUser(user)).toBe(true);
    const before = rec.recommend(user, 10);
    expect(before).toHaveLength(10);
    expect(new Set(before.map((r) => r.item)).size).toBe(10);
    for (let k = 1; k < before.length; k++) expect(before[k - 1].score).toBeGreaterThanOrEqual(before[k].score);
    for (const r of before) expect(seenBy(trainEvents, user).has(r.item as number)).toBe(false);
    // the user takes the top item: it is gone from the next list, and the model has learned
    const res = await rec.ingest([{ user, item: before[0].item, timestamp: 1e12 }]);
    expect(res).toEqual({ accepted: 1, newUsers: 0, newItems: 0 });
    const after = rec.recommend(user, 10);
    expect(after.map((r) => r.item)).not.toContain(before[0].item);
    expect(rec.recommend(user, 10, { excludeSeen: false }).length).toBe(10);
    for (let b = 0; b < later.length; b += 64) await rec.ingest(later.slice(b, b + 64));
    const all = [...trainEvents, ...later, { user, item: before[0].item }];
    for (const u of ['u0', 'u3', 'u17', 'u42']) {
      if (!rec.knowsUser(u)) continue;
      for (const r of rec.recommend(u, 20)) expect(seenBy(all, u).has(r.item as number)).toBe(false);
    }
    expect(rec.eventsIngested).toBe(1 + later.length);
    rec.dispose();
  });

  it('gives an unknown user the cold-start list of the most popular recent items, and learns new users and items', async () => {
    const rec = await OnlineRecommender.train(new BprMf({ dim: 4, epochs: 1 }), trainEvents, {}, { recentWindow: 500 });
    expect(rec.knowsUser('stranger')).toBe(false);
    const cold = rec.recommend('stranger', 5);
    const counts = new Map<number, number>();
    for (const e of trainEvents.slice(-500)) counts.set(e.item as number, (counts.get(e.item as number) ?? 0) + 1);
    const expected = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([, c]) => c);
    expect(cold.map((r) => r.score)).toEqual(expected);
    expect(cold.map((r) => counts.get(r.item as number))).toEqual(expected);
    expect(rec.coldStart(5)).toEqual(cold);
    // a brand-new item taken 600 times by new users tops the cold-start list and is known
    const burst = Array.from({ length: 600 }, (_, k) => ({ user: `new${k % 7}`, item: 'fresh' }));
    expect(await rec.ingest(burst)).toEqual({ accepted: 600, newUsers: 7, newItems: 1 });
    expect(rec.coldStart(1)).toEqual([{ item: 'fresh', score: 500 }]);
    expect(rec.knowsUser('new3')).toBe(true);
    expect(rec.knowsItem('fresh')).toBe(true);
    // a static model never recommends back what a new user took
    expect(rec.recommend('new3', 100).map((r) => r.item)).not.toContain('fresh');
    rec.dispose();
  });

  it.each([
    ['nmrn', () => new Nmrn({ dim: 8, slots: 4, candidates: 4, epochs: 1, batchSize: 128 })],
    ['cmn', () => new Cmn({ dim: 4, maxNeighbours: 4, epochs: 1, pretrainEpochs: 0 })],
    ['pop', () => new ItemPop()],
  ])('%s: toBytes / fromBytes gives identical recommendations and identical bytes', async (_n, make) => {
    const rec = await OnlineRecommender.train(make(), trainEvents, { seed: 2 });
    await rec.ingest(later.slice(0, 300));
    const copy = await OnlineRecommender.fromBytes(rec.toBytes());
    for (const u of ['u1', 'u5', 'u9', 'nobody']) expect(copy.recommend(u, 10)).toEqual(rec.recommend(u, 10));
    expect(copy.toBytes()).toEqual(rec.toBytes());
    expect(copy.numUsers).toBe(rec.numUsers);
    rec.dispose();
    copy.dispose();
  });

  it('rejects corrupted, truncated and unknown-version bytes with an error that says what is wrong', async () => {
    const rec = await OnlineRecommender.train(new ItemPop(), trainEvents);
    const bytes = rec.toBytes();
    const flipped = bytes.slice();
    flipped[Math.floor(bytes.length / 2)] ^= 1;
    await expect(OnlineRecommender.fromBytes(flipped)).rejects.toThrow(/OnlineRecommender\.fromBytes: .*checksum/);
    await expect(OnlineRecommender.fromBytes(bytes.subarray(0, 100))).rejects.toThrow(/OnlineRecommender\.fromBytes: .*truncated at byte 100/);
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(4, 7, true);
    await expect(OnlineRecommender.fromBytes(future)).rejects.toThrow(/OnlineRecommender\.fromBytes: .*unknown version 7/);
    await expect(OnlineRecommender.fromBytes(rec.model.toBytes())).rejects.toThrow(/OnlineRecommender\.fromBytes: .*online-recommender/);
    rec.dispose();
  });

  it('checks events and arguments, and a bad event leaves the state untouched', async () => {
    const rec = await OnlineRecommender.train(new ItemPop(), trainEvents);
    const state = rec.toBytes();
    await expect(rec.ingest([{ user: 'u1', item: 1001 }, { user: null, item: 3 } as never])).rejects.toThrow('OnlineRecommender.ingest: events[1].user must be a non-empty string or a finite number, got null');
    await expect(rec.ingest([{ user: 'u1', item: Number.NaN }])).rejects.toThrow('OnlineRecommender.ingest: events[0].item must be a non-empty string or a finite number, got NaN');
    await expect(rec.ingest([{ user: 'u1', item: 1, timestamp: Number.POSITIVE_INFINITY }])).rejects.toThrow('OnlineRecommender.ingest: events[0].timestamp must be a finite number when given, got Infinity');
    await expect(rec.ingest('nope' as never)).rejects.toThrow('OnlineRecommender.ingest: events must be an array');
    expect(rec.toBytes()).toEqual(state);
    expect(() => rec.recommend('u1', 0)).toThrow('OnlineRecommender.recommend: k must be an integer >= 1, got 0');
    expect(() => rec.recommend('u1', 3, { exclude: true } as never)).toThrow('OnlineRecommender.recommend: unknown option "exclude"');
    expect(() => rec.recommend(undefined as never, 3)).toThrow('OnlineRecommender.recommend: user must be a non-empty string or a finite number, got undefined');
    await expect(OnlineRecommender.train(new ItemPop(), [])).rejects.toThrow('OnlineRecommender.train: events must hold at least one event, got an empty array');
    await expect(OnlineRecommender.train(new ItemPop(), [{ user: 1, item: 2, timestamp: 3 }, { user: 1, item: 3 }])).rejects.toThrow('OnlineRecommender.train: events must all have a timestamp or none, got 1 of 2 with one');
    rec.dispose();
    expect(() => rec.recommend('u1', 3)).toThrow('OnlineRecommender.recommend: the recommender must not be disposed');
  });

  it.each([
    ['nmrn', () => new Nmrn({ dim: 8, slots: 4, sampler: 'uniform', epochs: 1, batchSize: 128 })],
    ['bprmf', () => new BprMf({ dim: 8, epochs: 2, batchSize: 128 })],
    ['pop', () => new ItemPop()],
  ])('%s: recommendMany gives each request the list recommend gives it (one scoring pass)', async (_name, make) => {
    const model = make();
    const rec = await OnlineRecommender.train(model, trainEvents, { seed: 1 });
    const requests = [
      { user: 'u3', k: 10 },
      { user: 'nobody', k: 4 },
      { user: 'u7', k: 10 },
      { user: 'u3', k: 10 },
      { user: 'u7', k: 3, excludeSeen: false },
      { user: 'u11', k: 10, excludeSeen: true },
    ];
    const calls: number[] = [];
    const scoreAll = model.scoreAll.bind(model);
    model.scoreAll = (users: Int32Array, out?: Float32Array) => {
      calls.push(users.length);
      return scoreAll(users, out);
    };
    const many = rec.recommendMany(requests);
    // two groups by (k, excludeSeen) among the known users: (10, true) with 3 distinct users, (3, false)
    expect(calls).toEqual([3, 1]);
    requests.forEach((q, r) => expect(many[r]).toEqual(rec.recommend(q.user, q.k, { excludeSeen: q.excludeSeen ?? true })));
    expect(many[1]).toEqual(rec.coldStart(4));
    expect(many[0]).toHaveLength(10);
    expect(rec.recommendMany([])).toEqual([]);
    expect(() => rec.recommendMany([{ user: 'u3', k: 0 }])).toThrow('OnlineRecommender.recommendMany: requests[0].k must be an integer >= 1, got 0');
    expect(() => rec.recommendMany([{ user: 'u3', k: 2 }, { user: 'u3', k: 2, exclude: true } as never])).toThrow('OnlineRecommender.recommendMany: requests[1] has the unknown field "exclude"; known fields are user, k, excludeSeen');
    expect(() => rec.recommendMany('u3' as never)).toThrow('OnlineRecommender.recommendMany: requests must be an array of { user, k, excludeSeen? }, got');
    rec.dispose();
  });

  it('applies concurrent ingest calls in call order', async () => {
    const rec = await OnlineRecommender.train(new ItemPop(), [{ user: 'a', item: 'x' }], {}, { recentWindow: 3 });
    const calls = [rec.ingest([{ user: 'b', item: 'y' }]), rec.ingest([{ user: 'c', item: 'z' }]), rec.ingest([{ user: 'd', item: 'z' }])];
    await Promise.all(calls);
    expect(rec.coldStart(3)).toEqual([{ item: 'z', score: 2 }, { item: 'y', score: 1 }, { item: 'x', score: 0 }]);
    rec.dispose();
  });

  it('keeps the tensor count flat over 100,000 ingested events (NMRN, micro-batches of 500)', async () => {
    const stream = rawEvents(102000, 9, 300, 200);
    const rec = await OnlineRecommender.train(new Nmrn({ dim: 4, slots: 2, sampler: 'uniform', epochs: 1, batchSize: 500 }), stream.slice(0, 2000));
    await rec.ingest(stream.slice(2000, 2500)); // creates optimizer slots for rows first touched here
    const start = tf.memory().numTensors;
    await expectNoLeak(async () => {
      for (let b = 2500; b < stream.length; b += 500) await rec.ingest(stream.slice(b, b + 500));
    });
    expect(rec.eventsIngested).toBe(100000);
    expect(tf.memory().numTensors).toBe(start);
    rec.dispose();
  });
});
