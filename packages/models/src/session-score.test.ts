import { fnv1a32 } from '@memrec/core/internal';
import { syntheticStream } from '@memrec/data';
import { describeWithBackends, expectNoLeak } from '@memrec/test-helpers';
import { ItemPop } from './item-pop';
import { Nmrn } from './nmrn';
import { OnlineRecommender, type OnlineEvent } from './online';

function rawEvents(n: number): OnlineEvent[] {
  const s = syntheticStream({ seed: 5, numUsers: 40, numItems: 30, numEvents: n }).interactions;
  return Array.from(s.users, (u, k) => ({ user: `u${u}`, item: `i${s.items[k]}`, timestamp: (s.timestamps as Float64Array)[k] }));
}
const events = rawEvents(1500);

describeWithBackends('Nmrn.scoreSession', () => {
  it.each(['per-user', 'shared'] as const)('equals the distances of a new user at the origin whose memory took the session\'s writes (%s memory)', async (memory) => {
    const rec = await OnlineRecommender.train(new Nmrn({ dim: 6, slots: 3, memory, epochs: 1, batchSize: 64 }), events, { seed: 2 });
    const nmrn = rec.model as Nmrn;
    const session = Int32Array.of(4, 9, 4, 17);
    const got = await expectNoLeak(() => nmrn.scoreSession(session));
    // the reference: a copy grows one user whose row is zero, writes the session into its memory, and reads every item
    const copy = Nmrn.fromBytes(nmrn.toBytes());
    const u = copy.numUsers;
    copy.users.grow(u + 1);
    copy.users.data.fill(0, u * copy.users.dim, (u + 1) * copy.users.dim);
    const kv = copy.kv as NonNullable<Nmrn['kv']>;
    kv.grow(u + 1);
    kv.write(new Int32Array(session.length).fill(u), session);
    const want = kv.distanceAll(Int32Array.of(u));
    expect(got.length).toBe(nmrn.numItems);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    copy.dispose();
    rec.dispose();
  });

  it('refuses item ids out of range', async () => {
    const rec = await OnlineRecommender.train(new Nmrn({ dim: 4, slots: 2, epochs: 1 }), events.slice(0, 300), { seed: 1 });
    const nmrn = rec.model as Nmrn;
    expect(() => nmrn.scoreSession(Int32Array.of(0, nmrn.numItems))).toThrow(`Nmrn.scoreSession: items[1] must be an item id in [0, ${nmrn.numItems}), got ${nmrn.numItems}`);
    expect(() => nmrn.scoreSession([1] as unknown as Int32Array)).toThrow('Nmrn.scoreSession: items must be an Int32Array of item ids, got');
    rec.dispose();
  });
});

describeWithBackends('OnlineRecommender.recommendSession', () => {
  it('answers from the session without changing the recommender (same bytes, users, items), never one of its items', async () => {
    const rec = await OnlineRecommender.train(new Nmrn({ dim: 6, slots: 3, epochs: 1, batchSize: 64 }), events, { seed: 2 });
    const before = fnv1a32(rec.toBytes());
    const sizes = [rec.numUsers, rec.numItems, rec.eventsIngested];
    const session = ['i3', 'i8', 'never-seen', 'i3'];
    const list = await expectNoLeak(() => rec.recommendSession(session, 10));
    expect(list).toHaveLength(10);
    expect(list.map((r) => r.item)).not.toContain('i3');
    expect(list.map((r) => r.item)).not.toContain('i8');
    for (let k = 1; k < list.length; k++) expect(list[k - 1].score).toBeGreaterThanOrEqual(list[k].score);
    const withSeen = rec.recommendSession(session, rec.numItems, { excludeSeen: false });
    expect(withSeen).toHaveLength(rec.numItems);
    expect(new Set(withSeen.map((r) => r.item)).size).toBe(rec.numItems);
    expect(rec.recommendSession(session, 3)).toEqual(list.slice(0, 3));
    expect(fnv1a32(rec.toBytes())).toBe(before);
    expect([rec.numUsers, rec.numItems, rec.eventsIngested]).toEqual(sizes);
    rec.dispose();
  });

  it('says what is wrong with a bad call, and that a model without scoreSession cannot answer', async () => {
    const rec = await OnlineRecommender.train(new Nmrn({ dim: 4, slots: 2, epochs: 1 }), events.slice(0, 300), { seed: 1 });
    expect(rec.scoresSessions).toBe(true);
    expect(() => rec.recommendSession(['i1'], 0)).toThrow('OnlineRecommender.recommendSession: k must be an integer >= 1, got 0');
    expect(() => rec.recommendSession('i1' as unknown as string[], 2)).toThrow('OnlineRecommender.recommendSession: items must be an array of raw item ids, got');
    expect(() => rec.recommendSession(['i1'], 2, { excludeSeen: 'no' as unknown as boolean })).toThrow('OnlineRecommender.recommendSession: options.excludeSeen must be true or false, got');
    rec.dispose();
    const pop = await OnlineRecommender.train(new ItemPop(), events.slice(0, 300));
    expect(pop.scoresSessions).toBe(false);
    expect(() => pop.recommendSession(['i1'], 2)).toThrow('OnlineRecommender.recommendSession: the model must score sessions (scoreSession), got pop, which does not');
    pop.dispose();
  });
});
