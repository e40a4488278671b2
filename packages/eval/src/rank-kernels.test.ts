import { randInt, seededRng, type Rng } from '@memrec/core';
import { assembleWasm } from '@memrec/core/internal';
import { MAX_THRESHOLDS, RANK_WASM_FUNCTIONS } from './rank-kernels';

type Kernel = (...args: number[]) => number;
interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

function instantiate(): { k: Record<string, Kernel>; f32: Float32Array; i32: Int32Array } {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(assembleWasm(RANK_WASM_FUNCTIONS)), { env: { memory } });
  return { k: instance.exports as unknown as Record<string, Kernel>, f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer) };
}

/** Keys with ties (few levels) or continuous, some +-Infinity. */
function randomKeys(rng: Rng, n: number): number[] {
  const levels = rng() < 0.5 ? 1 + randInt(rng, 6) : 0;
  return Array.from({ length: n }, () => {
    if (rng() < 0.03) return rng() < 0.5 ? Infinity : -Infinity;
    return Math.fround(levels > 0 ? randInt(rng, levels) : rng() * 2 - 1);
  });
}

const OUT = 1 << 16; // byte offset of outputs, past the keys

describe('rank kernels (WebAssembly SIMD) against plain arithmetic', () => {
  const { k, f32, i32 } = instantiate();

  test('runMax / negRunMax: lane maxima of each run of 64 keys, NaN flag; negRunMax negates in place', () => {
    const rng = seededRng(31);
    for (let t = 0; t < 50; t++) {
      const runs = 1 + randInt(rng, 8);
      const keys = randomKeys(rng, 64 * runs);
      const negate = rng() < 0.5;
      f32.set(keys, 0);
      const nan = rng() < 0.2 ? randInt(rng, keys.length) : -1;
      if (nan >= 0) f32[nan] = NaN;
      expect(k[negate ? 'negRunMax' : 'runMax'](0, 256 * runs, OUT)).toBe(nan >= 0 ? 1 : 0);
      if (nan >= 0) continue;
      const key = (j: number) => (negate ? -keys[j] : keys[j]);
      for (let r = 0; r < runs; r++) {
        for (let l = 0; l < 4; l++) {
          let m = -Infinity;
          for (let v = 0; v < 16; v++) m = Math.max(m, key(64 * r + 4 * v + l));
          expect(f32[OUT / 4 + 4 * r + l]).toBe(m);
        }
      }
      if (negate) expect(Array.from(f32.subarray(0, keys.length))).toEqual(keys.map((x) => -x));
    }
  });

  test('superMax: lane maxima of each 4 vectors', () => {
    const rng = seededRng(32);
    const vals = randomKeys(rng, 4 * 12);
    f32.set(vals, 0);
    k.superMax(0, 12, OUT);
    for (let g = 0; g < 3; g++) for (let l = 0; l < 4; l++) expect(f32[OUT / 4 + 4 * g + l]).toBe(Math.max(...[0, 1, 2, 3].map((v) => vals[16 * g + 4 * v + l])));
  });

  test('kthLargest and kthByCount: the k-th largest value, ties included', () => {
    const rng = seededRng(33);
    for (let t = 0; t < 200; t++) {
      const count = 4 * (1 + randInt(rng, 40));
      const vals = randomKeys(rng, count);
      const kk = 1 + randInt(rng, count);
      f32.set(vals, 0);
      const want = [...vals].sort((a, b) => b - a)[kk - 1];
      expect(k.kthLargest(0, count, kk, OUT)).toBe(want);
      expect(k.kthByCount(0, count, kk)).toBe(want);
    }
  });

  test('topK: the best k keys >= tau, best first, equal keys by lower id', () => {
    const rng = seededRng(34);
    for (let t = 0; t < 100; t++) {
      const runs = 1 + randInt(rng, 10);
      const keys = randomKeys(rng, 64 * runs);
      f32.set(keys, 0);
      k.runMax(0, 256 * runs, OUT);
      const kk = 1 + randInt(rng, 30);
      const order = keys.map((_, j) => j).sort((a, b) => (keys[a] !== keys[b] ? (keys[a] < keys[b] ? 1 : -1) : a - b));
      // any tau at or below the k-th best key (and above -Infinity) gives the same top k
      const kth = keys[order[Math.min(kk, order.length) - 1]];
      const tau = rng() < 0.5 ? kth : Math.max(-3, kth - rng());
      if (!(tau > -Infinity)) continue;
      const size = k.topK(OUT, runs, tau, kk, 2 * OUT, 3 * OUT);
      const listed = order.filter((j) => keys[j] >= tau);
      expect(size).toBe(Math.min(kk, listed.length));
      expect(Array.from(i32.subarray(2 * OUT / 4, 2 * OUT / 4 + size))).toEqual(listed.slice(0, kk));
    }
  });

  test('exclude: sets the listed keys to the sentinel, counts distinct ids below n (negative ones count, write nothing), -1 on a NaN key', () => {
    f32.set([1, 2, 3, 4, 5, 6], 0);
    i32.set([-2, 0, 0, 3, 5, 6, 9], OUT / 4);
    expect(k.exclude(OUT, 7, 6, -Infinity)).toBe(4); // -2, 0, 3, 5
    expect(Array.from(f32.subarray(0, 6))).toEqual([-Infinity, 2, 3, -Infinity, 5, -Infinity]);
    expect(k.exclude(OUT, 0, 6, -Infinity)).toBe(0);
    f32[4] = NaN;
    i32.set([1, 4], OUT / 4);
    expect(k.exclude(OUT, 2, 6, Infinity)).toBe(-1);
  });

  test.each(Array.from({ length: MAX_THRESHOLDS }, (_, g) => g + 1))('count%i: keys above each threshold, thresholds switching at segment bounds', (G) => {
    const rng = seededRng(40 + G);
    for (let t = 0; t < 100; t++) {
      const n = 1 + randInt(rng, 300);
      const keys = randomKeys(rng, n);
      f32.set(keys, 0);
      const bounds = [0, ...Array.from({ length: G }, () => randInt(rng, n + 1)).sort((a, b) => a - b), n];
      const thr = Array.from({ length: (G + 1) * G }, () => (rng() < 0.5 ? keys[randInt(rng, n)] : Math.fround(rng() * 2 - 1)));
      i32.set(bounds, OUT / 4);
      f32.set(thr, OUT / 4 + G + 2);
      k[`count${G}`](OUT, 2 * OUT);
      for (let h = 0; h < G; h++) {
        let want = 0;
        for (let s = 0; s <= G; s++) for (let j = bounds[s]; j < bounds[s + 1]; j++) if (keys[j] > thr[s * G + h]) want++;
        expect(i32[2 * OUT / 4 + h]).toBe(want);
      }
    }
  });
});
