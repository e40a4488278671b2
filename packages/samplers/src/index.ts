/**
 * @memrec/samplers: negative samplers for implicit-feedback recommenders. Uniform, popularity
 * (alias method), dynamic hard negatives (DNS), the rank weight of the weighted hinge, and an
 * adversarial generator (NMRN's G) and IRGAN's generator (a softmax over the catalogue). Typed
 * arrays in, typed arrays out, seeded.
 */
export type { NegativeSampler } from './types';
export { Complement, rankToItem, DEFAULT_BITSET_BUDGET, type ExclusionMode } from './complement';
export { uniformSampler, UniformSampler, type UniformSamplerOptions } from './uniform';
export { AliasTable } from './alias';
export { popularitySampler, PopularitySampler, type PopularitySamplerOptions } from './popularity';
export { dnsSampler, DnsSampler, type DnsSamplerOptions, type PairScorer } from './dns';
export { rankWeight, RankWeightSampler, type RankWeightOptions, type RankWeightResult, type RowScorer } from './rank-weight';
export { ganSampler, GanSampler, type GanSamplerOptions, type GanUpdateInfo } from './gan';
export { GanGenerator, MLP_PARAMS, type GeneratorConfig, type GeneratorOptimizer } from './gan-generator';
export { irganSampler, IrganSampler, drawCumulative, type IrganSamplerOptions, type IrganStepInfo } from './irgan';
export { MfBias, type MfBiasOptions } from './mf-bias';
