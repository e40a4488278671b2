import { checkOptionKeys } from '@memrec/core/internal';
import { groupByUser } from '../clean/columns';
import { interactionsOf, type DataLike } from '../types';
import { finishSplit, type SplitResult } from './report';

/** Options of {@link leaveLastOut}. */
export interface LeaveLastOutOptions {
  /** Also hold out each user's second-latest interaction as validation (default false). */
  validation?: boolean;
  /** Keep held-out interactions whose item never occurs in train (default false: dropped, reported). */
  allowColdStart?: boolean;
}

/**
 * Leave-last-out (protocol `leave-last-out`): per user, the latest interaction (time, then row
 * order) is test and, with `validation`, the one before it is validation; the rest is train.
 * Users with too few interactions (< 2, or < 3 with validation) stay entirely in train.
 * Deterministic: no seed. Used by NCF (He et al., WWW 2017) and CMN (Ebesu et al., SIGIR 2018).
 *
 * @example
 * ```ts
 * const { train, test, validation, report } = leaveLastOut(data, { validation: true });
 * ```
 */
export function leaveLastOut(data: DataLike, options: LeaveLastOutOptions = {}): SplitResult {
  checkOptionKeys('leaveLastOut', options, ['validation', 'allowColdStart']);
  const x = interactionsOf(data);
  const withVal = !!options.validation;
  const need = withVal ? 3 : 2;
  const { start, order } = groupByUser(x, true);
  const train: number[] = [];
  const test: number[] = [];
  const val: number[] = [];
  let short = 0;
  for (let u = 0; u < x.numUsers; u++) {
    const a = start[u];
    const b = start[u + 1];
    if (b === a) continue;
    if (b - a < need) {
      short++;
      for (let q = a; q < b; q++) train.push(order[q]);
      continue;
    }
    test.push(order[b - 1]);
    if (withVal) val.push(order[b - 2]);
    for (let q = a; q < b - (withVal ? 2 : 1); q++) train.push(order[q]);
  }
  const asc = (v: number[]) => Int32Array.from(v).sort();
  return finishSplit(x, asc(train), asc(test), withVal ? asc(val) : null, {
    protocol: 'leave-last-out',
    params: { validation: withVal, allowColdStart: !!options.allowColdStart },
    timeCheck: 'per-user',
    allowColdStart: !!options.allowColdStart,
    findings: short ? [`${short} users with fewer than ${need} interactions kept entirely in train`] : [],
  });
}
