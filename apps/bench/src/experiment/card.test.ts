/**
 * Each statement the protocol card makes about what was scored, skipped or filtered is checked
 * against what the evaluators did, on a run of the real runner (small synthetic stream with new
 * users and items mid-stream).
 */
import { streamSplit, syntheticStream } from '@memrec/data';
import { BprMf } from '@memrec/models';
import { resolveConfig } from '../cli/options';
import { createProgress } from '../cli/progress';
import { runBenchmark } from './run';
import { buildCard } from './card';

const size = { numUsers: 120, numItems: 80, numEvents: 4000 };
const base = { seeds: '1', workers: '1', backend: 'cpu', quiet: true, models: 'pop,bprmf', epochs: '1', k: '5,10' };

async function run(flags: Record<string, string | string[]>) {
  const cfg = resolveConfig({ ...base, ...flags });
  cfg.synthetic = size;
  return runBenchmark(cfg, createProgress({ quiet: true }));
}

describe('protocol card statements', () => {
  // the runner's dataset: the embedded synthetic stream (seed 2018) at this size
  const split = streamSplit(syntheticStream({ seed: 2018, ...size }), { trainRatio: 0.6, blocks: 5 });
  const evaluablePerBlock = split.evaluable.map((m) => m.reduce((a, x) => a + x, 0));

  it('stream, --cold-start skip (default): exactly the events of known users and items are scored, per block', async () => {
    // the fixture must have cold events, or this test could not fail
    expect(split.evaluable.some((m) => m.includes(0))).toBe(true);
    const results = await run({ protocol: 'stream' });
    const card = results.card as { evaluations: Record<string, { evaluation: { scored: string; params: Record<string, unknown> } }>; notes: string[] };
    const scored = evaluablePerBlock.reduce((a, x) => a + x, 0);
    const skipped = split.blocks.reduce((a, b) => a + b.users.length, 0) - scored;
    expect(card.evaluations.stream.evaluation.scored).toBe(`events marked evaluable (${scored} scored, ${skipped} not scored but used to update the model and the seen set)`);
    expect(card.evaluations.stream.evaluation.params.scoredPerBlock).toBe(evaluablePerBlock.join(' / '));
    expect(card.notes.some((n) => n.includes('update the model but are not scored (`--cold-start skip`)'))).toBe(true);
    for (const r of results.runs) {
      expect(r.streamBlocks?.map((b) => b.events)).toEqual(evaluablePerBlock);
      expect(r.streamBlocks?.map((b) => b.skipped)).toEqual(split.blocks.map((b, i) => b.users.length - evaluablePerBlock[i]));
    }
    expect(results.cardMarkdown).toContain(`| scored | events marked evaluable (${scored} scored, ${skipped} not scored`);
  }, 300000);

  it('stream, --cold-start include: every event is scored and the card says so', async () => {
    const results = await run({ protocol: 'stream', coldStart: 'include', models: 'nmrn,cmn,neumf,bprmf,pop' });
    expect(new Set(results.runs.map((r) => r.model))).toEqual(new Set(['nmrn', 'cmn', 'neumf', 'bprmf', 'pop']));
    const card = results.card as { evaluations: Record<string, { evaluation: { scored?: string } }>; notes: string[] };
    expect(card.evaluations.stream.evaluation.scored).toBe(`every event (${split.blocks.reduce((a, b) => a + b.users.length, 0)})`);
    for (const r of results.runs) expect(r.streamBlocks?.map((b) => [b.events, b.skipped])).toEqual(split.blocks.map((b) => [b.users.length, 0]));
    // static models rank never-trained items last and never-trained users by popularity, so cold events cannot push any model's AUC below chance
    for (const r of results.runs) expect(r.metrics.stream.auc).toBeGreaterThanOrEqual(0.5);
    expect(card.notes.some((n) => n.includes('`--cold-start include`'))).toBe(true);
  }, 300000);

  it('leave-last-out: the card says it is not time-safe across users and names the time-safe protocol', async () => {
    const results = await run({ protocol: 'leave-last-out', eval: 'full' });
    const notes = (results.card as { notes: string[] }).notes;
    expect(notes.some((n) => n.startsWith('split leave-last-out: not time-safe across users') && n.includes('`--protocol temporal` is the time-safe choice'))).toBe(true);
  }, 300000);

  it('lists every model\'s full configuration, --set included', async () => {
    const results = await run({ protocol: 'leave-last-out', eval: 'full', set: ['bprmf.dim=12', 'bprmf.solver=sgd'] });
    const configs = (results.card as { modelConfigs: Record<string, Record<string, unknown>> }).modelConfigs;
    expect(Object.keys(configs)).toEqual(['pop', 'bprmf']);
    expect(configs.bprmf).toMatchObject({ dim: 12, solver: 'sgd', epochs: 1, learningRate: 0.01, negatives: 1 });
    expect(Object.keys(configs.bprmf).sort()).toEqual(Object.keys(new BprMf().config).sort());
    expect(results.cardMarkdown).toContain('- bprmf: dim=12, solver=sgd, learningRate=0.01');
  }, 300000);

  it("lists each model's effective early stopping: the models' defaults, or the run's --early-stopping for all", () => {
    const ds = { name: 'tiny', source: { kind: 'synthetic' }, data: { stats: { numUsers: 2, numItems: 2, numInteractions: 2 } } } as unknown as Parameters<typeof buildCard>[1];
    const plain = buildCard(resolveConfig({ models: 'bprmf,pop' }), ds, {}, 'cpu', {});
    expect(plain.json.earlyStopping).toEqual({ bprmf: 'none', pop: 'none' });
    expect(plain.markdown).toContain('**Early stopping**');
    expect(plain.markdown).toContain('- bprmf: none');
    const all = buildCard(resolveConfig({ models: 'bprmf,pop', earlyStopping: 'ndcg@10:4' }), ds, {}, 'cpu', {});
    expect(all.json.earlyStopping).toEqual({ bprmf: 'ndcg@10:4', pop: 'ndcg@10:4' });
    expect(all.markdown).toContain('- bprmf: ndcg@10:4');
  });

  it('rejects an unknown --cold-start mode', () => {
    expect(() => resolveConfig({ coldStart: 'maybe' })).toThrow('memrec-bench: --cold-start must be skip or include, got "maybe"');
  });
});
