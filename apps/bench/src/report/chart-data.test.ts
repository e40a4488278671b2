import { bestEpochs, chartMetrics, epochBands, meanStd, stepLossBands, streamBands, summaryPoints } from './chart-data';
import { blockHr, lossAt, makeResults, validAt, withCurves } from './test-fixture';

// Two seeds (1, 2) everywhere: mean = (a + b) / 2, std = |a − b| / √2, band = mean ∓ std.
const two = (a: number, b: number) => ({ mean: (a + b) / 2, std: Math.abs(a - b) / Math.SQRT2 });

describe('meanStd', () => {
  it('gives the mean and the sample standard deviation (n − 1), 0 for one value', () => {
    const s = meanStd([0.3, 0.4]);
    expect(s.mean).toBeCloseTo(0.35, 15);
    expect(s.std).toBeCloseTo(0.1 / Math.SQRT2, 15);
    // 1, 2, 3, 4: mean 2.5, squares 2.25 + 0.25 + 0.25 + 2.25 = 5, std = √(5 / 3)
    expect(meanStd([1, 2, 3, 4]).std).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(meanStd([7])).toEqual({ mean: 7, std: 0, n: 1 });
    expect(() => meanStd([])).toThrow('meanStd: values must hold at least one number, got 0 values');
  });
});

describe('chartMetrics', () => {
  it('keeps HR and NDCG at the headline cut-off', () => {
    expect(chartMetrics(['hr@5', 'hr@10', 'ndcg@5', 'ndcg@10', 'mrr', 'auc', 'coverage@10'])).toEqual(['hr@10', 'ndcg@10']);
    expect(chartMetrics(['hr@5', 'hr@20', 'ndcg@20'])).toEqual(['hr@20', 'ndcg@20']);
    expect(chartMetrics(['mrr', 'auc'])).toEqual(['mrr', 'auc']);
  });
});

describe('band rows', () => {
  const results = withCurves(makeResults());

  it('stream: per model, metric and block, the mean ± std over seeds', () => {
    const rows = streamBands(results);
    expect(rows).toHaveLength(2 * 2 * 5); // models × metrics × blocks
    expect(rows.slice(0, 5).map((r) => [r.model, r.facet, r.x])).toEqual([0, 1, 2, 3, 4].map((b) => ['nmrn', 'hr@10', b]));
    for (const r of rows.filter((x) => x.facet === 'hr@10')) {
      // blockHr(model, seed, b) differs by 0.01 between seeds 1 and 2
      const want = two(blockHr(r.model, 1, r.x), blockHr(r.model, 2, r.x));
      expect(r.mean).toBeCloseTo(want.mean, 12);
      expect(r.std).toBeCloseTo(want.std, 12);
      expect(r.lo).toBeCloseTo(want.mean - want.std, 12);
      expect(r.hi).toBeCloseTo(want.mean + want.std, 12);
      expect(r.n).toBe(2);
    }
  });

  it('epochs: loss and validation per model and protocol, x counted from 1', () => {
    const loss = epochBands(results, 'loss');
    // nmrn and bprmf × (leave-last-out: 4 epochs, stream: 3 epochs)
    expect(loss).toHaveLength(2 * (4 + 3));
    const l = loss.find((r) => r.model === 'bprmf' && r.facet === 'leave-last-out' && r.x === 2);
    // epoch 1 (0-based): 0.4 · 0.8 + 0.01 · seed
    expect(l?.mean).toBeCloseTo(0.32 + 0.015, 12);
    expect(l?.std).toBeCloseTo(0.01 / Math.SQRT2, 12);
    const valid = epochBands(results, 'valid');
    expect(valid.map((r) => r.facet)).toEqual(Array(8).fill('leave-last-out'));
    expect(valid.find((r) => r.model === 'nmrn' && r.x === 3)?.mean).toBeCloseTo(two(validAt('nmrn', 1, 2), validAt('nmrn', 2, 2)).mean, 12);
  });

  it('epochs: a seed that stopped early leaves the later epochs to the others', () => {
    const r = withCurves(makeResults());
    const nmrn1 = r.runs.find((x) => x.model === 'nmrn' && x.seed === 1 && x.protocol === 'leave-last-out');
    nmrn1?.curve?.splice(3);
    const last = epochBands(r, 'valid').find((x) => x.model === 'nmrn' && x.x === 4);
    expect(last).toMatchObject({ n: 1, std: 0, mean: validAt('nmrn', 2, 3) });
  });

  it('best epochs: one ring per early-stopped run at its validation value', () => {
    const best = bestEpochs(results);
    expect(best).toHaveLength(4);
    expect(best[0]).toEqual({ model: 'nmrn', facet: 'leave-last-out', seed: 1, x: 3, y: validAt('nmrn', 1, 2) });
  });

  it('loss against events seen: the i-th logged points of the seeds averaged', () => {
    const rows = stepLossBands(results);
    expect(rows).toHaveLength(2 * 2 * 8); // models × protocols × logged steps
    const p = rows.find((r) => r.model === 'nmrn' && r.facet === 'leave-last-out' && r.x === 256 * 3);
    const want = two(lossAt('nmrn', 1, 2), lossAt('nmrn', 2, 2));
    expect(p?.mean).toBeCloseTo(want.mean, 12);
    expect(p?.std).toBeCloseTo(want.std, 12);
  });

  it('summary: the headline metrics of results.summary, with mean ∓ std', () => {
    const pts = summaryPoints(results);
    expect(pts).toHaveLength(2 * 3 * 2); // models × evaluations × metrics
    const p = pts.find((x) => x.model === 'nmrn' && x.evaluation === 'full' && x.metric === 'hr@10');
    expect(p?.mean).toBeCloseTo(0.35, 12);
    expect(p?.std).toBeCloseTo(0.1 / Math.SQRT2, 12);
    expect(p?.lo).toBeCloseTo(0.35 - 0.1 / Math.SQRT2, 12);
  });
});
