import { checkOptionKeys } from '@memrec/core/internal';
import { assertFinite, assertInt, type Interactions } from '@memrec/core';
import { take } from '../clean/columns';
import { timeOrder } from '../clean/sort-by-time';
import { interactionsOf, type DataLike } from '../types';
import { describe, timeOf, type SplitReport } from './report';

/** Options of {@link streamSplit}. */
export interface StreamSplitOptions {
  /** Fraction of the time-ordered stream used for initial training (default 0.6). */
  trainRatio?: number;
  /** Number of equal test blocks the rest is cut into (default 5). */
  blocks?: number;
  /** Mark every block event as evaluable, even with a user / item never seen before (default false). */
  allowColdStart?: boolean;
}

/** Result of {@link streamSplit}. */
export interface StreamSplit {
  /** The first `trainRatio` of the stream, in time order. */
  train: Interactions;
  /** The remaining events in time order, cut into equal blocks (sizes differ by at most 1). */
  blocks: Interactions[];
  /**
   * Per block, 1 where the event is evaluable: its user and item occurred in train or in an
   * earlier block (all ones with `allowColdStart`). Every event is still used to update the model.
   */
  evaluable: Uint8Array[];
  report: SplitReport;
}

/**
 * The `stream` (prequential) protocol (Wang et al., NMRN, KDD 2018): sort by time (stable), train
 * on the first 60 %, then cut the rest into 5 equal blocks in time order. For each block, evaluate
 * first, then update the model with the block.
 *
 * @example
 * ```ts
 * const { train, blocks, evaluable } = streamSplit(data, { trainRatio: 0.6, blocks: 5 });
 * // fit(train); for (const [b, block] of blocks.entries()) { evaluate(block, evaluable[b]); update(block); }
 * ```
 */
export function streamSplit(data: DataLike, options: StreamSplitOptions = {}): StreamSplit {
  checkOptionKeys('streamSplit', options, ['trainRatio', 'blocks', 'allowColdStart']);
  const trainRatio = options.trainRatio ?? 0.6;
  const nBlocks = options.blocks ?? 5;
  const allow = !!options.allowColdStart;
  assertFinite('streamSplit', 'trainRatio', trainRatio, 0, 1);
  if (trainRatio <= 0 || trainRatio >= 1) throw new Error(`streamSplit: trainRatio must be in (0, 1), got ${trainRatio}`);
  assertInt('streamSplit', 'blocks', nBlocks, 1);
  const x = interactionsOf(data);
  const order = timeOrder(x);
  const n = order.length;
  const nTrain = Math.floor(trainRatio * n);
  if (n - nTrain < nBlocks) throw new Error(`streamSplit: blocks must be at most the ${n - nTrain} held-out events, got ${nBlocks}`);
  const seenU = new Uint8Array(x.numUsers);
  const seenI = new Uint8Array(x.numItems);
  const time = timeOf(x);
  let cut = -Infinity;
  for (let q = 0; q < nTrain; q++) {
    seenU[x.users[order[q]]] = 1;
    seenI[x.items[order[q]]] = 1;
    cut = Math.max(cut, time(order[q]));
  }
  const blocks: Interactions[] = [];
  const evaluable: Uint8Array[] = [];
  const sizes: number[] = [];
  const coldPerBlock: number[] = [];
  let before = 0;
  let ties = 0;
  let coldTotal = 0;
  const coldU = new Uint8Array(x.numUsers);
  const coldI = new Uint8Array(x.numItems);
  for (let b = 0; b < nBlocks; b++) {
    const lo = nTrain + Math.floor((b * (n - nTrain)) / nBlocks);
    const hi = nTrain + Math.floor(((b + 1) * (n - nTrain)) / nBlocks);
    const idx = order.slice(lo, hi);
    const ok = new Uint8Array(idx.length);
    let cold = 0;
    for (let j = 0; j < idx.length; j++) {
      const u = x.users[idx[j]];
      const i = x.items[idx[j]];
      const warm = seenU[u] && seenI[i];
      if (!seenU[u]) coldU[u] = 1;
      if (!seenI[i]) coldI[i] = 1;
      if (!warm) cold++;
      ok[j] = warm || allow ? 1 : 0;
      const t = time(idx[j]);
      if (t < cut) before++;
      else if (t === cut) ties++;
    }
    // The model sees this block only after it is evaluated.
    let blockMax = cut;
    for (const k of idx) {
      seenU[x.users[k]] = 1;
      seenI[x.items[k]] = 1;
      blockMax = Math.max(blockMax, time(k));
    }
    cut = blockMax;
    blocks.push(take(x, idx));
    evaluable.push(ok);
    sizes.push(idx.length);
    coldPerBlock.push(cold);
    coldTotal += cold;
  }
  const report: SplitReport = {
    protocol: 'stream',
    params: { trainRatio, blocks: nBlocks, allowColdStart: allow },
    sizes: { train: nTrain, test: n - nTrain, blocks: sizes },
    leakage: {
      timeCheck: 'global',
      timeSource: x.timestamps ? 'timestamps' : 'row order',
      testBeforeTrainCut: before,
      tiesAtCut: ties,
      coldUsers: coldU.reduce((s, v) => s + v, 0),
      coldItems: coldI.reduce((s, v) => s + v, 0),
      coldInteractions: coldTotal,
      droppedColdStart: 0,
      overlapPairs: 0,
      coldPerBlock,
    },
    findings: ['each block is checked against everything before it (train and earlier blocks)'],
    ok: before === 0,
  };
  describe(report, allow);
  if (!allow && coldTotal > 0) report.findings[report.findings.length - 1] = `${coldTotal} block events involve a user or item never seen before their block: marked not evaluable (kept for updates; allowColdStart: true marks them evaluable)`;
  return { train: take(x, order.subarray(0, nTrain)), blocks, evaluable, report };
}
