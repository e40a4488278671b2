import type { Interactions } from '@memrec/core';
import { take } from '../clean/columns';

/** The protocol names, as the evaluator and reports spell them. */
export type SplitProtocol = 'leave-last-out' | 'stratified-ratio' | 'temporal' | 'random-ratio' | 'stream';

/**
 * What a split did and what its leakage checks found.
 *
 * @example
 * ```ts
 * const { report } = temporalSplit(data, { ratio: 0.8 });
 * if (!report.ok) console.warn(report.findings.join('\n'));
 * ```
 */
export interface SplitReport {
  protocol: SplitProtocol;
  params: Record<string, number | boolean | string>;
  sizes: { train: number; test: number; validation?: number; blocks?: number[] };
  leakage: {
    /** How time was checked: against one global cut, per user, or not at all (time-free protocols). */
    timeCheck: 'global' | 'per-user' | 'none';
    /** Where "time" came from: the timestamps column, or row order when there is none. */
    timeSource: 'timestamps' | 'row order';
    /** Held-out interactions earlier than the train cut (global) or the user's latest train interaction (per-user). */
    testBeforeTrainCut: number;
    /** Held-out interactions at exactly the cut time (allowed; reported). */
    tiesAtCut: number;
    /** Distinct users / items of the held-out part absent from train, and their interactions. */
    coldUsers: number;
    coldItems: number;
    coldInteractions: number;
    /** Held-out interactions removed because they were cold and cold start was not allowed. */
    droppedColdStart: number;
    /** Distinct (user, item) pairs present in both train and held-out parts (repeat consumption). */
    overlapPairs: number;
    /** Stream only: per block, events whose user or item appeared neither in train nor in earlier blocks. */
    coldPerBlock?: number[];
  };
  /** Plain-language findings, one per line. */
  findings: string[];
  /** False when a held-out interaction precedes the train cut in a time-ordered protocol. */
  ok: boolean;
}

/** A train / test (/ validation) split with its report. Ids are the full dataset's dense ids. */
export interface SplitResult {
  train: Interactions;
  test: Interactions;
  validation?: Interactions;
  report: SplitReport;
}

export interface FinishArgs {
  protocol: SplitProtocol;
  params: Record<string, number | boolean | string>;
  timeCheck: 'global' | 'per-user' | 'none';
  allowColdStart: boolean;
  findings?: string[];
}

/** Time of row k: its timestamp, or k itself when the data has none. */
export function timeOf(x: Interactions): (k: number) => number {
  const t = x.timestamps;
  return t ? (k) => t[k] : (k) => k;
}

/**
 * Builds the parts of a split from row indices, drops cold-start held-out rows unless allowed,
 * and runs the leakage checks.
 */
export function finishSplit(x: Interactions, trainIdx: Int32Array, testIdx: Int32Array, valIdx: Int32Array | null, a: FinishArgs): SplitResult {
  const seenU = new Uint8Array(x.numUsers);
  const seenI = new Uint8Array(x.numItems);
  for (const k of trainIdx) {
    seenU[x.users[k]] = 1;
    seenI[x.items[k]] = 1;
  }
  const coldU = new Uint8Array(x.numUsers);
  const coldI = new Uint8Array(x.numItems);
  let coldInteractions = 0;
  let dropped = 0;
  const filter = (idx: Int32Array): Int32Array => {
    const out: number[] = [];
    for (const k of idx) {
      const u = x.users[k];
      const i = x.items[k];
      const cold = !seenU[u] || !seenI[i];
      if (!seenU[u]) coldU[u] = 1;
      if (!seenI[i]) coldI[i] = 1;
      if (cold) coldInteractions++;
      if (cold && !a.allowColdStart) dropped++;
      else out.push(k);
    }
    return Int32Array.from(out);
  };
  const test = filter(testIdx);
  const val = valIdx ? filter(valIdx) : null;
  const time = timeOf(x);
  // Latest train time, globally and per user.
  let cut = -Infinity;
  const userCut = new Float64Array(x.numUsers).fill(-Infinity);
  for (const k of trainIdx) {
    const t = time(k);
    if (t > cut) cut = t;
    if (t > userCut[x.users[k]]) userCut[x.users[k]] = t;
  }
  let before = 0;
  let ties = 0;
  const heldOut = val ? [test, val] : [test];
  if (a.timeCheck !== 'none') {
    for (const part of heldOut) {
      for (const k of part) {
        const c = a.timeCheck === 'global' ? cut : userCut[x.users[k]];
        const t = time(k);
        if (t < c) before++;
        else if (t === c) ties++;
      }
    }
  }
  const overlap = countOverlap(x, trainIdx, heldOut);
  const sum = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);
  const report: SplitReport = {
    protocol: a.protocol,
    params: a.params,
    sizes: { train: trainIdx.length, test: test.length, ...(val ? { validation: val.length } : {}) },
    leakage: {
      timeCheck: a.timeCheck,
      timeSource: x.timestamps ? 'timestamps' : 'row order',
      testBeforeTrainCut: before,
      tiesAtCut: ties,
      coldUsers: sum(coldU),
      coldItems: sum(coldI),
      coldInteractions,
      droppedColdStart: dropped,
      overlapPairs: overlap,
    },
    findings: [...(a.findings ?? [])],
    ok: before === 0,
  };
  describe(report, a.allowColdStart);
  const out: SplitResult = { train: take(x, trainIdx), test: take(x, test), report };
  if (val) out.validation = take(x, val);
  return out;
}

