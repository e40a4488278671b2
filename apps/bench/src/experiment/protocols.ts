import type { Interactions } from '@memrec/core';
import { leaveLastOut, randomSplit, streamSplit, stratifiedSplit, temporalSplit, type SplitReport } from '@memrec/data';
import type { BenchDataset } from './dataset';

/** A protocol's data: a static train/test split or a stream of blocks. */
export interface ProtocolData {
  protocol: string;
  train: Interactions;
  test?: Interactions;
  blocks?: Interactions[];
  evaluable?: Uint8Array[];
  /** Fixed candidates (NCF files), one list per test interaction. */
  candidates?: Int32Array[];
  report: SplitReport | Record<string, unknown>;
}

/**
 * Splits a dataset for a protocol, with the parameters the protocol card reports:
 * stream (60 % train, 5 blocks), leave-last-out, stratified (75/25, seeded), temporal (80 %),
 * predefined (NCF files or `--dataset files`), random (90/10 of all interactions, seeded).
 *
 * @example
 * ```ts
 * const p = splitFor('stream', ds, 1);
 * ```
 */
export function splitFor(protocol: string, ds: BenchDataset, seed: number): ProtocolData {
  const data = ds.data;
  switch (protocol) {
    case 'stream': {
      const s = streamSplit(data, { trainRatio: 0.6, blocks: 5 });
      return { protocol, train: s.train, blocks: s.blocks, evaluable: s.evaluable, report: s.report };
    }
    case 'leave-last-out': {
      const s = leaveLastOut(data, {});
      return { protocol, train: s.train, test: s.test, report: s.report };
    }
    case 'stratified': {
      const s = stratifiedSplit(data, { ratio: 0.75, seed });
      return { protocol, train: s.train, test: s.test, report: s.report };
    }
    case 'temporal': {
      const s = temporalSplit(data, { ratio: 0.8 });
      return { protocol, train: s.train, test: s.test, report: s.report };
    }
    case 'predefined': {
      const p = ds.predefined;
      if (!p) throw new Error('splitFor: protocol predefined needs a dataset with predefined test files (--dataset ncf or files)');
      return {
        protocol,
        train: p.train,
        test: p.test,
        ...(p.candidates ? { candidates: p.candidates } : {}),
        report: { protocol: 'predefined', files: ds.source, trainInteractions: p.train.users.length, testInteractions: p.test.users.length, ...(p.testItemInCandidates !== undefined ? { testItemInCandidates: p.testItemInCandidates } : {}) },
      };
    }
    case 'random': {
      const s = randomSplit(data, { ratio: 0.9, seed });
      return { protocol, train: s.train, test: s.test, report: s.report };
    }
    default:
      throw new Error(`splitFor: protocol must be stream, leave-last-out, stratified, temporal, predefined or random, got "${protocol}"`);
  }
}
