import { UserItemSet, type Interactions, type Scorer } from '@memrec/core';
import { evaluateStream, slidingWindow } from './stream';

const I = (users: number[], items: number[]): Interactions => ({ users: Int32Array.from(users), items: Int32Array.from(items), numUsers: 3, numItems: 4 });

/** Item popularity that learns from what it observes; records every batch it is given. */
function popularity(initial: number[]) {
  const counts = [...initial];
  const batches: number[][] = [];
  const scored: Int32Array[] = [];
  const scorer: Scorer = {
    numItems: 4,
    scoreAll: (users) => {
      const out = new Float32Array(users.length * 4);
      for (let r = 0; r < users.length; r++) out.set(counts, r * 4);
      return out;
    },
    score: (users, items) => {
      scored.push(items.slice());
      return Float32Array.from(items, (i) => counts[i]);
    },
  };
  return {
    ...scorer,
    batches,
    scored,
    observe(batch: Interactions) {
      batches.push(Array.from(batch.items));
      for (const i of batch.items) counts[i]++;
    },
  };
}

const seen0 = () => UserItemSet.fromInteractions({ users: Int32Array.of(0), items: Int32Array.of(0), numUsers: 1, numItems: 4 });
const blocks = [I([1, 2], [0, 0]), I([0, 2], [2, 3])];

