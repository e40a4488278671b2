import cliProgress from 'cli-progress';

/** How a long run reports progress. */
export interface Progress {
  /** Starts a phase of `total` units (replaces the previous one). */
  start(label: string, total: number): void;
  /**
   * Sets the units done in the current phase (and an optional short status); `total`, when
   * given, replaces the phase's total (a model that learned its amount of work only once started,
   * such as NMRN's extra generator pass).
   */
  update(done: number, status?: string, total?: number): void;
  /** Ends the current phase. */
  stop(): void;
  /** A line of information (suppressed by --quiet). */
  info(line: string): void;
}

/**
 * Progress for the CLI: a bar with ETA per model and phase on a terminal, plain log lines
 * every few seconds otherwise, nothing with `quiet`.
 *
 * @example
 * ```ts
 * const p = createProgress({ quiet: false });
 * p.start('bprmf seed 1: train', 1000); p.update(500); p.stop();
 * ```
 */
export function createProgress(options: { quiet: boolean; tty?: boolean; write?: (line: string) => void; intervalMs?: number }): Progress {
  const write = options.write ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (options.quiet) return { start() {}, update() {}, stop() {}, info() {} };
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  if (tty) {
    const bar = new cliProgress.SingleBar(
      { format: '{label} [{bar}] {percentage}% | ETA {eta_formatted} | {status}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    let active = false;
    return {
      start(label, total) {
        if (active) bar.stop();
        bar.start(Math.max(1, total), 0, { label, status: '' });
        active = true;
      },
      update(done, status, total) {
        if (!active) return;
        if (total !== undefined && total >= 1 && total !== bar.getTotal()) bar.setTotal(total);
        bar.update(done, { status: status ?? '' });
      },
      stop() {
        if (active) bar.stop();
        active = false;
      },
      info(line) {
        if (active) bar.stop();
        active = false;
        write(line);
      },
    };
  }
  const every = options.intervalMs ?? 5000;
  let label = '';
  let total = 1;
  let t0 = 0;
  let last = 0;
  return {
    start(l, t) {
      label = l;
      total = Math.max(1, t);
      t0 = Date.now();
      last = t0;
      write(`${label}: started (${t} units)`);
    },
    update(done, status, t) {
      if (t !== undefined && t >= 1) total = t;
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      const frac = done / total;
      const eta = frac > 0 ? ((now - t0) / frac - (now - t0)) / 1000 : NaN;
      write(`${label}: ${(100 * frac).toFixed(0)}% (${done}/${total})${Number.isFinite(eta) ? `, ETA ${eta.toFixed(0)} s` : ''}${status ? `, ${status}` : ''}`);
    },
    stop() {
      if (label) write(`${label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      label = '';
    },
    info: write,
  };
}

/**
 * One progress lane per parallel worker: a multi-bar with ETA per lane on a terminal, prefixed
 * plain lines otherwise, nothing with `quiet`. `lanes[0]` also carries general `info` lines.
 *
 * @example
 * ```ts
 * const [a, b] = createLanes({ quiet: false }, 2);
 * a.start('nmrn seed 1: train', 1000); b.start('cmn seed 1: train', 500);
 * ```
 */
export function createLanes(options: { quiet: boolean; tty?: boolean; write?: (line: string) => void }, n: number): { lanes: Progress[]; close(): void } {
  const none = { close() {} };
  if (n <= 1) return { lanes: [createProgress(options)], ...none };
  if (options.quiet) return { lanes: Array.from({ length: n }, () => createProgress(options)), ...none };
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  if (!tty) {
    const write = options.write ?? ((l: string) => process.stderr.write(`${l}\n`));
    return { lanes: Array.from({ length: n }, (_, i) => createProgress({ ...options, tty: false, write: (l) => write(`[worker ${i + 1}] ${l}`) })), ...none };
  }
  const multi = new cliProgress.MultiBar(
    { format: '{label} [{bar}] {percentage}% | ETA {eta_formatted} | {status}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const lanes = Array.from({ length: n }, () => {
    const bar = multi.create(1, 0, { label: 'waiting', status: '' });
    return {
      start(label: string, total: number) {
        bar.start(Math.max(1, total), 0, { label, status: '' });
      },
      update(done: number, status?: string, total?: number) {
        if (total !== undefined && total >= 1 && total !== bar.getTotal()) bar.setTotal(total);
        bar.update(done, { status: status ?? '' });
      },
      stop() {
        bar.update(bar.getTotal(), { status: 'done' });
      },
      info(line: string) {
        multi.log(`${line}\n`);
      },
    };
  });
  return { lanes, close: () => multi.stop() };
}
