import { seededRng, randInt } from '@memrec/core';
import { findNaN, relevantRanksRow, topKRow } from './topk';

/** Reference: full sort of the non-excluded items by (value desc, id asc). */
function referenceOrder(row: Float32Array, exclude: Set<number>, distance: boolean): number[] {
  const ids = Array.from({ length: row.length }, (_, j) => j).filter((j) => !exclude.has(j));
  const s = distance ? -1 : 1;
  return ids.sort((a, b) => (s * row[a] !== s * row[b] ? s * row[b] - s * row[a] : a - b));
}

describe('topKRow', () => {
  test('hand case: excluded item skipped, ties go to the lower id', () => {
    const out = new Int32Array(3);
    // scores 0:0.1 1:0.9(excluded) 2:0.5 3:0.9 4:0.5 -> order 3, 2, 4, 0
    expect(topKRow(Float32Array.from([0.1, 0.9, 0.5, 0.9, 0.5]), 3, Int32Array.from([1]), false, out)).toBe(3);
    expect(Array.from(out)).toEqual([3, 2, 4]);
  });

  test('distance kind ranks the smallest value first', () => {
    const out = new Int32Array(2);
    topKRow(Float32Array.from([3, 1, 2, 1]), 2, new Int32Array(0), true, out);
    expect(Array.from(out)).toEqual([1, 3]);
  });

  test('returns fewer than k when fewer items remain', () => {
    const out = new Int32Array(5);
    expect(topKRow(Float32Array.from([1, 2, 3]), 5, Int32Array.from([0, 2]), false, out)).toBe(1);
    expect(out[0]).toBe(1);
  });

  test('equals a full sort on random rows with many ties (seeded)', () => {
    const rng = seededRng(11);
    for (let t = 0; t < 200; t++) {
      const n = 1 + randInt(rng, 60);
      const row = Float32Array.from({ length: n }, () => randInt(rng, 6) - 3 + (rng() < 0.1 ? -Infinity : 0));
      const ex = new Set<number>();
      for (let e = randInt(rng, n); e > 0; e--) ex.add(randInt(rng, n));
      const exclude = Int32Array.from([...ex].sort((a, b) => a - b));
      const k = 1 + randInt(rng, 12);
      const distance = rng() < 0.5;
      const out = new Int32Array(k);
      const got = topKRow(row, k, exclude, distance, out);
      const want = referenceOrder(row, ex, distance).slice(0, k);
      expect(Array.from(out.subarray(0, got))).toEqual(want);
    }
  });
});

describe('relevantRanksRow', () => {
  test('hand case: positions among non-excluded items', () => {
    // scores 0:0.3 1:0.9 2:0.5 3:0.7(excluded) 4:0.5 -> ranking 1, 2, 4, 0 ; relevant {0, 4} at 3 and 2
    const pos = new Int32Array(2);
    const n = relevantRanksRow(Float32Array.from([0.3, 0.9, 0.5, 0.7, 0.5]), Int32Array.from([0, 4]), Int32Array.from([3]), false, pos);
    expect(n).toBe(4);
    expect(Array.from(pos)).toEqual([2, 3]);
  });

  test('equals positions in a full sort on random rows with ties (seeded)', () => {
    const rng = seededRng(12);
    for (let t = 0; t < 200; t++) {
      const n = 2 + randInt(rng, 50);
      const row = Float32Array.from({ length: n }, () => randInt(rng, 5));
      const ex = new Set<number>();
      const rel = new Set<number>();
      for (let j = 0; j < n; j++) {
        const r = rng();
        if (r < 0.2) ex.add(j);
        else if (r < 0.35) rel.add(j);
      }
      const distance = rng() < 0.5;
      const order = referenceOrder(row, ex, distance);
      const want = order.map((id, p) => (rel.has(id) ? p : -1)).filter((p) => p >= 0);
      const pos = new Int32Array(rel.size);
      const ranked = relevantRanksRow(row, Int32Array.from([...rel].sort((a, b) => a - b)), Int32Array.from([...ex].sort((a, b) => a - b)), distance, pos);
      expect(ranked).toBe(order.length);
      expect(Array.from(pos)).toEqual(want);
    }
  });
});

test('relevantRanksRow with one relevant item (leave-one-out) equals a full sort, ties and exclusions included (seeded)', () => {
  const rng = seededRng(14);
  for (let t = 0; t < 300; t++) {
    const n = 1 + randInt(rng, 60);
    const row = Float32Array.from({ length: n }, () => randInt(rng, 4)); // many ties
    const target = randInt(rng, n);
    const ex = new Set<number>();
    for (let j = 0; j < n; j++) if (j !== target && rng() < 0.25) ex.add(j);
    const distance = rng() < 0.5;
    const order = referenceOrder(row, ex, distance);
    const pos = new Int32Array(1);
    relevantRanksRow(row, Int32Array.of(target), Int32Array.from([...ex].sort((a, b) => a - b)), distance, pos);
    expect(pos[0]).toBe(order.indexOf(target));
  }
});

test('relevantRanksRow equals a full sort on long continuous rows with many relevant items (seeded)', () => {
  const rng = seededRng(13);
  for (let t = 0; t < 5; t++) {
    const n = 3000;
    // a few exact duplicates of relevant values exercise the tie path inside binned ranges
    const row = Float32Array.from({ length: n }, () => rng() * 2 - 1);
    const rel = new Set<number>();
    while (rel.size < 40) rel.add(randInt(rng, n));
    const relSorted = [...rel].sort((a, b) => a - b);
    for (let d = 0; d < 10; d++) row[randInt(rng, n)] = row[relSorted[randInt(rng, 40)]];
    const ex = new Set<number>();
    for (let e = 0; e < 300; e++) {
      const j = randInt(rng, n);
      if (!rel.has(j)) ex.add(j);
    }
    const order = referenceOrder(row, ex, false);
    const want = order.map((id, p) => (rel.has(id) ? p : -1)).filter((p) => p >= 0);
    const pos = new Int32Array(40);
    relevantRanksRow(row, Int32Array.from(relSorted), Int32Array.from([...ex].sort((a, b) => a - b)), false, pos);
    expect(Array.from(pos)).toEqual(want);
  }
});

test('findNaN finds the first NaN', () => {
  expect(findNaN(Float32Array.from([1, 2, NaN, NaN]))).toBe(2);
  expect(findNaN(Float32Array.from([1, Infinity]))).toBe(-1);
});
