import type { BackendName } from '@memrec/core';

/** What a performance script receives. */
export interface PerfContext {
  backend: BackendName;
  /** Smaller sizes (smoke tests); the figures are still real measurements. */
  quick: boolean;
  /** `--only`: the parts of the script to run, by the names it documents (all when absent). */
  only?: string[];
  log: (line: string) => void;
}

/** What a performance script returns: table rows to print and the named figures. */
export interface PerfResult {
  rows: Record<string, string | number>[];
  figures: Record<string, number>;
}

/** A performance script module. */
export interface PerfScript {
  run(ctx: PerfContext): Promise<PerfResult>;
}

/** Runs `step` repeatedly for at least `minSeconds` (after `warmup` calls); returns calls/s. */
export async function timeIt(step: () => unknown, minSeconds: number, warmup = 2, maxCalls = Infinity): Promise<{ calls: number; seconds: number; perSecond: number }> {
  for (let i = 0; i < warmup; i++) await step();
  const t0 = performance.now();
  let calls = 0;
  let seconds = 0;
  do {
    await step();
    calls++;
    seconds = (performance.now() - t0) / 1000;
  } while (seconds < minSeconds && calls < maxCalls);
  return { calls, seconds, perSecond: calls / seconds };
}

/**
 * Rates (calls/s) of `step` over `windows` back-to-back windows of `minSeconds / windows` each
 * (after `warmup` calls): the median, and the slowest and fastest window. On a machine shared
 * with other work a single window can be off by 2x either way; the median of several is the
 * figure to report, and min/max show the spread.
 *
 * @example
 * ```ts
 * const r = await timeWindows(() => sampler.sample(u, i, 1, out), 2, 8); // r.median calls/s
 * ```
 */
export async function timeWindows(step: () => unknown, minSeconds: number, windows = 8, warmup = 2): Promise<{ median: number; min: number; max: number }> {
  for (let i = 0; i < warmup; i++) await step();
  const rates: number[] = [];
  for (let w = 0; w < windows; w++) rates.push((await timeIt(step, minSeconds / windows, 0)).perSecond);
  rates.sort((a, b) => a - b);
  const mid = rates.length >> 1;
  const median = rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
  return { median, min: rates[0], max: rates[rates.length - 1] };
}
