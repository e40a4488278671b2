import { decodeState, encodeState } from '@memrec/core';
import { show } from '@memrec/core/internal';

/**
 * Older names of memory state kinds, still accepted as the `kind` argument below.
 * A memory layer's state is a memrec state (see `encodeState` in @memrec/core) whose blocks
 * are float32 arrays named `0`, `1`, ... in order.
 */
const KINDS: Record<string, string> = { MRKV: 'kv-memory' };

const kindOf = (kind: string) => KINDS[kind] ?? kind;

/**
 * Packs a JSON header and float blocks into one memrec state of `kind` (e.g. `'kv-memory'`;
 * the tag `'MRKV'` means the same).
 *
 * @example
 * ```ts
 * const bytes = packState('kv-memory', { slots: 4 }, [keys, memory]);
 * const { header, blocks } = unpackState('kv-memory', bytes, 'KeyValueMemory.stateFromBytes');
 * ```
 */
export function packState(kind: string, header: Record<string, unknown>, blocks: Float32Array[]): Uint8Array {
  return encodeState({ kind: kindOf(kind), header, blocks: Object.fromEntries(blocks.map((b, k) => [String(k), b])) });
}

/**
 * Reverses {@link packState}. Bytes that are not a memrec state, of another kind, truncated or
 * corrupt are an error naming `fn` (see `decodeState`).
 */
export function unpackState(kind: string, bytes: Uint8Array, fn: string): { header: Record<string, unknown>; blocks: Float32Array[] } {
  const state = decodeState(bytes, { fn, kind: kindOf(kind) });
  const names = Object.keys(state.blocks);
  const blocks = names.map((_, k) => {
    const block = state.blocks[String(k)];
    if (!(block instanceof Float32Array)) throw new Error(`${fn}: bytes must hold float32 blocks named 0 to ${names.length - 1}, got ${show(block)} as block ${k}`);
    return block;
  });
  return { header: state.header, blocks };
}
