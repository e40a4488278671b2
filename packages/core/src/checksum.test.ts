import { fnv1a32 } from './checksum';

describe('fnv1a32', () => {
  // Reference values of 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193) from the
  // algorithm's published test vectors: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968.
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('hashes %j to the reference value', (text, expected) => {
    expect(fnv1a32(new TextEncoder().encode(text))).toBe(expected);
  });

  it('starts at the given offset', () => {
    const bytes = new TextEncoder().encode('xxfoobar');
    expect(fnv1a32(bytes, 2)).toBe(0xbf9cf968);
  });
});
