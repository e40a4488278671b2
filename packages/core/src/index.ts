/**
 * @memrec/core: the ground every memrec package stands on.
 *
 * Importing this module registers tfjs-core's gradients (see `gradients.ts`).
 */
// Gradients are registered by './gradients' (re-exported below, so bundlers keep it).
// Helpers that are not API (show, fnv1a32, rngState, nextRandom) live in './internal'.

export type { Interactions, Module, Scorer } from './types';
export type { Recommender, FitOptions, FitProgress, RecommendOptions, Recommendation, ObserveMode } from './recommender';
export { seededRng, randInt, randNormal, shuffleInPlace, deriveSeed, type Rng } from './rng';
export { assert, assertInt, assertFinite, assertIds } from './assert';
export { IdMap, type RawId } from './id-map';
export { initBackend, activeBackend, type BackendName, type BackendChoice, type InitBackendOptions } from './backend';
export { gradientsRegistered } from './gradients';
export { matMul2d, explicitTransposes, registerMatMulGradient, matMulGradientInstalled } from './matmul';
export { readInto } from './read';
export {
  SparseEmbedding,
  type SparseEmbeddingOptions,
  type EmbeddingInit,
} from './sparse-embedding';
export { resolveOptimizer, type SparseOptimizerConfig, type ResolvedOptimizer } from './sparse-optimizer';
export { VERSION } from './version';
export { UserItemSet } from './user-item-set';
export { encodeState, decodeState, stateKind, STATE_FORMAT_VERSION, type StateBlock, type StateContent, type DecodeStateOptions } from './state-format';
