import { idHash128, IdSet } from './id-set';

describe('idHash128', () => {
  // golden values: Python's mmh3 5.x, mmh3.hash128(s.encode('utf-16-le'), 0, x64arch=False, signed=False)
  // split into four 32-bit words, low word first
  it.each([
    ['a', [54243734, 3438235617, 3438235617, 3438235617]],
    ['event-1', [3999163502, 1649908735, 2445949936, 2071899979]],
    ['abcdefg', [2233458270, 4162493099, 708124466, 4203646119]],
    ['abcdefgh', [1815443029, 2381879457, 2808947469, 1108635924]],
    ['abcdefghi', [396613426, 938402950, 80977633, 4001328604]],
    ['evt-12345678901234567', [1522464270, 1478947530, 2665876622, 2270303657]],
    ['ünïcødé-😀', [1054082497, 4038429512, 3874036645, 953474817]],
  ])('is MurmurHash3 x86_128 of the UTF-16LE code units of %j', (id, want) => {
    const h = new Uint32Array(4);
    idHash128(id, h);
    expect(Array.from(h)).toEqual(want);
  });

  it('maps the all-zero hash (the empty slot; mmh3 of the empty string) to [1, 0, 0, 0]', () => {
    const h = new Uint32Array(4);
    idHash128('', h);
    expect(Array.from(h)).toEqual([1, 0, 0, 0]);
  });
});

describe('IdSet', () => {
  it('holds every id added, however many, and no other', () => {
    const s = new IdSet(4);
    const n = 50000;
    let added = 0;
    for (let k = 0; k < n; k++) if (s.add(`e${k}`)) added++;
    expect(added).toBe(n);
    expect(s.size).toBe(n);
    let held = 0;
    let others = 0;
    for (let k = 0; k < n; k++) if (s.has(`e${k}`)) held++;
    for (let k = 0; k < n; k++) if (s.has(`f${k}`)) others++;
    expect([held, others]).toEqual([n, 0]);
    expect(s.add('e0')).toBe(false);
    expect(s.add(`e${n - 1}`)).toBe(false);
    expect(s.size).toBe(n);
  });

  it('holds 1,100,000 ids (beyond the former window of 1,000,000) in 21 to 43 bytes an id', () => {
    const s = new IdSet();
    const n = 1_100_000;
    for (let k = 0; k < n; k++) s.add(`evt-${k}`);
    let held = 0;
    for (let k = 0; k < n; k += 7) if (s.has(`evt-${k}`)) held++;
    expect(held).toBe(Math.ceil(n / 7));
    expect(s.has('evt-0')).toBe(true);
    expect(s.has(`evt-${n}`)).toBe(false);
    expect(s.size).toBe(n);
    expect(s.slots).toBe(2 ** 21); // the smallest power of two with n <= 3/4 of it
    expect(s.bytes / s.size).toBeCloseTo((2 ** 21 * 16) / n, 6); // 30.5 bytes an id
  });

  it('doubles when more than 3/4 of its slots are full: 16 bytes a slot, 21 to 43 bytes an id', () => {
    const s = new IdSet(1);
    expect(s.slots).toBe(16);
    for (let k = 0; k < 12; k++) s.add(`e${k}`);
    expect(s.slots).toBe(16); // 12 of 16: at 3/4
    s.add('e12');
    expect(s.slots).toBe(32); // 13 > 3/4 of 16
    for (let k = 13; k < 200000; k++) s.add(`e${k}`);
    expect(s.bytes).toBe(s.slots * 16);
    expect(s.bytes / s.size).toBeGreaterThanOrEqual(16 / 0.75);
    expect(s.bytes / s.size).toBeLessThanOrEqual(16 / 0.375);
  });

  it('saves its hashes (16 bytes an id) and is rebuilt from them holding the same ids', () => {
    const s = new IdSet();
    for (let k = 0; k < 3000; k++) s.add(`id-${k}`);
    const hashes = s.toHashes();
    expect(hashes.length).toBe(3000 * 4);
    const again = IdSet.fromHashes(hashes);
    expect(again.size).toBe(3000);
    expect(Array.from({ length: 3000 }, (_, k) => `id-${k}`).every((id) => again.has(id))).toBe(true);
    expect(again.has('id-3000')).toBe(false);
    expect(IdSet.fromHashes(new Uint32Array(0)).size).toBe(0);
  });

  it('saves its hashes less those of another set (the ids of records not yet applied)', () => {
    const s = new IdSet();
    const queued = new IdSet();
    for (let k = 0; k < 100; k++) s.add(`id-${k}`);
    for (let k = 90; k < 110; k++) queued.add(`id-${k}`);
    const saved = IdSet.fromHashes(s.toHashes(queued));
    expect(saved.size).toBe(90);
    expect(saved.has('id-89')).toBe(true);
    expect(saved.has('id-90')).toBe(false);
  });

  it('refuses hashes that no IdSet wrote, naming the problem', () => {
    expect(() => IdSet.fromHashes(new Uint32Array(5))).toThrow('IdSet.fromHashes: hashes must be a Uint32Array whose length is a multiple of 4, got length 5');
    expect(() => IdSet.fromHashes(new Uint32Array(8))).toThrow('IdSet.fromHashes: hashes must not hold the empty (all-zero) hash, got one at index 0');
    expect(() => IdSet.fromHashes(Uint32Array.of(1, 2, 3, 4, 1, 2, 3, 4))).toThrow('IdSet.fromHashes: hashes must be distinct, got a repeat at index 1');
    expect(() => new IdSet(0)).toThrow('IdSet: capacity must be a positive integer, got 0');
  });
});
