import { expectClose, finiteDiffGrad, testFloats } from '@memrec/test-helpers';
import { attendBackward, attendForward, pairStarts, RowGradients, type NeighbourLists } from './cmn-attention';

// 7 users, 5 items; item 3 has no neighbours; d = 5 exercises the loops' 4-wide part and remainder
const U = 7;
const d = 5;
const lists = [[0, 2, 4], [1], [0, 1, 2, 3, 5, 6], [], [6, 3]];
const nb: NeighbourLists = {
  offsets: Int32Array.from([0, ...lists.map((_, i) => lists.slice(0, i + 1).flat().length)]),
  members: Int32Array.from(lists.flat()),
};
const items = Int32Array.of(2, 3, 0, 2, 4, 1); // item 2 twice: neighbour gradients add up across queries
const P = items.length;

/** Plain float64 reference: o_t = sum_v softmax_v(z_t . m_v) c_v. */
function refAttend(z: ArrayLike<number>, m: ArrayLike<number>, c: ArrayLike<number>): number[] {
  const o: number[] = [];
  items.forEach((i, t) => {
    const vs = lists[i];
    const q = vs.map((v) => Array.from({ length: d }, (_, k) => z[t * d + k] * m[v * d + k]).reduce((a, b) => a + b, 0));
    const mx = Math.max(...q);
    const ex = q.map((x) => Math.exp(x - mx));
    const sum = ex.reduce((a, b) => a + b, 0);
    for (let k = 0; k < d; k++) o.push(vs.reduce((acc, v, s) => acc + (ex[s] / sum) * c[v * d + k], 0));
  });
  return o;
}

describe('attendForward / attendBackward', () => {
  const z = testFloats(P * d, 1, 1.5);
  const m = testFloats(U * d, 2, 1.2);
  const c = testFloats(U * d, 3);
  const R = testFloats(P * d, 4); // the objective sum(R * o) has dL/do = R

  it('reads o = sum_v softmax(z . m_v) c_v over real neighbours (zeros for an empty neighbourhood)', () => {
    const start = pairStarts(items, nb);
    expect(Array.from(start)).toEqual([0, 6, 6, 9, 15, 17, 18]);
    const p = new Float64Array(start[P]);
    const o = new Float32Array(P * d).fill(7);
    attendForward(z, items, nb, m, c, d, p, start, o);
    expectClose(o, refAttend(z, m, c), 1e-6, 1e-6);
    expect(Array.from(o.subarray(d, 2 * d))).toEqual([0, 0, 0, 0, 0]);
    expect(p[17]).toBe(1); // query 5 (item 1) has one neighbour: weight exactly 1
  });

  it('gradients of z, m and c match finite differences; every real neighbour is touched once', () => {
    const start = pairStarts(items, nb);
    const p = new Float64Array(start[P]);
    attendForward(z, items, nb, m, c, d, p, start, new Float32Array(P * d));
    const dz = new Float32Array(P * d);
    const gm = new RowGradients(U, d);
    const gc = new RowGradients(U, d);
    attendBackward(R, z, items, nb, m, c, d, p, start, dz, gm, gc);
    const x0 = [...z, ...m, ...c];
    const f = (x: Float64Array) => refAttend(x.subarray(0, P * d), x.subarray(P * d, P * d + U * d), x.subarray(P * d + U * d)).reduce((a, o, k) => a + o * R[k], 0);
    const g = finiteDiffGrad(f, x0, 1e-5);
    const scatter = (acc: RowGradients) => {
      const full = new Float64Array(U * d);
      acc.ids.forEach((id, r) => full.set(acc.grads.subarray(r * d, (r + 1) * d), id * d));
      return full;
    };
    expectClose(dz, g.subarray(0, P * d), 1e-5, 1e-4);
    expectClose(scatter(gm), g.subarray(P * d, P * d + U * d), 1e-5, 1e-4);
    expectClose(scatter(gc), g.subarray(P * d + U * d), 1e-5, 1e-4);
    expect(Array.from(dz.subarray(d, 2 * d))).toEqual([0, 0, 0, 0, 0]);
    // users 0..6 all appear in a queried neighbourhood; the first-touch order follows the queries
    expect(Array.from(gc.ids)).toEqual([0, 1, 2, 3, 5, 6, 4]);
    expect([...gm.ids].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(1e-2);
  });
});

describe('RowGradients', () => {
  it('sums rows per id in first-touch order, grows past its initial capacity, and resets', () => {
    const acc = new RowGradients(200, 2);
    for (let r = 0; r < 150; r++) {
      const o = acc.add((r * 7) % 100); // ids 0..99, each touched once or twice
      acc.buffer[o] += 1;
      acc.buffer[o + 1] += r;
    }
    expect(acc.size).toBe(100);
    expect(acc.ids[0]).toBe(0);
    expect(acc.ids[1]).toBe(7);
    const row = (id: number) => Array.from(acc.grads.subarray(acc.ids.indexOf(id) * 2, acc.ids.indexOf(id) * 2 + 2));
    expect(row(0)).toEqual([2, 100]); // r = 0 and r = 100 both map to id 0
    expect(row(49)).toEqual([2, 114]); // r = 7 and r = 107 (749 mod 100 = 49)
    expect(row(50)).toEqual([1, 50]); // only r = 50 (350 mod 100; 1050 is past r = 149)
    acc.reset();
    expect(acc.size).toBe(0);
    const o = acc.add(0);
    expect(Array.from(acc.buffer.subarray(o, o + 2))).toEqual([0, 0]);
  });
});
