import type * as tf from '@tensorflow/tfjs-core';
import { assertFinite, assertInt, type SparseEmbedding } from '@memrec/core';
import { show } from '@memrec/core/internal';
import type { AddressMetric } from './kv-ops';

/** Options of {@link KeyValueMemory}. */
export interface KeyValueMemoryOptions {
  /** User embeddings A (owned by the caller; rows are updated by `trainStep`). */
  users: SparseEmbedding;
  /** Item embeddings B (owned by the caller), same `dim` as `users`. */
  items: SparseEmbedding;
  /** Number of memory slots H. */
  slots: number;
  /** Address metric: `euclidean` (default, the paper) or `dot`. */
  metric?: AddressMetric;
  /** Softmax temperature of the address; default 1. */
  temperature?: number;
  /** `shared` (default, the paper's figure) or `per-user` value memory. */
  valueMemory?: 'shared' | 'per-user';
  /** Per-user memories to start with; default `users.rows`. */
  numUsers?: number;
  /** Seed of keys, projections and the value-memory template; default 0. */
  seed?: number;
  /** Learning rate of the default Adam optimizer of the dense weights; default 0.001. */
  learningRate?: number;
  /** Optimizer of the dense weights (keys, projections); replaces the default Adam. Not disposed by the layer. */
  optimizer?: tf.Optimizer;
  /** Train the erase / add projections through the last write (see `trainStep`); default true. */
  writeGradient?: boolean;
  /** Std of the value-memory template; default 0.1. */
  valueInitStd?: number;
}

/** Options of {@link KeyValueMemory.trainStep}. */
export interface KvTrainOptions {
  /** Hinge margin m of the default loss; default 1. */
  margin?: number;
  /** Rank weights of the default loss, one per positive (`[b]`) or per pair (`[b * n]`). */
  weights?: Float32Array;
  /** Replaces the default loss: gets `d(u, v+)` repeated per negative and `d(u, v-)`, both `[b * n]`. */
  loss?: (dPos: tf.Tensor1D, dNeg: tf.Tensor1D) => tf.Scalar;
}

const FN = 'KeyValueMemory';

/** Validated settings of a {@link KeyValueMemory}, defaults filled in. */
export interface ResolvedKvOptions {
  metric: AddressMetric;
  kind: 'shared' | 'per-user';
  temperature: number;
  seed: number;
  numUsers: number;
  learningRate: number;
}

/** Checks {@link KeyValueMemoryOptions} (errors name the option and the value) and fills in defaults. */
export function resolveKvOptions(o: KeyValueMemoryOptions): ResolvedKvOptions {
  if (o == null || typeof o !== 'object') throw new Error(`${FN}: options must be an object like { users, items, slots }, got ${show(o)}`);
  if (o.users == null || typeof o.users.lookup !== 'function') throw new Error(`${FN}: users must be a SparseEmbedding, got ${show(o.users)}`);
  if (o.items == null || typeof o.items.lookup !== 'function') throw new Error(`${FN}: items must be a SparseEmbedding, got ${show(o.items)}`);
  if (o.items.dim !== o.users.dim) throw new Error(`${FN}: items.dim must equal users.dim (${o.users.dim}), got ${o.items.dim}`);
  assertInt(FN, 'slots', o.slots, 1);
  const metric = o.metric ?? 'euclidean';
  if (metric !== 'euclidean' && metric !== 'dot') throw new Error(`${FN}: metric must be 'euclidean' or 'dot', got ${show(metric)}`);
  const kind = o.valueMemory ?? 'shared';
  if (kind !== 'shared' && kind !== 'per-user') throw new Error(`${FN}: valueMemory must be 'shared' or 'per-user', got ${show(kind)}`);
  const temperature = o.temperature ?? 1;
  assertFinite(FN, 'temperature', temperature, Number.MIN_VALUE);
  const seed = o.seed ?? 0;
  assertFinite(FN, 'seed', seed);
  const numUsers = o.numUsers ?? o.users.rows;
  assertInt(FN, 'numUsers', numUsers, 0);
  const learningRate = o.learningRate ?? 0.001;
  assertFinite(FN, 'learningRate', learningRate, 0);
  return { metric, kind, temperature, seed, numUsers, learningRate };
}
