import { decodeState, encodeState, stateKind } from '@memrec/core';
import { packState, unpackState } from './state-bytes';

const FN = 'KeyValueMemory.stateFromBytes';

describe('packState / unpackState', () => {
  it('round-trips the header and the float blocks in order, empty blocks included', () => {
    const blocks = [Float32Array.of(1, 2), new Float32Array(0), Float32Array.of(-0.5)];
    const bytes = packState('kv-memory', { slots: 4, kind: 'shared' }, blocks);
    expect(stateKind(bytes, FN)).toBe('kv-memory');
    const back = unpackState('kv-memory', bytes, FN);
    expect(back.header).toEqual({ slots: 4, kind: 'shared' });
    expect(back.blocks.map((b) => Array.from(b))).toEqual([[1, 2], [], [-0.5]]);
  });

  it("keeps the blocks' order past ten blocks", () => {
    const blocks = Array.from({ length: 12 }, (_, k) => Float32Array.of(k));
    const back = unpackState('kv-memory', packState('kv-memory', {}, blocks), FN);
    expect(back.blocks.map((b) => b[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("takes 'MRKV' as the older name of the 'kv-memory' kind", () => {
    const bytes = packState('MRKV', { slots: 1 }, [Float32Array.of(3)]);
    expect(stateKind(bytes, FN)).toBe('kv-memory');
    expect(unpackState('kv-memory', bytes, FN).blocks[0][0]).toBe(3);
  });

  it('rejects another kind, corrupt bytes and blocks that are not float32, naming the caller', () => {
    const other = encodeState({ kind: 'gan-sampler', header: {}, blocks: {} });
    expect(() => unpackState('kv-memory', other, FN)).toThrow('KeyValueMemory.stateFromBytes: bytes must hold a "kv-memory" state, got "gan-sampler"');
    const bytes = packState('kv-memory', {}, [Float32Array.of(1, 2)]);
    bytes[bytes.length - 1] ^= 1;
    expect(() => unpackState('kv-memory', bytes, FN)).toThrow(/^KeyValueMemory\.stateFromBytes: bytes must match their checksum/);
    const ints = encodeState({ kind: 'kv-memory', header: {}, blocks: { 0: Int32Array.of(1) } });
    expect(() => unpackState('kv-memory', ints, FN)).toThrow('KeyValueMemory.stateFromBytes: bytes must hold float32 blocks named 0 to 0, got Int32Array(1) as block 0');
    expect(decodeState(ints, { fn: FN }).kind).toBe('kv-memory');
  });
});
