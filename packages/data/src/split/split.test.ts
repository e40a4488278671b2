import type { Interactions } from '@memrec/core';
import { leaveLastOut } from './leave-last-out';
import { randomSplit } from './random';
import { stratifiedSplit } from './stratified';
import { streamSplit } from './stream';
import { temporalSplit } from './temporal';

/** 20 users x 30 items, 400 events; time = a shuffled permutation so rows are not in time order. */
function fixture(): Interactions {
  const n = 400;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const t = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    users[k] = (k * 7) % 20;
    items[k] = (k * 11 + (k >> 3)) % 30;
    t[k] = (k * 173) % n; // 173 is coprime with 400: a permutation of 0..399
  }
  return { users, items, timestamps: t, numUsers: 20, numItems: 30 };
}
const rows = (x: Interactions) => Array.from(x.users, (u, k) => `${u}:${x.items[k]}:${x.timestamps?.[k]}`);

describe('splits', () => {
  const data = fixture();

  it('leaveLastOut holds out each user\'s latest (and second-latest) interaction', () => {
    const { train, test, validation, report } = leaveLastOut(data, { validation: true });
    expect(test.users.length).toBe(20);
    expect(validation!.users.length).toBe(20);
    for (let k = 0; k < test.users.length; k++) {
      const u = test.users[k];
      const tr = Array.from(train.timestamps!).filter((_, j) => train.users[j] === u);
      const v = validation!.timestamps![Array.from(validation!.users).indexOf(u)];
      expect(test.timestamps![k]).toBeGreaterThan(v);
      expect(v).toBeGreaterThan(Math.max(...tr));
    }
    expect(train.users.length + 40).toBe(400);
    expect(train.numUsers).toBe(20);
    expect(report).toMatchObject({ protocol: 'leave-last-out', ok: true, leakage: { timeCheck: 'per-user', testBeforeTrainCut: 0 } });
  });

  it('leaveLastOut keeps short users in train and drops cold items unless allowed', () => {
    const x: Interactions = { users: Int32Array.of(0, 0, 1), items: Int32Array.of(0, 1, 0), numUsers: 2, numItems: 2 };
    const r = leaveLastOut(x);
    expect(r.test.users.length).toBe(0); // item 1 is only ever user 0's last item
    expect(r.report.leakage).toMatchObject({ coldItems: 1, droppedColdStart: 1, timeSource: 'row order' });
    expect(r.report.findings.join('\n')).toMatch(/1 users with fewer than 2 interactions kept entirely in train/);
    expect(leaveLastOut(x, { allowColdStart: true }).test.users.length).toBe(1);
  });

  it('stratifiedSplit puts round(0.75 n) of each user in train, seeded and repeatable', () => {
    const a = stratifiedSplit(data, { ratio: 0.75, seed: 3, allowColdStart: true });
    const b = stratifiedSplit(data, { ratio: 0.75, seed: 3, allowColdStart: true });
    const c = stratifiedSplit(data, { ratio: 0.75, seed: 4, allowColdStart: true });
    expect(rows(a.test)).toEqual(rows(b.test));
    expect(rows(a.test)).not.toEqual(rows(c.test));
    for (let u = 0; u < 20; u++) {
      const total = Array.from(data.users).filter((v) => v === u).length;
      expect(Array.from(a.train.users).filter((v) => v === u).length).toBe(Math.round(0.75 * total));
    }
    expect(rows(a.train).concat(rows(a.test)).sort()).toEqual(rows(data).sort());
    expect(a.report.leakage.timeCheck).toBe('none');
    expect(() => stratifiedSplit(data, { ratio: 1 })).toThrow('stratifiedSplit: ratio must be in (0, 1), got 1');
  });

  it('randomSplit is a seeded partition of all rows', () => {
    const a = randomSplit(data, { ratio: 0.8, seed: 1, allowColdStart: true });
    expect(a.train.users.length).toBe(320);
    expect(rows(a.train).concat(rows(a.test)).sort()).toEqual(rows(data).sort());
    expect(rows(randomSplit(data, { ratio: 0.8, seed: 1, allowColdStart: true }).test)).toEqual(rows(a.test));
  });

  it('temporalSplit cuts in time order with no test event before the cut; cold rows dropped and counted', () => {
    const r = temporalSplit(data, { ratio: 0.8, allowColdStart: true });
    expect(Math.max(...r.train.timestamps!)).toBe(319);
    expect(Math.min(...r.test.timestamps!)).toBe(320);
    expect(r.report).toMatchObject({ ok: true, leakage: { testBeforeTrainCut: 0, tiesAtCut: 0 } });
    const d = temporalSplit(data, { ratio: 0.1 });
    expect(d.test.users.length + d.report.leakage.droppedColdStart).toBe(360);
    for (const i of d.test.items) expect(Array.from(d.train.items)).toContain(i);
  });

  it('streamSplit: 60 % train then 5 equal time-ordered blocks', () => {
    const s = streamSplit(data);
    expect(s.train.users.length).toBe(240);
    expect(s.blocks.map((b) => b.users.length)).toEqual([32, 32, 32, 32, 32]);
    let last = Math.max(...s.train.timestamps!);
    for (const b of s.blocks) {
      expect(b.timestamps![0]).toBeGreaterThan(last);
      last = b.timestamps![b.timestamps!.length - 1];
    }
    expect(s.report).toMatchObject({ protocol: 'stream', ok: true, sizes: { blocks: [32, 32, 32, 32, 32] } });
    expect(() => streamSplit(data, { blocks: 0 })).toThrow('streamSplit: blocks must be an integer >= 1, got 0');
  });

  describe('streamSplit marks cold events against train and earlier blocks only', () => {
    // (user, item, time) in time order; stored permuted (row p holds event (5 p) mod 16) so the
    // split must sort. Train = the first 8 events: users {0, 1, 2}, items {0, 1, 2}.
    const events = [
      [0, 0, 0], [0, 1, 1], [1, 0, 2], [1, 2, 3], [2, 1, 4], [2, 2, 5], [0, 2, 6], [1, 1, 7], // train
      [0, 1, 8], //  block 0: warm (a repeat)
      [3, 0, 9], //           user 3 is new: cold
      [1, 3, 10], //          item 3 is new: cold
      [3, 3, 11], //          both still new (the block is seen only after it is evaluated): cold
      [3, 1, 12], // block 1: user 3 came in block 0: warm
      [2, 3, 13], //          item 3 came in block 0: warm
      [0, 4, 14], //          item 4 is new: cold
      [2, 4, 15], //          item 4 still new within its block: cold
    ];
    const stored = events.map((_, p) => events[(5 * p) % 16]);
    const x: Interactions = {
      users: Int32Array.from(stored, (e) => e[0]),
      items: Int32Array.from(stored, (e) => e[1]),
      timestamps: Float64Array.from(stored, (e) => e[2]),
      numUsers: 4,
      numItems: 5,
    };

    it('evaluable masks, cold counts and findings', () => {
      const s = streamSplit(x, { trainRatio: 0.5, blocks: 2 });
      expect(s.blocks.map((b) => Array.from(b.timestamps!))).toEqual([[8, 9, 10, 11], [12, 13, 14, 15]]);
      expect(s.evaluable.map((m) => Array.from(m))).toEqual([[1, 0, 0, 0], [1, 1, 0, 0]]);
      expect(s.report.leakage).toEqual({
        timeCheck: 'global',
        timeSource: 'timestamps',
        testBeforeTrainCut: 0,
        tiesAtCut: 0,
        coldUsers: 1, // user 3
        coldItems: 2, // items 3 and 4
        coldInteractions: 5,
        droppedColdStart: 0, // every event is kept for updates
        overlapPairs: 0,
        coldPerBlock: [3, 2],
      });
      expect(s.report.ok).toBe(true);
      expect(s.report.findings).toEqual([
        'each block is checked against everything before it (train and earlier blocks)',
        'no held-out interaction precedes the train cut',
        '5 block events involve a user or item never seen before their block: marked not evaluable (kept for updates; allowColdStart: true marks them evaluable)',
      ]);
    });

    it('allowColdStart marks every event evaluable and still counts the cold ones', () => {
      const s = streamSplit(x, { trainRatio: 0.5, blocks: 2, allowColdStart: true });
      expect(s.evaluable.map((m) => Array.from(m))).toEqual([[1, 1, 1, 1], [1, 1, 1, 1]]);
      expect(s.report.leakage.coldPerBlock).toEqual([3, 2]);
      expect(s.report.findings).toEqual([
        'each block is checked against everything before it (train and earlier blocks)',
        'no held-out interaction precedes the train cut',
        'cold start allowed: 5 held-out interactions involve 1 users / 2 items absent from train (kept)',
      ]);
    });

    it('without timestamps, row order is time and the report says so', () => {
      const inOrder: Interactions = { users: Int32Array.from(events, (e) => e[0]), items: Int32Array.from(events, (e) => e[1]), numUsers: 4, numItems: 5 };
      const s = streamSplit(inOrder, { trainRatio: 0.5, blocks: 2 });
      expect(s.evaluable.map((m) => Array.from(m))).toEqual([[1, 0, 0, 0], [1, 1, 0, 0]]);
      expect(s.report.findings.slice(0, 2)).toEqual([
        'each block is checked against everything before it (train and earlier blocks)',
        'no timestamps: row order is taken as time order',
      ]);
    });
  });

  it('reports a leak when held-out rows precede the cut (ties are counted, not leaks)', () => {
    const x: Interactions = { users: Int32Array.of(0, 0, 0, 0, 0), items: Int32Array.of(0, 1, 0, 1, 0), timestamps: Float64Array.of(1, 2, 3, 3, 4), numUsers: 1, numItems: 2 };
    const r = temporalSplit(x, { ratio: 0.6 });
    expect(r.report.leakage).toMatchObject({ testBeforeTrainCut: 0, tiesAtCut: 1, overlapPairs: 2 });
    expect(r.report.findings.join('\n')).toMatch(/\(1 tie at the cut time\)/);
  });
});
