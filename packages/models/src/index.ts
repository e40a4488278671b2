/**
 * @memrec/models: whole recommenders (NMRN, CMN, NeuMF, BPR-MF, ItemPop) behind memrec's one
 * `Recommender` contract, the shared training loop, recommendation helpers, and
 * `OnlineRecommender` (raw ids, one event at a time). Checkpoint files: `@memrec/models/node`.
 */
export type { Recommender, FitOptions, FitProgress, RecommendOptions, Recommendation, ObserveMode } from '@memrec/core';
export { BaseRecommender, checkInteractions, resolveFitOptions, type TrainingOptions } from './base';
export { resolveOptions, defaultsOf, describeRule, type OptionRule, type OptionSpec } from './options';
export { trainLoop, epochBatches, orderedBatches, tick, type TrainLoopOptions, type TrainLoopSpec } from './train-loop';
export { recommend, recommendLatency } from './recommend';
export { Nmrn, NMRN_OPTIONS, NMRN_DEFAULTS, type NmrnOptions } from './nmrn';
export { Cmn, CMN_OPTIONS, CMN_DEFAULTS, CMN_PAPER, type CmnOptions } from './cmn';
export { NeuMf, NEUMF_OPTIONS, NEUMF_DEFAULTS, type NeuMfOptions } from './neumf';
export { BprMf, BPRMF_OPTIONS, BPRMF_DEFAULTS, dotScoreAll, type BprMfOptions } from './bprmf';
export { Irgan, IRGAN_OPTIONS, IRGAN_DEFAULTS, type IrganOptions, type IrganPretrain } from './irgan';
export { Gru4Rec, GRU4REC_OPTIONS, GRU4REC_DEFAULTS, type Gru4RecOptions } from './gru4rec';
export { Ksr, KSR_OPTIONS, KSR_DEFAULTS, type KsrOptions, type KsrAttributes } from './ksr';
export { Rum, RUM_OPTIONS, RUM_DEFAULTS, type RumOptions } from './rum';
export { Stamp, STAMP_OPTIONS, STAMP_DEFAULTS, type StampOptions } from './stamp';
export { Mars, MARS_OPTIONS, MARS_DEFAULTS, type MarsOptions } from './mars';
export { Dmn, DMN_OPTIONS, DMN_DEFAULTS, type DmnOptions } from './dmn';
export { CfNade, CFNADE_OPTIONS, CFNADE_DEFAULTS, type CfNadeOptions } from './cf-nade';
export { RatingBias, RATING_BIAS_OPTIONS, RATING_BIAS_DEFAULTS, type RatingBiasOptions } from './rating-bias';
export { ItemPop, ITEMPOP_OPTIONS, ITEMPOP_DEFAULTS, type ItemPopOptions } from './item-pop';
export { recommenderFromBytes, MODEL_LOADERS } from './registry';
export { OnlineRecommender, type OnlineEvent, type OnlineOptions, type ScoredItem, type IngestResult } from './online';
export { VERSION } from './version';
