import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#d1495b', '#00798c', '#edae49'];

/**
 * A live line chart of one metric per model against events played (uPlot), appended to as
 * the stream plays.
 *
 * @example
 * ```ts
 * const c = new MetricChart(el, 'HR@10', ['NMRN', 'ItemPop']);
 * c.push(100, [0.31, 0.2]);
 * ```
 */
export class MetricChart {
  private readonly plot: uPlot;
  private readonly data: number[][];

  constructor(el: HTMLElement, title: string, names: readonly string[]) {
    this.data = [[], ...names.map(() => [])];
    this.plot = new uPlot(
      {
        title,
        width: Math.max(320, Math.min(560, el.clientWidth || 560)),
        height: 220,
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [{ label: 'events played' }, {}],
        series: [{ label: 'events' }, ...names.map((n, k) => ({ label: n, stroke: COLORS[k % COLORS.length], width: 2 }))],
      },
      this.data as uPlot.AlignedData,
      el,
    );
  }

  /** Adds the values at `x` (events played); a smaller `x` than the last one starts over. */
  push(x: number, values: number[]): void {
    const xs = this.data[0];
    if (xs.length > 0 && x < xs[xs.length - 1]) for (const col of this.data) col.length = 0;
    if (xs.length > 0 && x === xs[xs.length - 1]) return;
    xs.push(x);
    values.forEach((v, k) => this.data[k + 1].push(v));
    this.plot.setData(this.data as uPlot.AlignedData);
  }

  /** Empties the chart. */
  clear(): void {
    for (const col of this.data) col.length = 0;
    this.plot.setData(this.data as uPlot.AlignedData);
  }
}
