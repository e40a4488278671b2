import type { EmbeddingInit, SparseEmbedding } from './sparse-embedding';
import type { SparseOptimizerConfig } from './sparse-optimizer';
import { resolveOptimizer, slotCount } from './sparse-optimizer';
import { decodeState, encodeState } from './state-format';
import { show } from './assert';

/*
 * A table is a 'sparse-embedding' state (see state-format.ts): header { rows, dim, step, init,
 * optimizer }, block `table` (rows * dim float32) and one block `slot<k>` of the same size per
 * optimizer slot (none for SGD, one for Adagrad, two for Adam).
 */
const KIND = 'sparse-embedding';
const FN = 'SparseEmbedding.fromBytes';

/** @internal */
export function serializeState(t: SparseEmbedding): Uint8Array {
  const n = t.rows * t.dim;
  const blocks: Record<string, Float32Array> = { table: t.data.subarray(0, n) };
  t.slots.forEach((s, k) => {
    blocks[`slot${k}`] = s.subarray(0, n);
  });
  return encodeState({ kind: KIND, header: { rows: t.rows, dim: t.dim, step: t.step, init: t.init, optimizer: t.optimizer }, blocks });
}

/** @internal */
export function deserializeState(bytes: Uint8Array, Table: typeof SparseEmbedding): SparseEmbedding {
  const { header, blocks } = decodeState(bytes, { fn: FN, kind: KIND });
  const { rows, dim, step } = header as { rows: unknown; dim: unknown; step: unknown };
  for (const [name, value] of [['rows', rows], ['dim', dim], ['step', step]] as const) {
    if (!Number.isInteger(value) || (value as number) < 0) throw new Error(`${FN}: bytes must hold header.${name} as an integer >= 0, got ${show(value)}`);
  }
  const optimizer = header.optimizer as SparseOptimizerConfig;
  const slots = slotCount(resolveOptimizer(optimizer, FN).kind);
  const n = (rows as number) * (dim as number);
  const names = ['table', ...Array.from({ length: slots }, (_, k) => `slot${k}`)];
  const arrays = names.map((name) => {
    const block = blocks[name];
    if (!(block instanceof Float32Array) || block.length !== n) {
      throw new Error(`${FN}: bytes must hold block "${name}" as ${n} float32 (${rows} x ${dim}), got ${show(block)}`);
    }
    return block;
  });
  const table = new Table({ rows: 0, dim: dim as number, optimizer, init: header.init as EmbeddingInit });
  table._restore(rows as number, step as number, arrays[0], arrays.slice(1));
  return table;
}
