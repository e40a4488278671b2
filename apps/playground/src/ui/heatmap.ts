/**
 * A small heat map on a canvas: one column per snapshot (newest right), one row per memory
 * slot, darker for more attention. Keeps the last `columns` snapshots.
 *
 * @example
 * ```ts
 * const h = new HeatMap(canvas, 40);
 * h.push(Float32Array.of(0.1, 0.7, 0.2));
 * ```
 */
export class HeatMap {
  private readonly cols: number[][] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly columns = 40,
  ) {}

  /** Adds a snapshot unless it equals the last one (the address moves only with the user's events). */
  push(weights: ArrayLike<number>): void {
    const last = this.cols[this.cols.length - 1];
    if (last && last.length === weights.length && last.every((v, k) => Math.abs(v - weights[k]) < 1e-7)) return;
    this.cols.push(Array.from(weights));
    if (this.cols.length > this.columns) this.cols.shift();
    this.draw();
  }

  /** Forgets every snapshot (another user). */
  clear(): void {
    this.cols.length = 0;
    this.draw();
  }

  /** Snapshots held. */
  get size(): number {
    return this.cols.length;
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { width, height } = this.canvas;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    const rows = this.cols[0]?.length ?? 0;
    if (rows === 0) return;
    const cw = width / this.columns;
    const rh = height / rows;
    const x0 = width - this.cols.length * cw;
    this.cols.forEach((col, c) => {
      const max = Math.max(...col, 1e-9);
      col.forEach((v, r) => {
        const t = v / max;
        ctx.fillStyle = `rgb(${Math.round(255 - 200 * t)}, ${Math.round(255 - 170 * t)}, ${Math.round(255 - 90 * t)})`;
        ctx.fillRect(x0 + c * cw, r * rh, Math.ceil(cw), Math.ceil(rh));
      });
    });
  }
}
