import { lossChart, lossSeries, streamHrChart, streamSeries } from './charts';
import { formatTick, lineChartSvg, niceTicks } from './svg';
import { makeResults } from './test-fixture';

const seriesPaths = (svg: string) => Array.from(svg.matchAll(/<path class="series" data-series="([^"]*)"[^>]* d="([^"]*)"/g), (m) => ({ name: m[1], d: m[2] }));

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 × 10^k and encloses the data', () => {
    expect(niceTicks(0.03, 0.47, 5)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(niceTicks(0, 12000, 4)).toEqual([0, 5000, 10000, 15000]);
    expect(niceTicks(256, 2048, 6)).toEqual([0, 500, 1000, 1500, 2000, 2500]);
    expect(niceTicks(0, 4, 8)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
  });

  it('widens an empty range and rejects bad input', () => {
    expect(niceTicks(0, 0, 2)).toEqual([-1, 0, 1]);
    expect(() => niceTicks(1, 0)).toThrow('niceTicks: min and max must be finite with min <= max, got min = 1, max = 0');
    expect(() => niceTicks(0, 1, 0)).toThrow('niceTicks: count must be a positive integer, got 0');
  });

  it('formats ticks compactly', () => {
    expect(formatTick(25000, 5000)).toBe('25k');
    expect(formatTick(1500000, 500000)).toBe('1.5M');
    expect(formatTick(0.25, 0.05)).toBe('0.25');
    expect(formatTick(2000, 500)).toBe('2000');
  });
});

describe('charts', () => {
  const results = makeResults();

  it('stream chart: one line per model, mean over seeds per block, labels and legend', () => {
    const svg = streamHrChart(results);
    const paths = seriesPaths(svg);
    expect(paths.map((p) => p.name)).toEqual(['nmrn', 'bprmf']);
    for (const p of paths) expect(p.d.match(/[ML]/g)).toHaveLength(5);
    expect(svg).toContain('<text class="legend-label" x="28" y="4" fill="#222">nmrn</text>');
    expect(svg).toContain('>bprmf</text>');
    expect(svg).toContain('>block</text>');
    expect(svg).toContain('>HR@10</text>');
    expect(svg).toContain('Stream HR@10 per block');
    // nmrn block b: mean over seeds of 0.1 + 0.03 b + 0.01 seed = 0.115 + 0.03 b.
    const nmrn = streamSeries(results).find((s) => s.name === 'nmrn');
    expect(nmrn?.points.map((p) => p.x)).toEqual([0, 1, 2, 3, 4]);
    nmrn?.points.forEach((p, b) => expect(p.y).toBeCloseTo(0.115 + 0.03 * b, 12));
  });

  it('loss chart: one line per model, mean over seeds when they logged at the same events', () => {
    const svg = lossChart(results);
    expect(seriesPaths(svg).map((p) => p.name)).toEqual(['nmrn (mean of 2 seeds)', 'bprmf (mean of 2 seeds)']);
    expect(svg).toContain('>events seen</text>');
    expect(svg).toContain('>loss</text>');
    const [nmrn] = lossSeries(results);
    // leave-last-out runs of seeds 1 and 2: 0.5 e^(-i/4) + 0.2 + 0.01 seed, mean = 0.5 e^(-i/4) + 0.215.
    nmrn.points.forEach((p, i) => {
      expect(p.x).toBe(256 * (i + 1));
      expect(p.y).toBeCloseTo(0.5 * Math.exp(-i / 4) + 0.215, 12);
    });
  });

  it('falls back to the lowest seed when seeds logged at different events', () => {
    const r = makeResults();
    r.runs.filter((x) => x.seed === 2).forEach((x) => (x.loss = x.loss.slice(0, 3)));
    expect(lossSeries(r).map((s) => s.name)).toEqual(['nmrn (seed 1)', 'bprmf (seed 1)']);
    expect(lossSeries(r)[0].points).toHaveLength(8);
  });

  it('draws an empty chart with a message when there is no stream run', () => {
    const r = makeResults();
    r.runs.forEach((x) => (x.streamBlocks = undefined));
    const svg = streamHrChart(r);
    expect(seriesPaths(svg)).toHaveLength(0);
    expect(svg).toContain('no stream-protocol runs');
  });

  it('is deterministic and escapes names', () => {
    const spec = { title: 'a < b', xLabel: 'x', yLabel: 'y', series: [{ name: '<m&n>', points: [{ x: 0, y: 1 }, { x: Number.NaN, y: 2 }, { x: 2, y: 3 }] }] };
    const svg = lineChartSvg(spec);
    expect(lineChartSvg(spec)).toBe(svg);
    expect(svg).toContain('data-series="&lt;m&amp;n&gt;"');
    expect(svg).not.toContain('<m&n>');
    // the NaN point breaks the line into two segments
    expect(seriesPaths(svg)[0].d.match(/M/g)).toHaveLength(2);
  });
});
