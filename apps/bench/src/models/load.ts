import { readCheckpoint } from './checkpoint';
import { BprMf } from './bprmf';
import { Cmn } from './cmn';
import { NeuMf } from './neumf';
import { Nmrn } from './nmrn';
import { ItemPop } from './pop';
import type { Recommender } from './types';

/**
 * Loads any benchmark model from a checkpoint directory (dispatching on its manifest).
 *
 * @example
 * ```ts
 * const model = loadModel('runs/x/checkpoints/bprmf');
 * ```
 */
export function loadModel(dir: string): Recommender {
  const { model } = readCheckpoint(dir);
  switch (model) {
    case 'pop':
      return ItemPop.load(dir);
    case 'bprmf':
      return BprMf.load(dir);
    case 'cmn':
      return Cmn.load(dir);
    case 'neumf':
      return NeuMf.load(dir);
    case 'nmrn':
      return Nmrn.load(dir);
    default:
      throw new Error(`loadModel: checkpoint model must be one of nmrn, cmn, neumf, bprmf, pop, got "${model}"`);
  }
}
