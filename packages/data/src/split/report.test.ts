import type { Interactions } from '@memrec/core';
import { leaveLastOut } from './leave-last-out';
import { randomSplit } from './random';
import { finishSplit, type FinishArgs } from './report';
import { temporalSplit } from './temporal';

/** Interactions from (user, item) pairs, with timestamps when given. */
function data(pairs: [number, number][], numUsers: number, numItems: number, times?: number[]): Interactions {
  return {
    users: Int32Array.from(pairs, (p) => p[0]),
    items: Int32Array.from(pairs, (p) => p[1]),
    ...(times ? { timestamps: Float64Array.from(times) } : {}),
    numUsers,
    numItems,
  };
}

const global: FinishArgs = { protocol: 'temporal', params: {}, timeCheck: 'global', allowColdStart: false };
const perUser: FinishArgs = { protocol: 'leave-last-out', params: {}, timeCheck: 'per-user', allowColdStart: false };

describe('split leakage report: every finding from a crafted split', () => {
  it('LEAK against the global cut: held-out rows older than the newest train row make ok false', () => {
    // one user, rows (item, time) = (0, 1), (1, 2), (0, 3), (1, 4); train = the two newest rows
    const x = data([[0, 0], [0, 1], [0, 0], [0, 1]], 1, 2, [1, 2, 3, 4]);
    const { report } = finishSplit(x, Int32Array.of(2, 3), Int32Array.of(0, 1), null, global);
    expect(report.ok).toBe(false);
    expect(report.leakage).toMatchObject({ testBeforeTrainCut: 2, tiesAtCut: 0, coldInteractions: 0, overlapPairs: 2 });
    expect(report.findings).toEqual([
      'LEAK: 2 held-out interactions precede the global train cut', // times 1 and 2 < cut 4
      'every held-out user and item appears in train',
      '2 (user, item) pairs occur both in train and held out (repeat consumption)', // (0, 0) and (0, 1)
    ]);
  });

  it("LEAK per user: a held-out row older than its own user's latest train row (other users' times do not count)", () => {
    // rows: user 0 item 0 at t 5 (train), user 0 item 1 at t 1 (test: before 5, a leak),
    //       user 1 item 1 at t 1 (train), user 1 item 0 at t 5 (test: after 1, fine)
    const x = data([[0, 0], [0, 1], [1, 1], [1, 0]], 2, 2, [5, 1, 1, 5]);
    const { report } = finishSplit(x, Int32Array.of(0, 2), Int32Array.of(1, 3), null, perUser);
    expect(report.ok).toBe(false);
    expect(report.leakage).toMatchObject({ timeCheck: 'per-user', testBeforeTrainCut: 1, overlapPairs: 0 });
    expect(report.findings).toEqual([
      "LEAK: 1 held-out interactions precede the user's latest train interaction",
      'every held-out user and item appears in train',
    ]);
  });

  it('a held-out row at exactly the cut time is a tie, not a leak', () => {
    const x = data([[0, 0], [0, 1], [0, 0], [0, 1], [0, 0]], 1, 2, [1, 2, 3, 3, 4]);
    const { report } = temporalSplit(x, { ratio: 0.6 }); // train times 1, 2, 3; test 3, 4
    expect(report.ok).toBe(true);
    expect(report.leakage).toMatchObject({ testBeforeTrainCut: 0, tiesAtCut: 1, overlapPairs: 2 });
    expect(report.findings).toEqual([
      'no held-out interaction precedes the train cut (1 tie at the cut time)',
      'every held-out user and item appears in train',
      '2 (user, item) pairs occur both in train and held out (repeat consumption)',
    ]);
  });

  // No timestamps, rows in time order: (u0, i0), (u1, i0), (u0, i1) | test (u1, i1), (u2, i1), (u2, i2).
  // Test row 4 has a cold user (2); row 5 a cold user and a cold item (2).
  const cold = data([[0, 0], [1, 0], [0, 1], [1, 1], [2, 1], [2, 2]], 3, 3);

  it('cold held-out rows are dropped and counted, and row order stands in for time', () => {
    const r = temporalSplit(cold, { ratio: 0.5 });
    expect(Array.from(r.test.users)).toEqual([1]); // only the warm row is kept
    expect(r.report.leakage).toMatchObject({ timeSource: 'row order', coldUsers: 1, coldItems: 1, coldInteractions: 2, droppedColdStart: 2 });
    expect(r.report.findings).toEqual([
      'no timestamps: row order is taken as time order',
      'no held-out interaction precedes the train cut',
      '2 held-out interactions dropped: 1 users / 1 items absent from train (pass allowColdStart: true to keep them)',
    ]);
  });

  it('allowColdStart keeps the cold rows and says so', () => {
    const r = temporalSplit(cold, { ratio: 0.5, allowColdStart: true });
    expect(Array.from(r.test.users)).toEqual([1, 2, 2]);
    expect(r.report.leakage).toMatchObject({ coldInteractions: 2, droppedColdStart: 0 });
    expect(r.report.findings[2]).toBe('cold start allowed: 2 held-out interactions involve 1 users / 1 items absent from train (kept)');
  });

  it('a time-free protocol says time is not checked, even with timestamps that would leak', () => {
    const x = data([[0, 0], [0, 1], [0, 0], [0, 1]], 1, 2, [4, 3, 2, 1]);
    const { report } = finishSplit(x, Int32Array.of(2, 3), Int32Array.of(0, 1), null, { ...global, protocol: 'random-ratio', timeCheck: 'none' });
    expect(report.ok).toBe(true);
    expect(report.findings[0]).toBe('time not checked: random-ratio ignores time by definition');
    expect(randomSplit(x, { ratio: 0.5, allowColdStart: true }).report.findings[0]).toBe('time not checked: random-ratio ignores time by definition');
  });

  it('leave-last-out keeps short users in train, skips users with no interactions, and notes row order', () => {
    // user 0: 3 rows; user 1: 1 row (short); user 2: none (empty: neither short nor tested); user 3: 1 row (short)
    const x = data([[0, 0], [1, 1], [0, 1], [3, 0], [0, 2]], 4, 3);
    const r = leaveLastOut(x, { allowColdStart: true });
    expect(Array.from(r.test.users)).toEqual([0]);
    expect(Array.from(r.test.items)).toEqual([2]); // user 0's last row; item 2 occurs nowhere else: cold
    expect(Array.from(r.train.users).sort()).toEqual([0, 0, 1, 3]);
    expect(r.report.leakage).toMatchObject({ timeCheck: 'per-user', timeSource: 'row order', testBeforeTrainCut: 0, coldUsers: 0, coldItems: 1, coldInteractions: 1 });
    expect(r.report.findings).toEqual([
      '2 users with fewer than 2 interactions kept entirely in train', // users 1 and 3, not the empty user 2
      'no timestamps: row order is taken as time order',
      "no held-out interaction precedes the user's latest train interaction",
      'cold start allowed: 1 held-out interactions involve 0 users / 1 items absent from train (kept)',
    ]);
  });
});
