import { checkOptionKeys } from '@memrec/core/internal';
import { assertFinite } from '@memrec/core';
import { timeOrder } from '../clean/sort-by-time';
import { interactionsOf, type DataLike } from '../types';
import { finishSplit, type SplitResult } from './report';

/** Options of {@link temporalSplit}. */
export interface TemporalSplitOptions {
  /** Fraction of interactions (in time order) in train, in (0, 1); default 0.8. */
  ratio?: number;
  /** Keep test interactions of users / items absent from train (default false: dropped, reported). */
  allowColdStart?: boolean;
}

/**
 * Global temporal split (protocol `temporal`): sort by time (stable), the first
 * `floor(ratio * n)` interactions are train, the rest test. Without timestamps, row order is time.
 * Parts are returned in time order.
 *
 * @example
 * ```ts
 * const { train, test, report } = temporalSplit(data, { ratio: 0.8 });
 * report.leakage.testBeforeTrainCut; // 0
 * ```
 */
export function temporalSplit(data: DataLike, options: TemporalSplitOptions = {}): SplitResult {
  checkOptionKeys('temporalSplit', options, ['ratio', 'allowColdStart']);
  const ratio = options.ratio ?? 0.8;
  assertFinite('temporalSplit', 'ratio', ratio, 0, 1);
  if (ratio <= 0 || ratio >= 1) throw new Error(`temporalSplit: ratio must be in (0, 1), got ${ratio}`);
  const x = interactionsOf(data);
  const order = timeOrder(x);
  const cut = Math.floor(ratio * order.length);
  return finishSplit(x, order.slice(0, cut), order.slice(cut), null, {
    protocol: 'temporal',
    params: { ratio, allowColdStart: !!options.allowColdStart },
    timeCheck: 'global',
    allowColdStart: !!options.allowColdStart,
  });
}
