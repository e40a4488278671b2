import { renderMarkdown } from './markdown';
import { makeResults } from './test-fixture';

// Cells are mean ± std over seeds 1 and 2: mean = (a + b) / 2, std = |a − b| / √2.
// nmrn full hr@10: (0.30, 0.40) -> 0.35 ± 0.1/√2 = 0.0707; bprmf: (0.25, 0.27) -> 0.26 ± 0.02/√2 = 0.0141.
// 95 % CI = mean ± t(0.975, 1) · std / √2 = 0.35 ± 12.7062 · 0.05 = [-0.2853, 0.9853].
describe('renderMarkdown', () => {
  const md = renderMarkdown(makeResults());

  it('puts the protocol card on top', () => {
    expect(md.startsWith('# Protocol card\n')).toBe(true);
    expect(md).toContain('| seeds | 1, 2 |');
  });

  it('writes one table per evaluation with mean ± std and the best value per column in bold', () => {
    expect(md).toContain(
      ['### full', '', '| model | hr@10 | ndcg@10 |', '| --- | ---: | ---: |', '| nmrn | **0.3500 ± 0.0707** | 0.1600 ± 0.0141 |', '| bprmf | 0.2600 ± 0.0141 | **0.1900 ± 0.0141** |'].join('\n'),
    );
    expect(md).toContain('| nmrn | **0.6200 ± 0.0283** | **0.4200 ± 0.0141** |\n| bprmf | 0.5500 ± 0.0000 | 0.3900 ± 0.0141 |');
    expect(md).toContain('### stream\n\n| model | hr@10 | ndcg@10 |\n| --- | ---: | ---: |\n| nmrn | **0.2100 ± 0.0141** | **0.1100 ± 0.0141** |\n| bprmf | 0.1200 ± 0.0283 | 0.0600 ± 0.0141 |');
    expect(md.indexOf('### full')).toBeLessThan(md.indexOf('### sampled-100'));
    expect(md.indexOf('### sampled-100')).toBeLessThan(md.indexOf('### stream'));
  });

  it('gives the 95 % interval of every cell', () => {
    expect(md).toContain('| nmrn | [-0.2853, 0.9853] | [0.0329, 0.2871] | 2 |');
  });

  it('reports throughput and latency per model and protocol', () => {
    // nmrn stream: train events/s mean(4100, 4200) = 4150, observe 2500, latency 1.2 / 3.5 ms.
    expect(md).toContain('| nmrn | stream | 2 | 13.5 | 4,150 | 2,500 | incremental | 1.2 | 3.5 |');
    expect(md).toContain('| bprmf | leave-last-out | 2 | 4.5 | 15,750 | – | – | 0.4 | 0.9 |');
  });

  it('lists the paired-test verdicts', () => {
    expect(md).toContain('| nmrn > bprmf (p = 0.0021) | nmrn vs bprmf | stream | hr@10 | wilcoxon-users | 3.1 | 0.0021 | 0.0900 |');
    expect(md).toContain('no significant difference (p = 0.37)');
  });

  it('escapes pipes in names and says when there is nothing to compare', () => {
    const r = makeResults();
    r.comparisons = [];
    r.summary = { 'a|b': r.summary.nmrn };
    r.runs = r.runs.filter((x) => x.model === 'nmrn').map((x) => ({ ...x, model: 'a|b' }));
    const out = renderMarkdown(r);
    expect(out).toContain('| a\\|b | 0.3500 ± 0.0707 |');
    expect(out).toContain('No paired comparisons in this run.');
  });

  it('lists learning curves only when runs have them, with the best epoch and its validation value', () => {
    expect(md).not.toContain('## Learning curves');
    const r = makeResults();
    r.runs[0].curve = [{ epoch: 0, loss: 0.69, valid: 0.1 }, { epoch: 1, loss: 0.5, valid: 0.25 }, { epoch: 2, loss: 0.4, valid: 0.2 }];
    r.runs[0].bestEpoch = 1;
    const withCurve = renderMarkdown(r);
    const row = `| ${r.runs[0].model} | ${r.runs[0].protocol} | ${r.runs[0].seed} | 3 | 2 | 0.2500 | 0.6900 -> 0.4000 |`;
    expect(withCurve).toContain('## Learning curves');
    expect(withCurve).toContain(row);
  });
});
