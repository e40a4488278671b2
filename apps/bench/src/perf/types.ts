import type { BackendName } from '@memrec/core';

/** What a performance script receives. */
export interface PerfContext {
  backend: BackendName;
  /** Smaller sizes (smoke tests); the figures are still real measurements. */
  quick: boolean;
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
