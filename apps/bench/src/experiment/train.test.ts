import { UserItemSet } from '@memrec/core';
import { leaveLastOut, syntheticStream } from '@memrec/data';
import { evaluateFull } from '@memrec/eval';
import { resolveConfig } from '../cli/options';
import { createProgress } from '../cli/progress';
import { useCpuBackend } from '@memrec/test-helpers';
import { trainModel, validationSplit } from './train';
import { createModel, EARLY_STOPPING_DEFAULTS, earlyStoppingFor, formatEarlyStopping } from './variants';
import { MODELS, parseEarlyStopping, type EarlyStopping } from '../cli/options';

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

describe('per-model early stopping', () => {
  const table: Record<string, EarlyStopping> = { bprmf: { metric: 'ndcg@10', patience: 3 }, nmrn: { metric: 'hr@10', patience: 2 }, 'nmrn-shared': { metric: 'mrr', patience: 4 } };

  it('parses none, off and a config file false as off for every model; unset stays unset', () => {
    expect(parseEarlyStopping('none')).toBe('none');
    expect(parseEarlyStopping('off')).toBe('none');
    expect(resolveConfig({ earlyStopping: 'none' }).earlyStopping).toBe('none');
    expect(resolveConfig({ earlyStopping: false }).earlyStopping).toBe('none');
    expect(resolveConfig({}).earlyStopping).toBeUndefined();
    expect(parseEarlyStopping('ndcg@5:7')).toEqual({ metric: 'ndcg@5', patience: 7 });
    expect(() => parseEarlyStopping('nothing')).toThrow('memrec-bench: --early-stopping must be METRIC[:patience] with METRIC one of hr@K, ndcg@K, precision@K, recall@K, map@K, mrr, auc (e.g. ndcg@10:3), or none, got "nothing"');
  });

  it("unset: each variant gets its model's default (a variant's own entry first), others none", () => {
    const cfg = resolveConfig({});
    expect(earlyStoppingFor('bprmf', cfg, table)).toEqual({ metric: 'ndcg@10', patience: 3 });
    expect(earlyStoppingFor('bprmf-dns', cfg, table)).toEqual({ metric: 'ndcg@10', patience: 3 });
    expect(earlyStoppingFor('nmrn-gan', cfg, table)).toEqual({ metric: 'hr@10', patience: 2 });
    expect(earlyStoppingFor('nmrn-shared', cfg, table)).toEqual({ metric: 'mrr', patience: 4 });
    expect(earlyStoppingFor('cmn', cfg, table)).toBeUndefined();
  });

  it('--early-stopping none turns it off for every model; METRIC[:p] sets it for every model', () => {
    const off = resolveConfig({ earlyStopping: 'none' });
    const all = resolveConfig({ earlyStopping: 'auc:5' });
    for (const v of ['bprmf', 'bprmf-dns', 'nmrn', 'nmrn-shared', 'cmn', 'pop']) {
      expect(earlyStoppingFor(v, off, table)).toBeUndefined();
      expect(earlyStoppingFor(v, all, table)).toEqual({ metric: 'auc', patience: 5 });
    }
    expect(formatEarlyStopping(earlyStoppingFor('nmrn', resolveConfig({}), table))).toBe('hr@10:2');
    expect(formatEarlyStopping(earlyStoppingFor('nmrn', off, table))).toBe('none');
  });

  it("the built-in defaults: every entry names a known model and a valid setting; GRU4Rec stops early, the models it lost for do not", () => {
    for (const [model, es] of Object.entries(EARLY_STOPPING_DEFAULTS)) {
      expect(MODELS).toContain(model.startsWith('nmrn') ? 'nmrn' : model.replace(/-dns$/, ''));
      expect(parseEarlyStopping(`${es.metric}:${es.patience}`)).toEqual(es);
    }
    for (const m of MODELS) expect(earlyStoppingFor(m, resolveConfig({}))).toBe(EARLY_STOPPING_DEFAULTS[m]);
    // the measured choice: on for GRU4Rec, off for the models it lost for
    expect(earlyStoppingFor('gru4rec', resolveConfig({}))).toEqual({ metric: 'ndcg@10', patience: 3 });
    for (const m of ['bprmf', 'bprmf-dns', 'neumf', 'cmn', 'nmrn']) expect(earlyStoppingFor(m, resolveConfig({}))).toBeUndefined();
    expect(earlyStoppingFor('gru4rec', resolveConfig({ earlyStopping: 'none' }))).toBeUndefined();
  });

  it("trainModel follows the variant's default when the run sets none, and --early-stopping none over it", async () => {
    const set = ['bprmf.solver=sgd', 'bprmf.epochs=6', 'bprmf.learningRate=0.1', 'bprmf.dim=8'];
    const defaults = EARLY_STOPPING_DEFAULTS as Record<string, EarlyStopping>;
    defaults.bprmf = { metric: 'ndcg@10', patience: 2 };
    try {
      const cfg = resolveConfig({ models: 'bprmf', set });
      const on = await trainModel(createModel('bprmf', cfg), 'leave-last-out', train, cfg, 1, 'default', createProgress({ quiet: true }), 'bprmf');
      expect(on.bestEpoch).toBeGreaterThanOrEqual(0);
      expect(on.curve?.every((c) => typeof c.valid === 'number')).toBe(true);
      on.model.dispose();
      const offCfg = resolveConfig({ models: 'bprmf', set, earlyStopping: 'none' });
      const off = await trainModel(createModel('bprmf', offCfg), 'leave-last-out', train, offCfg, 1, 'none', createProgress({ quiet: true }), 'bprmf');
      expect(off.bestEpoch).toBeUndefined();
      expect(off.curve?.length).toBe(6);
      expect(off.curve?.some((c) => c.valid !== undefined)).toBe(false);
      off.model.dispose();
    } finally {
      delete defaults.bprmf;
    }
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
