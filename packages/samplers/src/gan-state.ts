import { decodeState, encodeState, SparseEmbedding, type StateBlock } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { MLP_PARAMS, type GeneratorOptimizer } from './gan-generator';

/** Everything a saved GAN sampler holds (no RNG state: a loaded sampler takes a new seed). */
export interface GanState {
  config: {
    dim: number;
    hidden: number;
    candidates: number;
    learningRate: number;
    optimizer: GeneratorOptimizer;
    importanceMix: number;
    baselineDecay: number;
  };
  baseline: number;
  updates: number;
  users: SparseEmbedding;
  items: SparseEmbedding;
  /** MLP values in `MLP_PARAMS` order. */
  mlp: Float32Array[];
}

const KIND = 'gan-sampler';
const FN = 'GanSampler.fromBytes';

/**
 * A 'gan-sampler' state (see `encodeState` in @memrec/core): header { config, baseline,
 * updates }; blocks `users` and `items` (the E and F tables, each a nested
 * `SparseEmbedding.toBytes` state with its optimizer state) and one float32 block
 * `mlp.<name>` per MLP parameter (`MLP_PARAMS`).
 *
 * @example
 * ```ts
 * const bytes = encodeGanState(state);
 * const again = decodeGanState(bytes);
 * ```
 */
export function encodeGanState(s: GanState): Uint8Array {
  const blocks: Record<string, StateBlock> = { users: s.users.toBytes(), items: s.items.toBytes() };
  MLP_PARAMS.forEach((name, k) => {
    blocks[`mlp.${name}`] = s.mlp[k];
  });
  return encodeState({ kind: KIND, header: { config: s.config, baseline: s.baseline, updates: s.updates }, blocks });
}

/** Reads {@link encodeGanState}'s bytes; corrupt, truncated or foreign input is a clear error. */
export function decodeGanState(bytes: Uint8Array): GanState {
  const { header, blocks } = decodeState(bytes, { fn: FN, kind: KIND });
  const block = <T extends StateBlock>(name: string, Type: new (n: number) => T, what: string): T => {
    const b = blocks[name];
    if (!(b instanceof Type)) throw new Error(`${FN}: bytes must hold block "${name}" (${what}), got ${show(b)}`);
    return b;
  };
  const users = SparseEmbedding.fromBytes(block('users', Uint8Array, 'the user table'));
  const items = SparseEmbedding.fromBytes(block('items', Uint8Array, 'the item table'));
  const mlp = MLP_PARAMS.map((name) => block(`mlp.${name}`, Float32Array, `MLP parameter ${name}, float32`));
  const { config, baseline, updates } = header as Pick<GanState, 'config' | 'baseline' | 'updates'>;
  return { config, baseline, updates, users, items, mlp };
}
