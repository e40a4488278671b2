import { UserItemSet } from '@memrec/core';
import { leaveLastOut, syntheticStream } from '@memrec/data';
import { evaluateFull } from '@memrec/eval';
import { resolveConfig } from '../cli/options';
import { createProgress } from '../cli/progress';
import { useCpuBackend } from '@memrec/test-helpers';
import { trainModel, validationSplit } from './train';
import { createModel } from './variants';

useCpuBackend();

const data = syntheticStream({ seed: 6, numUsers: 150, numItems: 80, numEvents: 6000 });
const { train, test } = leaveLastOut(data);

describe('validation split and early stopping', () => {
  it('carves validation from the training data by the protocol', () => {
    const llo = validationSplit('leave-last-out', train, 1);
    // each user's last training event (users with >= 2 training events) is validation
    const last = new Map<number, number>();
    const ts = train.timestamps as Float64Array;
    for (let k = 0; k < train.users.length; k++) if (!last.has(train.users[k]) || ts[k] >= ts[last.get(train.users[k]) as number]) last.set(train.users[k], k);
    expect(llo.valid.users.length).toBeGreaterThan(100);
    for (let k = 0; k < llo.valid.users.length; k++) expect(train.items[last.get(llo.valid.users[k]) as number]).toBe(llo.valid.items[k]);
    expect(llo.inner.users.length + llo.valid.users.length).toBe(train.users.length);
    const tmp = validationSplit('stream', train, 1);
    const cut = Math.max(...(tmp.inner.timestamps as Float64Array));
    expect(Math.min(...(tmp.valid.timestamps as Float64Array))).toBeGreaterThanOrEqual(cut);
    const strat = validationSplit('stratified', train, 1);
    expect(strat.valid.users.length / train.users.length).toBeGreaterThan(0.05);
    expect(strat.valid.users.length / train.users.length).toBeLessThan(0.15);
  });

  it('stops when the validation metric stops improving and keeps the best epoch', async () => {
    const cfg = resolveConfig({ models: 'bprmf', earlyStopping: 'ndcg@10:2', set: ['bprmf.solver=sgd', 'bprmf.epochs=60', 'bprmf.learningRate=0.1', 'bprmf.dim=16'] });
    expect(cfg.earlyStopping).toEqual({ metric: 'ndcg@10', patience: 2 });
    const out = await trainModel(createModel('bprmf', cfg), 'leave-last-out', train, cfg, 1, 'es', createProgress({ quiet: true }));
    const curve = out.curve as { epoch: number; valid: number }[];
    const best = out.bestEpoch as number;
    expect(curve.length).toBeLessThan(60); // a learning rate this high overfits early: it stopped
    expect(curve.length).toBe(best + 1 + 2); // stopped exactly `patience` epochs after the best
    expect(curve[best].valid).toBe(Math.max(...curve.map((c) => c.valid)));
    // the kept model is the best epoch's: re-scoring it on validation gives the recorded value
    const split = validationSplit('leave-last-out', train, 1);
    const again = await evaluateFull(out.model, split.valid, { seen: UserItemSet.fromInteractions(split.inner), k: [10] });
    expect(again.metrics['ndcg@10']).toBeCloseTo(curve[best].valid, 10); // static BPR-MF: observing does not move its weights
    // it has since observed the validation events: they are in its history (never recommended back)
    expect(out.model.seenItems(split.valid.users[0])).toContain(split.valid.items[0]);
    const full = await evaluateFull(out.model, test, { seen: UserItemSet.fromInteractions(train), k: [10] });
    expect(full.metrics['ndcg@10']).toBeGreaterThan(0);
    out.model.dispose();
  });

  it('rejects a malformed --early-stopping', () => {
    expect(() => resolveConfig({ earlyStopping: 'ndcg' })).toThrow('memrec-bench: --early-stopping must be METRIC[:patience]');
    expect(() => resolveConfig({ earlyStopping: 'hr@10:0' })).toThrow('memrec-bench: --early-stopping must be METRIC[:patience]');
    expect(resolveConfig({ earlyStopping: 'mrr' }).earlyStopping).toEqual({ metric: 'mrr', patience: 3 });
  });
});

describe('training progress', () => {
  it("follows the model's own total: NMRN's GAN variant runs an extra generator pass, and the bar never passes 100 %", async () => {
    const small = leaveLastOut(syntheticStream({ seed: 7, numUsers: 20, numItems: 30, numEvents: 400 })).train;
    const cfg = resolveConfig({ models: 'nmrn', nmrnSampler: 'gan', set: ['nmrn-gan.dim=4', 'nmrn-gan.slots=4', 'nmrn-gan.candidates=8', 'nmrn-gan.epochs=2', 'nmrn-gan.pretrainEpochs=1'] });
    const seen: { done: number; total: number }[] = [];
    let started = 0;
    const progress = {
      start: (_label: string, total: number) => {
        started = total;
      },
      update: (done: number, _status?: string, total?: number) => {
        seen.push({ done, total: total ?? started });
      },
      stop: () => {},
      info: () => {},
    };
    const out = await trainModel(createModel('nmrn-gan', cfg), 'leave-last-out', small, cfg, 1, 'gan', progress);
    out.model.dispose();
    expect(seen.length).toBeGreaterThan(2);
    const last = seen[seen.length - 1];
    // three passes (D pre-training, G pre-training, adversarial) where the epochs say two
    expect(last.total).toBe(3 * small.users.length);
    expect(started).toBe(2 * small.users.length);
    expect(last.done).toBe(last.total);
    for (const s of seen) expect(s.done).toBeLessThanOrEqual(s.total);
  });

  it('plain progress lines use a total replaced by update', () => {
    const lines: string[] = [];
    const p = createProgress({ quiet: false, tty: false, write: (l) => lines.push(l), intervalMs: 0 });
    p.start('m: train', 100);
    p.update(150, 'adversarial', 300);
    expect(lines[lines.length - 1]).toMatch(/^m: train: 50% \(150\/300\)/);
  });
});
