import type { Scorer } from '@memrec/core';
import { recommend } from '../models/recommend';

/**
 * Median and 99th-percentile latency (ms) of `recommend(user, 10)` over the whole catalogue,
 * over `reps` users spread across the id range.
 *
 * @example
 * ```ts
 * const { median, p99 } = await recommendLatency(model, 100, 2000);
 * ```
 */
export async function recommendLatency(scorer: Scorer, reps: number, numUsers: number): Promise<{ median: number; p99: number }> {
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await recommend(scorer, (r * 7919) % numUsers, 10);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { median: q(0.5), p99: q(0.99) };
}
