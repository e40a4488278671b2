/**
 * @memrec/losses: ranking losses for TensorFlow.js recommenders, as tfjs `op()` functions.
 *
 * Positives are `[batch]`, negatives `[batch, n]` (or `[batch]` for n = 1).
 * Importing this package imports `@memrec/core`, which registers tfjs gradients under plain node.
 */
export { bprLoss, type BprLoss, type BprLossOptions } from './bpr';
export { hingeLoss, type HingeLoss, type HingeLossOptions, type ScoreKind } from './hinge';
export { bceLoss, type BceLoss, type BceLossOptions } from './bce';
export type { Reduction } from './shapes';
