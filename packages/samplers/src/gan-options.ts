import { assertFinite, assertInt, type UserItemSet } from '@memrec/core';
import { show } from '@memrec/core/internal';
import type { GeneratorOptimizer } from './gan-generator';
import { checkSeen } from './types';

/** Options of {@link ganSampler}. */
export interface GanSamplerOptions {
  /** Training positives, read live. */
  seen: UserItemSet;
  /** Initial table sizes; default `seen.numUsers` / `seen.numItems` (tables grow on demand). */
  numUsers?: number;
  numItems?: number;
  /** Embedding dimension of E and F; default 32. */
  dim?: number;
  /** Hidden units of the MLP; default 32. */
  hidden?: number;
  /** T: uniform candidates per negative; default 32. */
  candidates?: number;
  /** Learning rate of the generator (tables and MLP); default 0.01. */
  learningRate?: number;
  /** Optimizer of the generator; default `adam`. */
  optimizer?: GeneratorOptimizer;
  /** Seed of initialisation and draws; default 0. */
  seed?: number;
  /**
   * IRGAN-style importance mixing lambda in [0, 1): draw from q = (1 - lambda) P_G + lambda / T and
   * weight each reward by P_G / q. Default 0 (draw from P_G, as NMRN).
   */
  importanceMix?: number;
  /** Baseline b <- decay * b + (1 - decay) * mean(batch rewards); default 0.9 (0 = Algorithm 1). */
  baselineDecay?: number;
}

/** What {@link GanSampler.update} returns. */
export interface GanUpdateInfo {
  /** Mean reward of the batch. */
  meanReward: number;
  /** Baseline used for this step (before it absorbs this batch). */
  baseline: number;
  /** REINFORCE surrogate loss -mean((r - b) * w * log P_G(v-)). */
  loss: number;
}

const FN = 'ganSampler';

/** Checks {@link GanSamplerOptions} (errors name the option and the value) and fills in defaults. */
export function resolveGanOptions(options: GanSamplerOptions) {
  if (options == null || typeof options !== 'object') throw new Error(`${FN}: options must be an object like { seen, dim, candidates }, got ${show(options)}`);
  checkSeen(FN, options.seen);
  const o = {
    numUsers: options.numUsers ?? options.seen.numUsers,
    numItems: options.numItems ?? options.seen.numItems,
    dim: options.dim ?? 32,
    hidden: options.hidden ?? 32,
    candidates: options.candidates ?? 32,
    learningRate: options.learningRate ?? 0.01,
    optimizer: options.optimizer ?? 'adam',
    seed: options.seed ?? 0,
    importanceMix: options.importanceMix ?? 0,
    baselineDecay: options.baselineDecay ?? 0.9,
  };
  assertInt(FN, 'numUsers', o.numUsers, 0);
  assertInt(FN, 'numItems', o.numItems, 0);
  assertInt(FN, 'dim', o.dim, 1);
  assertInt(FN, 'hidden', o.hidden, 1);
  assertInt(FN, 'candidates', o.candidates, 1);
  assertFinite(FN, 'learningRate', o.learningRate, 0);
  if (o.optimizer !== 'sgd' && o.optimizer !== 'adagrad' && o.optimizer !== 'adam') {
    throw new Error(`${FN}: optimizer must be 'sgd', 'adagrad' or 'adam', got ${show(o.optimizer)}`);
  }
  assertFinite(FN, 'seed', o.seed);
  assertFinite(FN, 'importanceMix', o.importanceMix, 0, 0.999999);
  assertFinite(FN, 'baselineDecay', o.baselineDecay, 0, 1);
  return o;
}
