/**
 * @memrec/eval: ranking metrics, full / sampled-N / streaming evaluators, statistics over
 * seeds and users, and protocol cards.
 */
export {
  hitRate,
  precision,
  recall,
  ndcg,
  idealDcg,
  mrr,
  mapAtK,
  averagePrecision,
  auc,
  aucFromPositions,
  coverage,
  relevantPositions,
  type RelevantItems,
} from './metrics';
export { MetricAccumulator, type RankedUnit, type MetricAccumulatorOptions, type PerUnitValues } from './accumulator';
export { topKRow, relevantRanksRow, prepareRow, topKPrepared, ranksPrepared, rankCandidates, findNaN } from './topk';
export { TIE_BREAK, type EvaluationResult, type EvaluationSetup, type EvaluationCounts } from './common';
export { evaluateFull, type FullEvalOptions } from './full';
export { inlineChunkRanker, type ChunkJob, type ChunkRanks, type ChunkRanker } from './chunk-ranker';
export { summarize, pairedTTest, wilcoxonSignedRank, type Summary, type PairedTestResult } from './stats';
export { normalCdf, studentTCdf, studentTQuantile, incompleteBeta } from './distributions';
export { VERSION } from './version';
export { sampleCandidates, candidatesFromLists, sampleExcluding, mergeSorted, type SampledCandidates, type SampleCandidatesOptions, type PredefinedCandidates } from './candidates';
export { saveCandidates, loadCandidates } from './candidates-io';
export { evaluateSampled, type SampledEvalOptions, type SampledEvaluationResult } from './sampled';
export { evaluateStream, slidingWindow, type StreamModel, type StreamEvalOptions, type StreamWindow, type StreamEvaluationResult } from './stream';
export { protocolCard, renderProtocolCard, type ProtocolCard, type ProtocolCardInput } from './protocol-card';
export { evaluateRatings, type RatingPredictor, type RatingEvalOptions } from './rating';