describe('evaluateStream', () => {
  test('test-then-train per block (hand-checked)', async () => {
    const model = popularity([0, 1, 0, 0]);
    const res = await evaluateStream(model, blocks, { seen: seen0(), k: [1, 2], mode: 'full', window: 2, windowStride: 1 });
    // block 1 with counts [0,1,0,0]: u1 -> order 1,0,2,3: item 0 at 1 of 4; u2 likewise.
    // observe -> counts [2,1,0,0]. block 2: u0 (seen {0}) -> order 1,2,3: item 2 at 1 of 3;
    // u2 (seen {0} from block 1) -> order 1,2,3: item 3 at 2 of 3.
    expect(model.batches).toEqual([[0, 0], [2, 3]]);
    expect(res.blocks[0].metrics.mrr).toBeCloseTo(0.5, 12);
    expect(res.blocks[0].metrics.auc).toBeCloseTo(2 / 3, 12); // (4 - 1 - 1) / 3 each
    expect(res.blocks[1].metrics['hr@2']).toBeCloseTo(0.5, 12);
    expect(res.blocks[1].metrics.mrr).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12);
    expect(res.blocks[1].metrics.auc).toBeCloseTo((1 / 2 + 0) / 2, 12); // (3-1-1)/2, (3-1-2)/2
    expect(res.metrics.mrr).toBeCloseTo((0.5 + 0.5 + 0.5 + 1 / 3) / 4, 12);
    expect(res.counts.units).toBe(4);
    // windows of 2 events ending at events 2, 3, 4
    expect(Array.from(res.window.ends)).toEqual([2, 3, 4]);
    expect(res.window.values.mrr[0]).toBeCloseTo(0.5, 12);
    expect(res.window.values.mrr[2]).toBeCloseTo((0.5 + 1 / 3) / 2, 12);
  });

  test('evaluable: unmarked events are not scored but still update the model and the seen set', async () => {
    for (const perEvent of [false, true]) {
      const model = popularity([0, 1, 0, 0]);
      // block 1: only u1's event is scored; u2's event (item 0) is skipped, yet it must stay seen:
      // in block 2, u2's event ranks item 3 at 2 of 3 (item 0 excluded), as in the unmasked run.
      const res = await evaluateStream(model, blocks, { seen: seen0(), k: [1, 2], mode: 'full', perEvent, evaluable: [Uint8Array.of(1, 0), Uint8Array.of(1, 1)] });
      expect(model.batches.flat()).toEqual([0, 0, 2, 3]);
      expect(res.blocks.map((b) => [b.counts.units, b.counts.skippedEvents])).toEqual([[1, 1], [2, 0]]);
      expect(res.counts).toMatchObject({ units: 3, skippedEvents: 1 });
      expect(Array.from(res.perUnit.users)).toEqual([1, 0, 2]);
      expect(res.blocks[0].metrics.mrr).toBeCloseTo(0.5, 12);
      if (!perEvent) expect(res.blocks[1].metrics.mrr).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12);
      expect(res.setup.scored).toBe('events marked evaluable (3 scored, 1 not scored but used to update the model and the seen set)');
      expect(res.setup.params).toMatchObject({ scoredEvents: 3, skippedEvents: 1, scoredPerBlock: '1 / 2', skippedPerBlock: '1 / 0' });
    }
  });

  test('evaluable in sampled-N mode: only marked events draw candidates and are ranked', async () => {
    const model = popularity([0, 1, 0, 0]);
    const res = await evaluateStream(model, blocks, { seen: seen0(), k: [1], mode: 'sampled-2', seed: 3, evaluable: [Uint8Array.of(0, 0), Uint8Array.of(0, 1)] });
    expect(res.counts).toMatchObject({ units: 1, skippedEvents: 3 });
    expect(Array.from(res.perUnit.users)).toEqual([2]);
    // u2 saw item 0 in block 1 (skipped, still seen): its 2 candidates are the other unseen items 1, 2
    expect(model.scored.map((x) => Array.from(x).sort())).toEqual([[1, 2, 3]]);
  });

  test('rejects a malformed evaluable mask and unknown option keys', async () => {
    const model = popularity([0, 0, 0, 0]);
    await expect(evaluateStream(model, blocks, { k: [1], mode: 'full', evaluable: [Uint8Array.of(1, 1)] })).rejects.toThrow('evaluateStream: evaluable must be an array of 2 Uint8Arrays (one per block), got 1 entries');
    await expect(evaluateStream(model, blocks, { k: [1], mode: 'full', evaluable: [Uint8Array.of(1), Uint8Array.of(1, 1)] })).rejects.toThrow("evaluateStream: evaluable[0] must be a Uint8Array of the block's 2 events, got length 1");
    await expect(evaluateStream(model, blocks, { k: [1], mode: 'full', evaluble: [] } as never)).rejects.toThrow('evaluateStream: unknown option "evaluble"; known options are seen, k, mode');
  });

  test('scores each distinct user once per chunk; results do not depend on the chunk size', async () => {
    // a user-dependent scorer: user u prefers item (u + j) % 4 in order j = 0..3
    const calls: number[][] = [];
    const model = {
      numItems: 4,
      scoreAll: (users: Int32Array) => {
        calls.push(Array.from(users));
        const out = new Float32Array(users.length * 4);
        users.forEach((u, r) => [0, 1, 2, 3].forEach((j) => (out[r * 4 + ((u + j) % 4)] = 4 - j)));
        return out;
      },
      observe: async () => {},
    };
    const stream = [I([0, 1, 0, 2, 1, 0], [1, 2, 3, 3, 0, 2])];
    const runs = [];
    for (const chunkSize of [1, 2, 256]) {
      calls.length = 0;
      runs.push((await evaluateStream(model, stream, { k: [1, 2], mode: 'full', chunkSize })).metrics);
      // every call lists distinct users, at most chunkSize of them
      for (const c of calls) expect(new Set(c).size).toBe(c.length);
      for (const c of calls) expect(c.length).toBeLessThanOrEqual(chunkSize);
      if (chunkSize === 256) expect(calls).toEqual([[0, 1, 2]]);
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    // hand check, first event: user 0 ranks 0,1,2,3 -> item 1 at position 1 -> hr@1 = 0 there
    expect(runs[0]['hr@2']).toBeGreaterThan(0);
  });

  test('perEvent: the model observes each event right after ranking it', async () => {
    const model = popularity([0, 1, 0, 0]);
    const res = await evaluateStream(model, blocks, { seen: seen0(), k: [1], mode: 'full', perEvent: true });
    // e2 (u2, item 0) now sees counts [1,1,0,0] -> order 0,1,2,3: position 0
    expect(model.batches).toEqual([[0], [0], [2], [3]]);
    expect(Array.from(res.perUnit.values.mrr)).toEqual([0.5, 1, 0.5, 1 / 3]);
  });

  test('the true item is ranked even when the user has seen it before', async () => {
    const model = popularity([0, 1, 0, 0]);
    const res = await evaluateStream(model, [I([0], [0])], { seen: seen0(), k: [1], mode: 'full' });
    // u0 saw item 0, which is the true item: all 4 items ranked, order 1,0,2,3 -> position 1
    expect(res.metrics.auc).toBeCloseTo(2 / 3, 12);
    expect(res.metrics.mrr).toBeCloseTo(0.5, 12);
  });

  test('sampled-N draws only items not seen before the event, seeded', async () => {
    // u0 saw {0}; event 1 (true 1) may draw {2, 3}; event 2 (true 3, 0 and 1 seen) has only {2}: too few for N = 2
    await expect(evaluateStream(popularity([0, 1, 0, 0]), [I([0, 0], [1, 3])], { seen: seen0(), k: [1], mode: 'sampled-2', seed: 5 })).rejects.toThrow(
      'evaluateStream: user 0 must have at least N = 2 items not interacted with before the event',
    );
    const model = popularity([0, 1, 0, 0]);
    const res = await evaluateStream(model, [I([1, 1], [1, 3])], { k: [1], mode: 'sampled-2', seed: 5 });
    const [items] = model.scored;
    // u1 event 1 (true 1): 2 of {0, 2, 3}; event 2 (true 3, 1 now seen): exactly {0, 2}
    expect(items[0]).toBe(1);
    expect([...items.subarray(1, 3)].every((j) => j !== 1)).toBe(true);
    expect(Array.from(items.subarray(3, 6))).toEqual([3, 0, 2]);
    expect(res.counts.units).toBe(2);
    const again = popularity([0, 1, 0, 0]);
    const res2 = await evaluateStream(again, [I([1, 1], [1, 3])], { k: [1], mode: 'sampled-2', seed: 5 });
    expect(again.scored).toEqual(model.scored);
    expect(res2.metrics).toEqual(res.metrics);
  });

  test('bad input: mode, empty blocks, NaN names model and user', async () => {
    const model = popularity([0, 1, 0, 0]);
    await expect(evaluateStream(model, blocks, { k: [1], mode: 'sampled-x' as 'full' })).rejects.toThrow('evaluateStream: mode must be "full" or "sampled-N" with N >= 1, got "sampled-x"');
    await expect(evaluateStream(model, [], { k: [1], mode: 'full' })).rejects.toThrow('evaluateStream: blocks must be a non-empty array of Interactions, got an empty array');
    const nan = popularity([0, NaN, 0, 0]);
    await expect(evaluateStream(nan, blocks, { k: [1], mode: 'full', name: 'nmrn' })).rejects.toThrow('evaluateStream: scores of model "nmrn" for user 1 must not be NaN, got NaN at item 1');
  });

  test('slidingWindow: windows shorter than the size at the start are clipped to the data', () => {
    const w = slidingWindow({ users: Int32Array.of(0, 0, 0), values: { hr: Float64Array.of(1, 0, 1) } }, 5, 1);
    expect(Array.from(w.ends)).toEqual([3]);
    expect(w.values.hr[0]).toBeCloseTo(2 / 3, 12);
  });
});
