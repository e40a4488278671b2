/**
 * FNV-1a 32-bit hash of `bytes[start..]` (Fowler, Noll, Vo), used as the corruption check of
 * memrec's binary state formats. Not a cryptographic hash.
 *
 * @example
 * ```ts
 * fnv1a32(new TextEncoder().encode('a')); // 0xe40c292c
 * ```
 */
export function fnv1a32(bytes: Uint8Array, start = 0): number {
  let h = 0x811c9dc5;
  for (let i = start; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
