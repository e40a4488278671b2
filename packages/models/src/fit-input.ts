import type { FitOptions, Interactions } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { describeRule, TRAINING_RULES, type OptionRule } from './options';
import type { TrainLoopOptions } from './train-loop';

/** Options every model has: passes, mini-batch size and seed of `fit` (each overridable per call). */
export interface TrainingOptions {
  /** Passes over the training set. */
  epochs: number;
  /** Events per mini-batch. */
  batchSize: number;
  /** Seed of every random draw (initialisation, shuffles, negatives). */
  seed: number;
}

/**
 * Checks that `data` is a well-formed Interactions object (typed id columns of equal length,
 * ids inside `[0, numUsers)` / `[0, numItems)`).
 *
 * @example
 * ```ts
 * checkInteractions('BprMf.fit', 'train', train);
 * ```
 */
export function checkInteractions(fn: string, arg: string, data: Interactions, allowEmpty = false): void {
  if (data == null || typeof data !== 'object') throw new Error(`${fn}: ${arg} must be an Interactions object, got ${show(data)}`);
  if (!(data.users instanceof Int32Array) || !(data.items instanceof Int32Array)) {
    throw new Error(`${fn}: ${arg}.users and ${arg}.items must be Int32Arrays, got ${show(data.users)} and ${show(data.items)}`);
  }
  if (data.users.length !== data.items.length) throw new Error(`${fn}: ${arg}.users and ${arg}.items must have the same length, got ${data.users.length} and ${data.items.length}`);
  if (!allowEmpty && data.users.length === 0) throw new Error(`${fn}: ${arg} must hold at least one interaction, got none`);
  for (const key of ['numUsers', 'numItems'] as const) {
    const v = data[key];
    if (!Number.isInteger(v) || v < 0) throw new Error(`${fn}: ${arg}.${key} must be an integer >= 0, got ${show(v)}`);
  }
  for (const [col, bound] of [['users', data.numUsers], ['items', data.numItems]] as const) {
    const ids = data[col];
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      if (id < 0 || id >= bound) throw new Error(`${fn}: ${arg}.${col}[${k}] must be an id in [0, ${bound}), got ${id}`);
    }
  }
}

/**
 * Resolves a fit call's options against the model's configuration.
 *
 * @example
 * ```ts
 * resolveFitOptions('BprMf.fit', model.config, { epochs: 3 }); // { epochs: 3, batchSize: 1024, seed: 0 }
 * ```
 */
export function resolveFitOptions(fn: string, config: TrainingOptions, options: FitOptions): TrainLoopOptions & { epochs: number } {
  if (options == null || typeof options !== 'object') throw new Error(`${fn}: options must be an object, got ${show(options)}`);
  const known = ['epochs', 'batchSize', 'seed', 'onProgress', 'onLoss', 'onEpochEnd'];
  for (const key of Object.keys(options)) if (!known.includes(key)) throw new Error(`${fn}: unknown option ${JSON.stringify(key)}; known options are ${known.join(', ')}`);
  const out = { epochs: config.epochs, batchSize: config.batchSize, seed: config.seed, onProgress: options.onProgress, onLoss: options.onLoss, onEpochEnd: options.onEpochEnd };
  for (const key of ['epochs', 'batchSize', 'seed'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    const rule: OptionRule = TRAINING_RULES[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (rule as { min: number }).min) throw new Error(`${fn}: options.${key} must be ${describeRule(rule)}, got ${show(v)}`);
    out[key] = v;
  }
  for (const key of ['onProgress', 'onLoss', 'onEpochEnd'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') throw new Error(`${fn}: options.${key} must be a function, got ${show(options[key])}`);
  }
  return out;
}
