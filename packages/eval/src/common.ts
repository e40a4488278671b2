import type { Interactions } from '@memrec/core';
import type { PerUnitValues } from './accumulator';

/** The tie-break rule of every evaluator, as written in reports. */
export const TIE_BREAK = 'equal scores rank the lower item id first';

/** What an evaluator did, for the protocol card. */
export interface EvaluationSetup {
  /** `'full'`, `'sampled-N'` or `'stream'` (with its inner mode). */
  protocol: string;
  k: number[];
  /** Which items each unit is ranked against. */
  candidates: string;
  /** Which items are removed before ranking. */
  seenFiltering: string;
  tieBreak: string;
  /** Which units were scored, when not all (stream: events marked evaluable). */
  scored?: string;
  /** Extra parameters (n, seed, chunk size, window ...). */
  params: Record<string, string | number | boolean>;
}

/** Counts every evaluator reports: what was evaluated and what was skipped, and why. */
export interface EvaluationCounts {
  /** Units evaluated (users for full ranking, test cases for sampled-N, events for streams). */
  units: number;
  /** Distinct users evaluated. */
  users: number;
  /** Users with test interactions whose test items were all training items (skipped). */
  skippedUsers: number;
  /** Test interactions dropped because the item was also a training item of the user. */
  droppedRelevant: number;
  /** Stream events not scored (their user or item was new to the block) but used to update the model. */
  skippedEvents?: number;
}


/** The result of an evaluator. */
export interface EvaluationResult {
  /** Mean of each metric over the units (`hr@10`, `ndcg@10`, `mrr`, `auc`, `coverage@10`, ...). */
  metrics: Record<string, number>;
  /** Per-unit values (for paired tests over users). */
  perUnit: PerUnitValues;
  counts: EvaluationCounts;
  setup: EvaluationSetup;
}

/** Validates columnar interactions at an evaluator's entry point. */
export function checkInteractions(fn: string, arg: string, data: Interactions, numItems: number, allowEmpty = false): void {
  if (data == null || !(data.users instanceof Int32Array) || !(data.items instanceof Int32Array)) {
    throw new Error(`${fn}: ${arg} must be Interactions with Int32Array users and items, got ${data == null ? String(data) : typeof data}`);
  }
  if (data.users.length !== data.items.length) {
    throw new Error(`${fn}: ${arg}.users and ${arg}.items must have equal length, got ${data.users.length} and ${data.items.length}`);
  }
  if (!allowEmpty && data.users.length === 0) throw new Error(`${fn}: ${arg} must hold at least one interaction, got an empty set`);
  for (let r = 0; r < data.users.length; r++) {
    const u = data.users[r];
    const i = data.items[r];
    if (!(u >= 0)) throw new Error(`${fn}: ${arg}.users[${r}] must be a user id >= 0, got ${u}`);
    if (!(i >= 0 && i < numItems)) throw new Error(`${fn}: ${arg}.items[${r}] must be an item id in [0, ${numItems}) (the scorer's catalogue), got ${i}`);
  }
}

/** Validates the cut-offs against the catalogue size; returns them sorted and unique. */
export function checkK(fn: string, k: unknown, numItems: number): number[] {
  if (!Array.isArray(k) || k.length === 0) throw new Error(`${fn}: k must be a non-empty array of integers, got ${JSON.stringify(k)}`);
  for (const v of k) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${fn}: k must hold integers >= 1, got ${v}`);
    if (v > numItems) throw new Error(`${fn}: k must be <= the number of items (${numItems}), got ${v}`);
  }
  return [...new Set(k as number[])].sort((a, b) => a - b);
}

/** Throws the NaN error naming model and user. */
export function nanError(fn: string, model: string, user: number, item: number): Error {
  return new Error(`${fn}: scores of model ${JSON.stringify(model)} for user ${user} must not be NaN, got NaN at item ${item}`);
}

/** Items of `a` (sorted) that are not in `b` (sorted). */
export function sortedDifference(a: Int32Array, b: Int32Array): Int32Array {
  if (b.length === 0) return a;
  const out = new Int32Array(a.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    while (j < b.length && b[j] < a[i]) j++;
    if (j < b.length && b[j] === a[i]) continue;
    out[n++] = a[i];
  }
  return n === a.length ? a : out.subarray(0, n);
}
