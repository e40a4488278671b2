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

describe('Nmrn adversarial training (Algorithm 1)', () => {
  const gan = { dim: 4, slots: 2, sampler: 'gan' as const, candidates: 8, batchSize: 200 };

  it('pre-trains G by REINFORCE against the pre-trained D, leaving D unchanged', async () => {
    const phases = new Set<string>();
    const a = new Nmrn({ ...gan, epochs: 1, pretrainEpochs: 1, generatorPretrainEpochs: 1 });
    const b = new Nmrn({ ...gan, epochs: 1, pretrainEpochs: 1, generatorPretrainEpochs: 0 });
    await a.fit(train, { seed: 1, onProgress: (p) => phases.add(p.phase) });
    await b.fit(train, { seed: 1 });
    expect([...phases]).toEqual(['pre-train', 'generator pre-train']);
    // D's parameters are as after its pre-training (the memory itself differs: G's pass replays
    // the writes with D's final weights)
    const params = (m: Nmrn) => {
      const kv = m.kv as KeyValueMemory;
      return [m.users.toBytes(), m.items.toBytes(), ...[kv.keys, kv.We, kv.be, kv.Wa, kv.ba].map((v) => Array.from(v.dataSync()))];
    };
    expect(params(a)).toEqual(params(b));
    const batches = Math.ceil(train.users.length / 200);
    expect([a.generator?.updates, b.generator?.updates]).toEqual([batches, 0]);
    expect(a.generator?.toBytes()).not.toEqual(b.generator?.toBytes());
    a.dispose();
    b.dispose();
  });

  it.each([['distance' as const], ['bounded' as const]])(
    "rewards G's negatives with the %s reward, against the previous batch's mean as baseline",
    async (reward) => {
      const nmrn = new Nmrn({ ...gan, epochs: 2, pretrainEpochs: 1, reward });
      await nmrn.fit(train, { seed: 1 });
      const g = nmrn.generator;
      if (g == null) throw new Error('no generator');
      const seen: { rewards: Float32Array; expected: Float32Array; baseline: number; mean: number }[] = [];
      const update = g.update.bind(g);
      g.update = (users, negatives, rewards) => {
        const d = nmrn.score(users, negatives);
        const expected = d.map((x) => (reward === 'bounded' ? 2 * (1 / (1 + Math.exp(x)) - 0.5) : -x));
        const info = update(users, negatives, rewards);
        seen.push({ rewards: rewards.slice(), expected, baseline: info.baseline, mean: info.meanReward });
        return info;
      };
      await nmrn.observe(blocks[0]); // 400 events: two batches
      expect(seen).toHaveLength(2);
      for (const s of seen) {
        s.rewards.forEach((r, k) => expect(r).toBeCloseTo(s.expected[k], 5));
        if (reward === 'bounded') for (const r of s.rewards) expect(r > -1 && r <= 0).toBe(true);
      }
      // b is the previous batch's mean reward (baselineDecay 0)
      expect(seen[1].baseline).toBeCloseTo(seen[0].mean, 6);
      expect(g.baseline).toBeCloseTo(seen[1].mean, 6);
      nmrn.dispose();
    },
  );

  it('trains the erase / add projections by default (per-user memory); without the write gradient they keep their initial values', async () => {
    const proj = (m: Nmrn) => [m.kv as KeyValueMemory].flatMap((kv) => [kv.We, kv.be, kv.Wa, kv.ba].map((v) => Array.from(v.dataSync())));
    const on = new Nmrn({ dim: 4, slots: 2, epochs: 1, batchSize: 200 });
    const off = new Nmrn({ dim: 4, slots: 2, epochs: 1, batchSize: 200, writeGradient: false });
    expect([on.config.memory, on.config.writeGradient]).toEqual(['per-user', true]);
    await on.fit(train, { seed: 1 });
    await off.fit(train, { seed: 1 });
    const fresh = new Nmrn({ dim: 4, slots: 2, epochs: 0, batchSize: 200, writeGradient: false });
    await fresh.fit(train, { seed: 1 }); // initial values, no step taken
    const [a, b, c] = [proj(on), proj(off), proj(fresh)];
    expect(b).toEqual(c);
    a.forEach((values, k) => expect({ k, moved: values.some((x, j) => x !== c[k][j]) }).toEqual({ k, moved: true }));
    for (const m of [on, off, fresh]) m.dispose();
  });

  it('passes the address temperature to the memory, and keeps it through bytes', async () => {
    const nmrn = new Nmrn({ dim: 4, slots: 2, sampler: 'uniform', epochs: 1, batchSize: 400, temperature: 0.1 });
    await nmrn.fit(train, { seed: 1 });
    const again = Nmrn.fromBytes(nmrn.toBytes());
    expect([(nmrn.kv as KeyValueMemory).temperature, (again.kv as KeyValueMemory).temperature]).toEqual([0.1, 0.1]);
    nmrn.dispose();
    again.dispose();
  });

  it('checks the new options', () => {
    expect(() => new Nmrn({ temperature: 0 })).toThrow('Nmrn: option temperature must be a finite number > 0, got 0');
    expect(() => new Nmrn({ baselineDecay: 1 })).toThrow('Nmrn: option baselineDecay must be a finite number >= 0 and < 1, got 1');
    expect(() => new Nmrn({ reward: 'log' as never })).toThrow('Nmrn: option reward must be one of "distance", "bounded", got "log"');
    expect(() => new Nmrn({ generatorPretrainEpochs: -1 })).toThrow('Nmrn: option generatorPretrainEpochs must be an integer >= 0, got -1');
  });
});
