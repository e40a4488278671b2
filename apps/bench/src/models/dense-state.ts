import * as tf from '@tensorflow/tfjs-core';

/**
 * Packs tf.Variables' values into bytes (shapes are implied by the model config): a u32 count,
 * then per variable a u32 length and its float32 values.
 *
 * @example
 * ```ts
 * const bytes = packVariables([W, b]); unpackVariables(bytes, [W, b]);
 * ```
 */
export function packVariables(vars: tf.Variable[]): Uint8Array {
  const vals = vars.map((v) => v.dataSync() as Float32Array);
  const total = 4 + vals.reduce((s, a) => s + 4 + a.length * 4, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, vals.length, true);
  let off = 4;
  for (const a of vals) {
    view.setUint32(off, a.length, true);
    off += 4;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.length * 4), off);
    off += a.length * 4;
  }
  return out;
}

/** Inverse of {@link packVariables}: assigns the stored values to `vars` (same order and sizes). */
export function unpackVariables(bytes: Uint8Array, vars: tf.Variable[], what = 'dense weights'): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true);
  if (n !== vars.length) throw new Error(`unpackVariables: ${what} must hold ${vars.length} variables, got ${n}`);
  let off = 4;
  for (const v of vars) {
    const len = view.getUint32(off, true);
    off += 4;
    if (len !== v.size) throw new Error(`unpackVariables: ${what} variable ${v.name} must have ${v.size} values, got ${len}`);
    const a = new Float32Array(len);
    new Uint8Array(a.buffer).set(bytes.subarray(off, off + len * 4));
    off += len * 4;
    tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
  }
}
