import { IdMap } from './id-map';

describe('IdMap', () => {
  it('assigns dense ids in order of first appearance', () => {
    const m = IdMap.from(['b', 'a', 'b', 'c']);
    expect(m.size).toBe(3);
    expect(m.toDense('b')).toBe(0);
    expect(m.toDense('c')).toBe(2);
    expect(m.toRaw(1)).toBe('a');
  });

  it('keeps numbers and strings apart and supports large numeric ids', () => {
    const m = new IdMap();
    expect(m.add(1)).toBe(0);
    expect(m.add('1')).toBe(1);
    expect(m.add(2 ** 40)).toBe(2);
    expect(m.toRaw(2)).toBe(2 ** 40);
    expect(m.get(3)).toBeUndefined();
  });

  it('round-trips through JSON and rejects duplicates', () => {
    const m = IdMap.from([5, 'x', 7]);
    const back = IdMap.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.rawIds()).toEqual([5, 'x', 7]);
    expect(() => IdMap.fromJSON([1, 1])).toThrow('IdMap.fromJSON: raws must be distinct, got duplicate 1');
    expect(() => IdMap.fromJSON('x')).toThrow('IdMap.fromJSON: raws must be an array, got "x"');
  });

  it('names the function and value for unknown ids', () => {
    const m = IdMap.from(['a']);
    expect(() => m.toDense('zz')).toThrow('IdMap.toDense: raw must be a known id, got "zz"');
    expect(() => m.toRaw(3)).toThrow('IdMap.toRaw: id must be an integer in [0, 1), got 3');
    expect(() => m.add(NaN)).toThrow('IdMap.add: raw must be a string or a finite number, got NaN');
  });
});