/** Appends the standard findings lines for a report's leakage numbers. */
export function describe(r: SplitReport, allowColdStart: boolean): void {
  const l = r.leakage;
  if (l.timeSource === 'row order' && l.timeCheck !== 'none') r.findings.push('no timestamps: row order is taken as time order');
  if (l.timeCheck === 'none') r.findings.push(`time not checked: ${r.protocol} ignores time by definition`);
  else if (l.testBeforeTrainCut > 0) r.findings.push(`LEAK: ${l.testBeforeTrainCut} held-out interactions precede the ${l.timeCheck === 'global' ? 'global train cut' : "user's latest train interaction"}`);
  else r.findings.push(`no held-out interaction precedes the ${l.timeCheck === 'global' ? 'train cut' : "user's latest train interaction"}${l.tiesAtCut ? ` (${l.tiesAtCut} tie at the cut time)` : ''}`);
  if (l.coldInteractions === 0) r.findings.push('every held-out user and item appears in train');
  else if (allowColdStart) r.findings.push(`cold start allowed: ${l.coldInteractions} held-out interactions involve ${l.coldUsers} users / ${l.coldItems} items absent from train (kept)`);
  else r.findings.push(`${l.droppedColdStart} held-out interactions dropped: ${l.coldUsers} users / ${l.coldItems} items absent from train (pass allowColdStart: true to keep them)`);
  if (l.overlapPairs > 0) r.findings.push(`${l.overlapPairs} (user, item) pairs occur both in train and held out (repeat consumption)`);
}

/** Distinct (user, item) pairs in both train and held out: per-user counting sort + item marks. */
function countOverlap(x: Interactions, trainIdx: Int32Array, parts: Int32Array[]): number {
  const rows = new Int32Array(trainIdx.length + parts.reduce((s, p) => s + p.length, 0));
  rows.set(trainIdx);
  let off = trainIdx.length;
  for (const p of parts) {
    rows.set(p, off);
    off += p.length;
  }
  const nTrain = trainIdx.length;
  const start = new Int32Array(x.numUsers + 1);
  for (const k of rows) start[x.users[k] + 1]++;
  for (let u = 0; u < x.numUsers; u++) start[u + 1] += start[u];
  const fill = start.slice(0, x.numUsers);
  const byUser = new Int32Array(rows.length); // position in `rows` (< nTrain: train)
  for (let j = 0; j < rows.length; j++) byUser[fill[x.users[rows[j]]]++] = j;
  const inTrain = new Int32Array(x.numItems).fill(-1);
  const counted = new Int32Array(x.numItems).fill(-1);
  let both = 0;
  for (let u = 0; u < x.numUsers; u++) {
    for (let q = start[u]; q < start[u + 1]; q++) if (byUser[q] < nTrain) inTrain[x.items[rows[byUser[q]]]] = u;
    for (let q = start[u]; q < start[u + 1]; q++) {
      if (byUser[q] < nTrain) continue;
      const i = x.items[rows[byUser[q]]];
      if (inTrain[i] === u && counted[i] !== u) {
        counted[i] = u;
        both++;
      }
    }
  }
  return both;
}
