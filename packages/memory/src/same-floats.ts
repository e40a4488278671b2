type BufferLike = {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array;
  compare(a: Uint8Array, b: Uint8Array): number;
};
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

/**
 * Whether two `Float32Array`s hold the same bits (so `-0 !== 0` and a changed `NaN` payload
 * count as differences). Uses Node's `Buffer.compare` (a `memcmp`) where it exists, else a loop
 * over 32-bit words.
 *
 * @example
 * ```ts
 * sameFloats(Float32Array.of(1, 2), Float32Array.of(1, 2)); // true
 * sameFloats(Float32Array.of(0), Float32Array.of(-0));      // false
 * ```
 */
export function sameFloats(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  if (NodeBuffer != null) {
    return NodeBuffer.compare(NodeBuffer.from(a.buffer, a.byteOffset, a.byteLength), NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
  }
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}
