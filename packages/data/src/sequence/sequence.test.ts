import { IdMap, type Interactions } from '@memrec/core';
import { itemAttributes, MOVIELENS_GENRES, movieLensGenres } from './attributes';
import { sequences } from './sequences';
import { sessions } from './sessions';

// rows: user, item, time (seconds); user 1 has no events
const data: Interactions = {
  users: Int32Array.of(0, 2, 0, 2, 0, 2, 2, 0),
  items: Int32Array.of(5, 1, 3, 2, 4, 0, 6, 7),
  timestamps: Float64Array.of(100, 50, 10, 60, 100, 5000, 5100, 9000),
  numUsers: 3,
  numItems: 8,
};
const seqOf = (s: { offsets: Int32Array; items: Int32Array }, r: number) => Array.from(s.items.subarray(s.offsets[r], s.offsets[r + 1]));

describe('sequences', () => {
  it('gives each user its items in time order (ties in row order), an empty one to a user without events', () => {
    const s = sequences(data);
    expect(seqOf(s, 0)).toEqual([3, 5, 4, 7]); // times 10, 100 (row 0), 100 (row 4), 9000
    expect(seqOf(s, 1)).toEqual([]);
    expect(seqOf(s, 2)).toEqual([1, 2, 0, 6]);
    expect(Array.from(s.rows.subarray(0, 4))).toEqual([2, 0, 4, 7]);
    expect(Array.from(s.timestamps ?? [])).toEqual([10, 100, 100, 9000, 50, 60, 5000, 5100]);
  });

  it('keeps the latest maxLength items', () => {
    const s = sequences(data, { maxLength: 2 });
    expect(Array.from(s.offsets)).toEqual([0, 2, 2, 4]);
    expect(seqOf(s, 0)).toEqual([4, 7]);
    expect(seqOf(s, 2)).toEqual([0, 6]);
  });

  it('takes row order as time order without timestamps; rejects a bad maxLength or option', () => {
    const { timestamps: _, ...bare } = data;
    expect(seqOf(sequences(bare), 0)).toEqual([5, 3, 4, 7]);
    expect(() => sequences(data, { maxLength: 0 })).toThrow('sequences: maxLength must be an integer >= 1, got 0');
    expect(() => sequences(data, { maxLen: 3 } as never)).toThrow(/sequences: .*maxLen/);
  });
});

describe('sessions', () => {
  it('splits at gaps longer than gapSeconds and orders sessions by start time', () => {
    const s = sessions(data, { gapSeconds: 1000 });
    // user 0: [10, 100, 100] and [9000]; user 2: [50, 60] and [5000, 5100]
    expect(s.numSessions).toBe(4);
    expect(Array.from(s.users)).toEqual([0, 2, 2, 0]);
    expect([0, 1, 2, 3].map((j) => seqOf(s, j))).toEqual([[3, 5, 4], [1, 2], [0, 6], [7]]);
    expect(Array.from(s.sessionOfRow)).toEqual([0, 1, 0, 1, 0, 2, 2, 3]);
  });

  it('a gap of exactly gapSeconds stays in the session; a larger one splits', () => {
    expect(sessions(data, { gapSeconds: 100 }).numSessions).toBe(4); // user 2: 5000 -> 5100 is a gap of 100
    expect(sessions(data, { gapSeconds: 99 }).numSessions).toBe(5);
  });

  it('needs timestamps and a gap', () => {
    const { timestamps: _, ...bare } = data;
    expect(() => sessions(bare, { gapSeconds: 10 })).toThrow('sessions: data must have timestamps, got interactions without a timestamps column');
    expect(() => sessions(data, { gapSeconds: -1 })).toThrow('sessions: gapSeconds must be a finite number >= 0, got -1');
  });
});

describe('item attributes', () => {
  // u.item lines: id|title|release|video release|url|19 flags (the real format, latin-1 text)
  const flags = (on: number[]) => MOVIELENS_GENRES.map((_, g) => (on.includes(g) ? '1' : '0')).join('|');
  const uItem = [`1|Toy Story (1995)|01-Jan-1995||http://x|${flags([3, 4, 5])}`, `2|GoldenEye (1995)|01-Jan-1995||http://y|${flags([1, 2, 16])}`, `9|Dead Man Walking (1995)|01-Jan-1995||http://z|${flags([8])}`, ''].join('\n');

  it('movieLensGenres maps u.item flags to genre ids over the ratings loader\'s item ids, skipping unrated movies', () => {
    const items = IdMap.from([2, 1]); // dense 0 = movie 2, dense 1 = movie 1; movie 9 has no ratings
    const g = movieLensGenres(uItem, items);
    expect(g.numItems).toBe(2);
    expect(g.numAttributes).toBe(19);
    expect(Array.from(g.attributes.subarray(g.offsets[0], g.offsets[1]), (a) => g.names.toRaw(a))).toEqual(['Action', 'Adventure', 'Thriller']);
    expect(Array.from(g.attributes.subarray(g.offsets[1], g.offsets[2]), (a) => g.names.toRaw(a))).toEqual(['Animation', "Children's", 'Comedy']);
    expect(g.unknownItems).toBe(1);
  });

  it('movieLensGenres names the line of a malformed row', () => {
    expect(() => movieLensGenres('1|Toy Story|x\n', IdMap.from([1]))).toThrow("movieLensGenres: line 1 must have 24 '|'-separated fields, got 3");
    expect(() => movieLensGenres(uItem.replace('|0|0|0|1|1|1', '|0|0|0|1|2|1'), IdMap.from([1]))).toThrow("movieLensGenres: line 1 field 10 (Children's) must be 0 or 1, got \"2\"");
  });

  it('itemAttributes reads item,attribute pairs (string or numeric item ids), skips unknown items, dedupes', () => {
    const items = IdMap.from(['a', 'b', 'c']);
    const x = itemAttributes('item,attribute\nb,rock\na,jazz\nb,live\nb,rock\nz,pop\n', items, { header: true });
    expect(x.numItems).toBe(3);
    expect(x.numAttributes).toBe(3);
    expect(Array.from(x.offsets)).toEqual([0, 1, 3, 3]);
    expect(Array.from(x.attributes, (a) => x.names.toRaw(a))).toEqual(['jazz', 'rock', 'live']);
    expect(x.unknownItems).toBe(1);
    const n = itemAttributes('10\tx\n20\ty\n', IdMap.from([20, 10]), { delimiter: '\t' });
    expect(Array.from(n.attributes)).toEqual([1, 0]);
    expect(() => itemAttributes('a,rock\nb\n', items)).toThrow('itemAttributes: line 2 must be item,attribute, got "b"');
  });
});
