import { randInt, seededRng, type Rng } from '@memrec/core';
import { RowRanker } from './row-ranker';

/** Reference: full sort of the non-excluded items by (key desc, id asc), key = -value for distances. */
function referenceOrder(row: Float32Array, exclude: Set<number>, distance: boolean): number[] {
  const ids = Array.from({ length: row.length }, (_, j) => j).filter((j) => !exclude.has(j));
  const key = (j: number) => (distance ? -row[j] : row[j]);
  return ids.sort((a, b) => (key(a) !== key(b) ? (key(a) < key(b) ? 1 : -1) : a - b));
}

/** A random row: few distinct values (ties), or continuous floats with a few copies, sometimes +-Infinity and -0. */
function randomRow(rng: Rng, n: number): Float32Array {
  const tied = rng() < 0.4;
  const levels = 1 + randInt(rng, 8);
  const row = Float32Array.from({ length: n }, () => (tied ? randInt(rng, levels) - 3 : rng() * 2 - 1));
  for (let d = randInt(rng, 1 + (n >> 3)); d > 0; d--) row[randInt(rng, n)] = row[randInt(rng, n)];
  if (rng() < 0.2) row[randInt(rng, n)] = rng() < 0.5 ? Infinity : -Infinity;
  if (rng() < 0.2) row[randInt(rng, n)] = -0;
  return row;
}

interface Case {
  /** The scores, with the row at `offset` (NaN around it). */
  row: Float32Array;
  n: number;
  exclude: Int32Array;
  relevant: Int32Array;
  distance: boolean;
  k: number;
  offset: number;
}

function randomCase(rng: Rng): Case {
  const n = 1 + randInt(rng, rng() < 0.5 ? 80 : 1500);
  const row = randomRow(rng, n);
  const ex = new Set<number>();
  const rel = new Set<number>();
  const exRate = rng() * 0.5;
  const relRate = rng() < 0.3 ? 0.3 : rng() * 0.02;
  for (let j = 0; j < n; j++) {
    const r = rng();
    if (r < exRate) ex.add(j);
    else if (r < exRate + relRate) rel.add(j);
  }
  const sorted = (s: Set<number>) => Int32Array.from([...s].sort((a, b) => a - b));
  // the row sits at an offset inside a larger array, like a row of a chunk of scores
  const offset = randInt(rng, 3) * n;
  const chunk = new Float32Array(offset + n + randInt(rng, 2) * n).fill(NaN);
  chunk.set(row, offset);
  return { row: chunk, n, exclude: sorted(ex), relevant: sorted(rel), distance: rng() < 0.5, k: [0, 1, 5, 10, 20, 40][randInt(rng, 6)], offset };
}

function check(ranker: RowRanker, c: Case): void {
  const row = c.row.subarray(c.offset, c.offset + c.n);
  const order = referenceOrder(row, new Set(c.exclude), c.distance);
  const relSet = new Set(c.relevant);
  const wantPositions = order.map((id, p) => (relSet.has(id) ? p : -1)).filter((p) => p >= 0);
  const top = new Int32Array(c.k).fill(-1);
  const positions = new Int32Array(c.relevant.length).fill(-1);
  const ranked = ranker.rank(c.row, c.offset, c.n, c.exclude, c.distance, c.k, top, c.relevant, positions);
  expect(ranked).toBe(order.length);
  expect(Array.from(top.subarray(0, ranker.count))).toEqual(order.slice(0, c.k));
  expect(Array.from(positions)).toEqual(wantPositions);
}

describe('RowRanker', () => {
  test('runs the SIMD kernels in this runtime (else the tests below would check only the plain path)', () => {
    expect(new RowRanker().simd).toBe(true);
    expect(new RowRanker({ wasm: false }).simd).toBe(false);
  });

  test.each([
    ['SIMD', true],
    ['plain', false],
  ])('%s path equals a full sort: top k, positions of the relevant items, ranked count (seeded, ties, exclusions, both kinds)', (_, wasm) => {
    const rng = seededRng(wasm ? 21 : 22);
    const ranker = new RowRanker({ wasm: wasm as boolean });
    for (let t = 0; t < 400; t++) check(ranker, randomCase(rng));
    if (wasm) {
      // most rows take the SIMD path (rows with fewer groups of 16 items than k fall back)
      expect(ranker.rows.simd).toBeGreaterThan(200);
    } else {
      expect(ranker.rows.simd).toBe(0);
    }
  });

  test('ties with the k-th best and with relevant items across block bounds (SIMD path)', () => {
    const ranker = new RowRanker();
    const n = 100;
    // every value 1 except a few 2s: the top k cuts through a long run of ties
    const row = new Float32Array(n).fill(1);
    for (const j of [3, 40, 77]) row[j] = 2;
    const c = { row, n, exclude: Int32Array.from([0, 16, 33, 50]), relevant: Int32Array.from([15, 17, 40, 99]), distance: false, k: 5, offset: 0 };
    check(ranker, c);
    check(ranker, { ...c, distance: true });
    expect(ranker.rows.simd).toBe(2);
  });

  test('a relevant item at -Infinity, or fewer groups of 16 items than k: the plain path, same numbers', () => {
    const ranker = new RowRanker();
    const row = Float32Array.from({ length: 64 }, (_, j) => (j * 37) % 11);
    row[9] = -Infinity;
    check(ranker, { row, n: 64, exclude: Int32Array.from([2, 3]), relevant: Int32Array.from([9, 20]), distance: false, k: 3, offset: 0 });
    check(ranker, { row, n: 64, exclude: Int32Array.from([2, 3]), relevant: Int32Array.from([20]), distance: false, k: 5, offset: 0 }); // 4 groups of 16 < k
    expect(ranker.rows).toEqual({ simd: 0, plain: 2 });
  });

  test('returns -1 when the row holds a NaN, excluded items included', () => {
    for (const wasm of [true, false]) {
      const ranker = new RowRanker({ wasm });
      const row = Float32Array.from({ length: 300 }, (_, j) => j % 7);
      const top = new Int32Array(3);
      const pos = new Int32Array(1);
      expect(ranker.rank(row, 0, 300, Int32Array.from([5]), false, 3, top, Int32Array.of(9), pos)).toBe(300 - 1);
      row[250] = NaN;
      expect(ranker.rank(row, 0, 300, Int32Array.from([5]), false, 3, top, Int32Array.of(9), pos)).toBe(-1);
      row[250] = 0;
      row[5] = NaN; // excluded
      expect(ranker.rank(row, 0, 300, Int32Array.from([5]), true, 3, top, Int32Array.of(9), pos)).toBe(-1);
    }
  });
});
