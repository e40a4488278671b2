import * as tf from '@tensorflow/tfjs-core';
import { UserItemSet, type StateBlock } from '@memrec/core';

/**
 * A user-item set as two blocks: `offsets` (numUsers + 1, CSR row starts) and `items`
 * (each user's items, ascending).
 *
 * @example
 * ```ts
 * const { offsets, items } = seenToBlocks(seen);
 * const again = seenFromBlocks(seen.numUsers, seen.numItems, offsets, items, 'Nmrn.fromBytes');
 * ```
 */
export function seenToBlocks(seen: UserItemSet): { offsets: Int32Array; items: Int32Array } {
  const offsets = new Int32Array(seen.numUsers + 1);
  for (let u = 0; u < seen.numUsers; u++) offsets[u + 1] = offsets[u] + seen.count(u);
  const items = new Int32Array(offsets[seen.numUsers]);
  for (let u = 0; u < seen.numUsers; u++) items.set(seen.itemsOf(u), offsets[u]);
  return { offsets, items };
}

/** Inverse of {@link seenToBlocks}; inconsistent blocks are an error naming `fn`. */
export function seenFromBlocks(numUsers: number, numItems: number, offsets: StateBlock | undefined, items: StateBlock | undefined, fn: string): UserItemSet {
  if (!(offsets instanceof Int32Array) || !(items instanceof Int32Array) || offsets.length !== numUsers + 1 || offsets[numUsers] !== items.length) {
    throw new Error(`${fn}: bytes must hold a seen set of ${numUsers} users (Int32 blocks seenOffsets / seenItems), got an inconsistent one`);
  }
  const users = new Int32Array(items.length);
  for (let u = 0; u < numUsers; u++) {
    if (offsets[u + 1] < offsets[u]) throw new Error(`${fn}: seenOffsets must not decrease, got ${offsets[u]} then ${offsets[u + 1]} at user ${u}`);
    users.fill(u, offsets[u], offsets[u + 1]);
  }
  for (let k = 0; k < items.length; k++) {
    if (items[k] < 0 || items[k] >= numItems) throw new Error(`${fn}: seenItems must be item ids in [0, ${numItems}), got ${items[k]}`);
  }
  const set = new UserItemSet(numUsers, numItems);
  set.addAll(users, items);
  return set;
}

/**
 * The values of dense variables as named Float32 blocks (`prefix0`, `prefix1`, ...).
 *
 * @example
 * ```ts
 * const blocks = variablesToBlocks(dense, 'dense');
 * assignVariables(dense, blocks, 'dense', 'NeuMf.fromBytes');
 * ```
 */
export function variablesToBlocks(vars: tf.Variable[], prefix: string): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  vars.forEach((v, k) => (out[`${prefix}${k}`] = Float32Array.from(v.dataSync() as Float32Array)));
  return out;
}

/** Assigns blocks written by {@link variablesToBlocks} to `vars` (same order and sizes). */
export function assignVariables(vars: tf.Variable[], blocks: Record<string, StateBlock>, prefix: string, fn: string): void {
  vars.forEach((v, k) => {
    const b = blocks[`${prefix}${k}`];
    if (!(b instanceof Float32Array) || b.length !== v.size) {
      throw new Error(`${fn}: block ${prefix}${k} must be a Float32Array of ${v.size} values (shape ${JSON.stringify(v.shape)}), got ${b ? `${b.constructor.name}(${b.length})` : 'none'}`);
    }
    tf.tidy(() => v.assign(tf.tensor(b, v.shape)));
  });
}

/** The Uint8Array block `name`, or an error naming `fn`. */
export function bytesBlock(blocks: Record<string, StateBlock>, name: string, fn: string): Uint8Array {
  const b = blocks[name];
  if (!(b instanceof Uint8Array)) throw new Error(`${fn}: bytes must hold a nested state block ${JSON.stringify(name)}, got ${b ? b.constructor.name : 'none'}`);
  return b;
}

/** The typed block `name` of class `type`, or an error naming `fn`. */
export function typedBlock<T extends StateBlock>(blocks: Record<string, StateBlock>, name: string, type: { new (n: number): T; name: string }, fn: string, length?: number): T {
  const b = blocks[name];
  if (!(b instanceof type) || (length !== undefined && b.length !== length)) {
    throw new Error(`${fn}: block ${JSON.stringify(name)} must be a ${type.name}${length !== undefined ? ` of length ${length}` : ''}, got ${b ? `${b.constructor.name}(${b.length})` : 'none'}`);
  }
  return b;
}
