import { encodeState } from '@memrec/core';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoints';
import { IdSet } from './id-set';

const settings = { checkpointEvery: 10, model: 'nmrn', maxBatch: 256 };
const recommender = Uint8Array.of(1, 2, 3);

describe('checkpoint bytes', () => {
  it('round-trip the offset, the stream position, the settings, the recommender and the id hashes', () => {
    const ids = new IdSet();
    for (const id of ['a', 'b', 'c']) ids.add(id);
    const c = decodeCheckpoint(encodeCheckpoint({ offset: 3, position: '17-0', idHashes: ids.toHashes(), recommender, settings }), 'test');
    expect(c).toMatchObject({ offset: 3, position: '17-0', settings });
    expect(Array.from(c.recommender)).toEqual([1, 2, 3]);
    const back = IdSet.fromHashes(c.idHashes);
    expect(['a', 'b', 'c', 'd'].map((id) => back.has(id))).toEqual([true, true, true, false]);
  });

  it('read a checkpoint of the earlier format (a JSON list of the last ids) as the hashes of those ids', () => {
    const old = encodeState({ kind: 'memrec-server-checkpoint', header: { offset: 2, settings }, blocks: { recommender, ids: new TextEncoder().encode(JSON.stringify(['e1', 'e2'])) } });
    const c = decodeCheckpoint(old, 'test');
    const back = IdSet.fromHashes(c.idHashes);
    expect(back.size).toBe(2);
    expect(['e1', 'e2', 'e3'].map((id) => back.has(id))).toEqual([true, true, false]);
  });

  it('refuse a checkpoint without ids, naming the blocks it has', () => {
    const none = encodeState({ kind: 'memrec-server-checkpoint', header: { offset: 0, settings }, blocks: { recommender } });
    expect(() => decodeCheckpoint(none, 'test')).toThrow('test: a checkpoint must hold a u32 block "idHashes" (or, written by an earlier version, a u8 block "ids"), got recommender');
  });
});
