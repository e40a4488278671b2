import './test-plot-env';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHARTS, learningCurvesChart, lossChart, streamChart, summaryChart } from './charts';
import { makeResults, withCurves } from './test-fixture';
import { xmlProblems } from './test-xml';

// Golden SVGs: the charts of `withCurves(makeResults())`, committed in ./golden. After a change
// that is meant to alter the drawing, look at the new files in a browser and rewrite them with
// MEMREC_UPDATE_GOLDEN=1 pnpm exec jest apps/bench/src/report/charts
const GOLDEN = path.join(__dirname, 'golden');

/** The paths of the line marks (`<g class="series">`), i.e. the curves drawn. */
const lines = (svg: string) => Array.from(svg.matchAll(/<g [^>]*class="series"[^>]*>([\s\S]*?)<\/g>/g)).flatMap((g) => g[1].match(/<path [^>]*>/g) ?? []);

describe('charts', () => {
  const results = withCurves(makeResults());

  it.each(Object.keys(CHARTS))('%s matches its committed golden file byte for byte', (file) => {
    const svg = CHARTS[file as keyof typeof CHARTS](withCurves(makeResults()));
    expect(CHARTS[file as keyof typeof CHARTS](withCurves(makeResults()))).toBe(svg);
    const golden = path.join(GOLDEN, path.basename(file));
    if (process.env.MEMREC_UPDATE_GOLDEN === '1') fs.writeFileSync(golden, svg);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toBe(fs.readFileSync(golden, 'utf8'));
  });

  it('stream: a line per model and metric, in the model colours, labelled', () => {
    const svg = streamChart(results);
    const drawn = lines(svg);
    expect(drawn).toHaveLength(4); // (nmrn, bprmf) × (hr@10, ndcg@10)
    expect(drawn.filter((p) => p.includes('stroke="#0072B2"'))).toHaveLength(2);
    expect(drawn.filter((p) => p.includes('stroke="#D55E00"'))).toHaveLength(2);
    expect(svg.match(/<g [^>]*class="band"/g)).toHaveLength(2); // one band mark per facet
    for (const text of ['>hr@10</text>', '>ndcg@10</text>', '>block</text>', '>nmrn</text>', '>bprmf</text>']) expect(svg).toContain(text);
    expect(svg).toContain('<title id="chart-stream-title">Stream metrics per block (mean ± std over seeds)</title>');
  });

  it('learning curves: a loss panel (two protocols) and a validation panel with the kept epochs', () => {
    const svg = learningCurvesChart(results);
    expect(svg.match(/<g class="panel"/g)).toHaveLength(2);
    expect(lines(svg)).toHaveLength(2 * 2 + 2); // loss: models × protocols; validation: models × leave-last-out
    expect(svg.match(/<g [^>]*class="best"[^>]*>([\s\S]*?)<\/g>/)?.[1].match(/<circle /g)).toHaveLength(4); // one ring per early-stopped run
    for (const text of ['>training loss</text>', '>validation metric</text>', '>epoch</text>', '>leave-last-out</text>', '>stream</text>']) expect(svg).toContain(text);
  });

  it('summary: a dot and a ± std bar per model, evaluation and metric, the mean written beside', () => {
    const svg = summaryChart(results);
    expect(svg.match(/<g [^>]*class="mean"[^>]*>([\s\S]*?)<\/g>/g)?.join('').match(/<circle /g)).toHaveLength(12);
    expect(svg).toContain('>0.3500</text>'); // nmrn, full, hr@10: (0.30 + 0.40) / 2
    expect(svg).toContain('<title>nmrn, full, hr@10: 0.3500 ± 0.0707 (2 seeds)</title>');
    for (const text of ['>full</text>', '>sampled-100</text>', '>stream</text>']) expect(svg).toContain(text);
  });

  it('loss: a line per model and protocol against events seen', () => {
    const svg = lossChart(results);
    expect(lines(svg)).toHaveLength(4);
    expect(svg).toContain('>events seen</text>');
  });

  it('draws an empty chart with a message when there is nothing to show', () => {
    const r = makeResults();
    r.runs.forEach((x) => (x.streamBlocks = undefined));
    expect(lines(streamChart(r))).toHaveLength(0);
    expect(streamChart(r)).toContain('>no stream-protocol runs</text>');
    expect(learningCurvesChart(makeResults())).toContain('>no learning curves recorded</text>');
  });

  it('escapes model names and stays well-formed', () => {
    const r = makeResults();
    r.runs.forEach((x) => (x.model = x.model === 'nmrn' ? '<a&b>' : x.model));
    r.summary['<a&b>'] = r.summary.nmrn;
    delete r.summary.nmrn;
    for (const chart of Object.values(CHARTS)) {
      const svg = chart(r);
      expect(xmlProblems(svg)).toEqual([]);
      expect(svg).not.toContain('<a&b>');
    }
    expect(streamChart(r)).toContain('>&lt;a&amp;b&gt;</text>');
  });
});
