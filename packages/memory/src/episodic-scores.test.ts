import { testFloats } from '@memrec/test-helpers';
import { episodicQueryGate, episodicReadHost } from './episodic-ops';
import { EpisodicGateCache, episodicScoresHost } from './episodic-scores';

// the per-candidate reference: episodicReadHost into a float32 buffer, then (user + q) . q_0 in float64
function reference(queries: Float32Array, slots: Float32Array, n: number, D: number, Wq: Float32Array, Wo: Float32Array, bg: Float32Array, hops: number, user: Float32Array, temperature: number): Float32Array {
  const nq = queries.length / D;
  const q = episodicReadHost({ queries, slots, length: n, dim: D, Wq, Wo, bg, hops, temperature }, new Float32Array(nq * D));
  const out = new Float32Array(nq);
  for (let r = 0; r < nq; r++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += (user[d] + q[r * D + d]) * queries[r * D + d];
    out[r] = s;
  }
  return out;
}

describe('episodicScoresHost', () => {
  // D 8 runs the four-wide loops only, D 7 and 6 their remainders too; lengths cover 0 to 11 slots (every block-of-4 / 2 / 1 remainder)
  for (const D of [8, 7, 6]) {
    it(`equals episodicReadHost followed by the inner product bit for bit (D ${D}, 0 to 11 slots, 1 to 3 hops, temperatures 1 and 0.7)`, () => {
      const nq = 23;
      const queries = testFloats(nq * D, 21 + D, 1.2);
      const slots = testFloats(11 * D, 22 + D, 1.5);
      const Wq = testFloats(D * D, 23, 0.5);
      const Wo = testFloats(D * D, 24, 0.5);
      const bg = testFloats(D, 25, 0.3);
      const user = testFloats(D, 26);
      const gate = episodicQueryGate(queries, Wq, bg, D);
      for (let n = 0; n <= 11; n++) {
        for (const hops of [1, 2, 3]) {
          for (const temperature of [1, 0.7]) {
            const got = episodicScoresHost({ queries, queryGate: gate, slots, length: n, dim: D, Wo, hops, user, temperature }, new Float32Array(nq));
            expect(Array.from(got)).toEqual(Array.from(reference(queries, slots, n, D, Wq, Wo, bg, hops, user, temperature)));
          }
        }
      }
    });
  }

  it('writes into out and returns it', () => {
    const D = 4;
    const queries = testFloats(3 * D, 31);
    const out = new Float32Array(3);
    const r = episodicScoresHost({ queries, queryGate: new Float32Array(3 * D), slots: new Float32Array(0), length: 0, dim: D, Wo: new Float32Array(D * D), hops: 1, user: new Float32Array(D) }, out);
    expect(r).toBe(out);
    // no slots, gate 0: g = 0.5, q_1 = q_0 / 2, score = |q_0|^2 / 2
    for (let r2 = 0; r2 < 3; r2++) {
      let sq = 0;
      for (let d = 0; d < D; d++) sq += (queries[r2 * D + d] / 2) * queries[r2 * D + d];
      expect(out[r2]).toBeCloseTo(sq, 6);
    }
  });
});

describe('EpisodicGateCache', () => {
  it('computes the gate once while queries, W_q and b_g keep their bits, and again after any of them changes', () => {
    const D = 4;
    const queries = testFloats(5 * D, 41);
    const Wq = testFloats(D * D, 42);
    const bg = testFloats(D, 43);
    const cache = new EpisodicGateCache();
    const first = cache.get(queries, Wq, bg, D);
    expect(Array.from(first)).toEqual(Array.from(episodicQueryGate(queries, Wq, bg, D)));
    expect(cache.get(queries.slice(), Wq.slice(), bg.slice(), D)).toBe(first);
    expect(cache.computed).toBe(1);
    queries[7] += 1;
    expect(Array.from(cache.get(queries, Wq, bg, D))).toEqual(Array.from(episodicQueryGate(queries, Wq, bg, D)));
    Wq[3] = -0;
    cache.get(queries, Wq, bg, D);
    bg[0] += 0.5;
    cache.get(queries, Wq, bg, D);
    const more = testFloats(6 * D, 44);
    more.set(queries);
    expect(Array.from(cache.get(more, Wq, bg, D))).toEqual(Array.from(episodicQueryGate(more, Wq, bg, D)));
    expect(cache.computed).toBe(5);
    cache.clear();
    cache.get(more, Wq, bg, D);
    expect(cache.computed).toBe(6);
  });
});
