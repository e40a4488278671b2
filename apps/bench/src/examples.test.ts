/**
 * The README's "compose your own recommender" example runs as written: a plain `node` process
 * importing only the built packages' public exports. It must learn something (beat ItemPop on
 * the same split) and leave no tensors behind.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { UserItemSet } from '@memrec/core';
import { leaveLastOut, syntheticStream } from '@memrec/data';
import { evaluateFull } from '@memrec/eval';
import { ItemPop } from '@memrec/models';

describe('examples/bprmf-with-gan.mjs', () => {
  it('trains BPR-MF with the GAN sampler from public exports and beats ItemPop', async () => {
    const out = execFileSync(process.execPath, [join(__dirname, '..', 'examples', 'bprmf-with-gan.mjs')], { encoding: 'utf8' });
    const res = JSON.parse(out.trim().split('\n').pop() as string) as { 'hr@10': number; tensors: number };
    // the same data and split as the example
    const { train, test } = leaveLastOut(syntheticStream({ seed: 1, numUsers: 300, numItems: 200, numEvents: 15000 }));
    const pop = new ItemPop();
    await pop.fit(train);
    const base = await evaluateFull(pop, test, { seen: UserItemSet.fromInteractions(train), k: [10] });
    expect(res.tensors).toBe(0);
    expect(res['hr@10']).toBeGreaterThan(base.metrics['hr@10']);
  });
});
