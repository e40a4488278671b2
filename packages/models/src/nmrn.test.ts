import type { KeyValueMemory } from '@memrec/memory';
import { streamSplit, syntheticStream } from '@memrec/data';
import { useCpuBackend } from '@memrec/test-helpers';
import { Nmrn } from './nmrn';

useCpuBackend();

const data = syntheticStream({ seed: 8, numUsers: 50, numItems: 40, numEvents: 2000 });
const { train, blocks } = streamSplit(data, { trainRatio: 0.8, blocks: 1 });

/** Records the memory calls an NMRN step makes, in order, with the hinge's options. */
function spy(kv: KeyValueMemory) {
  const calls: string[] = [];
  const weights: (Float32Array | undefined)[] = [];
  const rows: number[] = [];
  const orig = { scorerFor: kv.scorerFor.bind(kv), trainStep: kv.trainStep.bind(kv), write: kv.write.bind(kv) };
  kv.scorerFor = (users) => (calls.push('read'), orig.scorerFor(users));
  kv.trainStep = (users, pos, neg, options) => {
    calls.push('train');
    weights.push(options?.weights as Float32Array | undefined);
    rows.push(users.length);
    return orig.trainStep(users, pos, neg, options);
  };
  kv.write = (users, items, options) => (calls.push('write'), orig.write(users, items, options));
  return { calls, weights, rows };
}

describe('Nmrn step (Algorithm 1, streaming)', () => {
  it('reads the memory and trains on a batch before writing that batch into the memory', async () => {
    const nmrn = new Nmrn({ dim: 4, slots: 2, sampler: 'uniform', epochs: 1, batchSize: 200 });
    await nmrn.fit(train, { seed: 1 });
    const log = spy(nmrn.kv as KeyValueMemory);
    await nmrn.observe(blocks[0]); // 400 events: two batches of 200
    expect(log.calls).toEqual(['read', 'train', 'write', 'read', 'train', 'write']);
    nmrn.dispose();
  });

  it('weights each hinge term by its rank weight log(floor((N - 1) / k) + 1), k the draws used', async () => {
    const maxDraws = 50;
    const nmrn = new Nmrn({ dim: 4, slots: 2, sampler: 'uniform', epochs: 3, batchSize: 200, maxDraws, margin: 0.01 });
    await nmrn.fit(train, { seed: 1 });
    const log = spy(nmrn.kv as KeyValueMemory);
    await nmrn.observe(blocks[0]);
    const N = nmrn.numItems;
    const allowed = Array.from({ length: maxDraws }, (_, k) => Math.fround(Math.log(Math.floor((N - 1) / (k + 1)) + 1)));
    expect(log.weights).toHaveLength(2);
    log.weights.forEach((w, b) => {
      expect(w).toBeInstanceOf(Float32Array);
      expect((w as Float32Array).length).toBe(log.rows[b]);
      for (const x of w as Float32Array) expect(allowed).toContain(x);
    });
    // with a small margin, violating draws are rarer and k (so the weight) varies across rows
    expect(new Set(log.weights.flatMap((w) => Array.from(w as Float32Array))).size).toBeGreaterThan(1);
    nmrn.dispose();
  });
});
