import { stateKind, type Recommender } from '@memrec/core';
import { BprMf } from './bprmf';
import { CfNade } from './cf-nade';
import { Cmn } from './cmn';
import { Gru4Rec } from './gru4rec';
import { Ksr } from './ksr';
import { Rum } from './rum';
import { Stamp } from './stamp';
import { Mars } from './mars';
import { Dmn } from './dmn';
import { Irgan } from './irgan';
import { ItemPop } from './item-pop';
import { NeuMf } from './neumf';
import { Nmrn } from './nmrn';
import { RatingBias } from './rating-bias';

/** `fromBytes` of every built-in model, keyed by model name (`nmrn`, `cmn`, `neumf`, `bprmf`, `pop`, `irgan`, `cfnade`, `bias`, `gru4rec`, `rum-item`, `rum-feature`, `stamp`, `ksr`, `mars`, `dmn`). */
export const MODEL_LOADERS: Record<string, (bytes: Uint8Array) => Recommender> = {
  nmrn: (b) => Nmrn.fromBytes(b),
  cmn: (b) => Cmn.fromBytes(b),
  neumf: (b) => NeuMf.fromBytes(b),
  bprmf: (b) => BprMf.fromBytes(b),
  pop: (b) => ItemPop.fromBytes(b),
  irgan: (b) => Irgan.fromBytes(b),
  cfnade: (b) => CfNade.fromBytes(b),
  bias: (b) => RatingBias.fromBytes(b),
  gru4rec: (b) => Gru4Rec.fromBytes(b),
  ksr: (b) => Ksr.fromBytes(b),
  'rum-item': (b) => Rum.fromBytes(b),
  'rum-feature': (b) => Rum.fromBytes(b),
  stamp: (b) => Stamp.fromBytes(b),
  mars: (b) => Mars.fromBytes(b),
  dmn: (b) => Dmn.fromBytes(b),
};

/**
 * Restores any built-in model from its `toBytes()`, dispatching on the kind recorded in the
 * bytes. Corrupt, truncated or foreign bytes are errors that say what is wrong.
 *
 * @example
 * ```ts
 * import { recommenderFromBytes } from '@memrec/models';
 * const model = recommenderFromBytes(bprmf.toBytes()); // a BprMf
 * ```
 */
export function recommenderFromBytes(bytes: Uint8Array): Recommender {
  const fn = 'recommenderFromBytes';
  const kind = stateKind(bytes, fn);
  const name = kind.startsWith('model:') ? kind.slice('model:'.length) : '';
  const load = MODEL_LOADERS[name];
  if (!load) throw new Error(`${fn}: bytes must hold a saved model (kind model:${Object.keys(MODEL_LOADERS).join('|model:')}), got kind ${JSON.stringify(kind)}`);
  return load(bytes);
}
