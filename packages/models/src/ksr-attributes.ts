import { show } from '@memrec/core/internal';

/**
 * Item attributes as KSR reads them, in CSR form: item i's attribute ids are
 * `attributes[offsets[i] .. offsets[i + 1])`, each in `[0, numAttributes)`. `@memrec/data`'s
 * `ItemAttributes` (`movieLensGenres`, `itemAttributes`) has this shape. Items past
 * `offsets.length - 1` (new in a stream) have none.
 *
 * @example
 * ```ts
 * const a: KsrAttributes = { numAttributes: 2, offsets: Int32Array.of(0, 1, 3), attributes: Int32Array.of(1, 0, 1) };
 * ```
 */
export interface KsrAttributes {
  numAttributes: number;
  offsets: Int32Array;
  attributes: Int32Array;
}

/** No attributes: KSR keeps only its `item` relation. */
export const NO_ATTRIBUTES: KsrAttributes = Object.freeze({ numAttributes: 0, offsets: Int32Array.of(0), attributes: new Int32Array(0) });

/**
 * Checks item attributes for KSR (errors name `fn`); returns them (only the three fields).
 *
 * @example
 * ```ts
 * checkKsrAttributes('Ksr', { numAttributes: 1, offsets: Int32Array.of(0, 2), attributes: Int32Array.of(0, 0) }); // fine
 * ```
 */
export function checkKsrAttributes(fn: string, a: KsrAttributes): KsrAttributes {
  if (a == null || typeof a !== 'object') throw new Error(`${fn}: attributes must be an object like { numAttributes, offsets, attributes }, got ${show(a)}`);
  const { numAttributes, offsets, attributes } = a;
  if (!Number.isInteger(numAttributes) || numAttributes < 0) throw new Error(`${fn}: attributes.numAttributes must be an integer >= 0, got ${show(numAttributes)}`);
  if (!(attributes instanceof Int32Array)) throw new Error(`${fn}: attributes.attributes must be an Int32Array, got ${show(attributes)}`);
  if (!(offsets instanceof Int32Array) || offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== attributes.length) {
    throw new Error(`${fn}: attributes.offsets must be an Int32Array starting at 0 and ending at attributes.length = ${attributes instanceof Int32Array ? attributes.length : '?'}, got ${show(offsets)}`);
  }
  for (let i = 0; i + 1 < offsets.length; i++) {
    if (offsets[i + 1] < offsets[i]) throw new Error(`${fn}: attributes.offsets must not decrease, got offsets[${i + 1}] = ${offsets[i + 1]} after ${offsets[i]}`);
  }
  for (let k = 0; k < attributes.length; k++) {
    if (!(attributes[k] >= 0 && attributes[k] < numAttributes)) throw new Error(`${fn}: attributes.attributes[${k}] must be an attribute id in [0, ${numAttributes}), got ${attributes[k]}`);
  }
  return { numAttributes, offsets, attributes };
}

/**
 * KSR's read on the host for states `h` (`[b * H]`): the query `hq = h W_q` (`[b * D]`; `W` is
 * `[H * D]`), the attention `w = softmax_a(hq . k_a)` over the keys `K` (`[S * D]`), `[b * S]`,
 * and the read `m = sum_a w_a v_a` (`[b * D]`) of each row's values `V` (`[b * S * D]`).
 *
 * @example
 * ```ts
 * const { m } = ksrAttend(h, b, H, D, memory.gather(users), keys, wq);
 * ```
 */
export function ksrAttend(h: Float32Array, b: number, H: number, D: number, V: Float32Array, K: Float32Array, W: Float32Array): { hq: Float32Array; w: Float32Array; m: Float32Array } {
  const S = K.length / D;
  const hq = new Float32Array(b * D);
  const w = new Float32Array(b * S);
  const m = new Float32Array(b * D);
  const logits = new Float64Array(S);
  for (let r = 0; r < b; r++) {
    for (let j = 0; j < H; j++) {
      const hj = h[r * H + j];
      if (hj !== 0) for (let d = 0; d < D; d++) hq[r * D + d] += hj * W[j * D + d];
    }
    let mx = -Infinity;
    for (let a = 0; a < S; a++) {
      let acc = 0;
      for (let d = 0; d < D; d++) acc += hq[r * D + d] * K[a * D + d];
      logits[a] = acc;
      if (acc > mx) mx = acc;
    }
    let z = 0;
    for (let a = 0; a < S; a++) z += logits[a] = Math.exp(logits[a] - mx);
    for (let a = 0; a < S; a++) {
      const wa = logits[a] / z;
      w[r * S + a] = wa;
      for (let d = 0; d < D; d++) m[r * D + d] += wa * V[(r * S + a) * D + d];
    }
  }
  return { hq, w, m };
}
