import { MfBias, softplus } from './mf-bias';

/** Loss of a copy of `m` after `f` changes one parameter by h (float64 reference of s = p.q + b). */
function lossAt(m: MfBias, loss: (s: (u: number, i: number) => number) => number, which: 'p' | 'q' | 'b', idx: number, h: number): number {
  const d = m.dim;
  const P = Float64Array.from(m.users.data);
  const Q = Float64Array.from(m.items.data);
  const B = Float64Array.from(m.bias.data);
  (which === 'p' ? P : which === 'q' ? Q : B)[idx] += h;
  const s = (u: number, i: number) => {
    let v = B[i];
    for (let k = 0; k < d; k++) v += P[u * d + k] * Q[i * d + k];
    return v;
  };
  return loss(s);
}

const cases: ['p' | 'q' | 'b', number][] = [['p', 3], ['p', 4], ['q', 0], ['q', 5], ['q', 7], ['b', 0], ['b', 1], ['b', 2]];

describe('MfBias', () => {
  it('bprStep and bceStep move every touched value by -lr x the finite-difference gradient (no L2)', () => {
    for (const step of ['bpr', 'bce0', 'bce1'] as const) {
      const m = new MfBias({ numUsers: 2, numItems: 3, dim: 3, initScale: 0.8, seed: 4 });
      m.bias.data.set([0.2, -0.1, 0.3]);
      const loss = (s: (u: number, i: number) => number) =>
        step === 'bpr' ? softplus(-(s(1, 0) - s(1, 2))) : step === 'bce1' ? softplus(-s(1, 2)) : softplus(s(1, 0));
      const grads = cases.map(([w, idx]) => (lossAt(m, loss, w, idx, 1e-5) - lossAt(m, loss, w, idx, -1e-5)) / 2e-5);
      const before = cases.map(([w, idx]) => (w === 'p' ? m.users.data : w === 'q' ? m.items.data : m.bias.data)[idx]);
      const lr = 1e-3;
      const l = step === 'bpr' ? m.bprStep(1, 0, 2, lr, 0) : step === 'bce1' ? m.bceStep(1, 2, 1, lr, 0) : m.bceStep(1, 0, 0, lr, 0);
      expect(l).toBeCloseTo(lossAt(m, loss, 'b', 0, 0) + 0, 2); // loss before the step, roughly (the step is tiny)
      cases.forEach(([w, idx], k) => {
        const after = (w === 'p' ? m.users.data : w === 'q' ? m.items.data : m.bias.data)[idx];
        expect((before[k] - after) / lr).toBeCloseTo(grads[k], 3);
      });
    }
  });

  it('L2 shrinks the touched rows only, and scoreRow / scorePairs agree with score', () => {
    const m = new MfBias({ numUsers: 2, numItems: 4, dim: 2, initScale: 0.5, seed: 1 });
    const untouched = Array.from(m.items.row(3));
    const q1 = Array.from(m.items.row(1));
    m.bceStep(0, 1, 1, 0.1, 0.5);
    expect(Array.from(m.items.row(3))).toEqual(untouched);
    expect(Array.from(m.items.row(1))).not.toEqual(q1);
    const row = new Float64Array(4);
    m.scoreRow(1, row);
    for (let i = 0; i < 4; i++) expect(row[i]).toBeCloseTo(m.score(1, i), 6);
    expect(Array.from(m.scorePairs(Int32Array.of(1, 0), Int32Array.of(2, 3)))).toEqual([Math.fround(m.score(1, 2)), Math.fround(m.score(0, 3))]);
    const back = MfBias.fromBytes(m.toBytes());
    expect(Array.from(back.scoreRows(Int32Array.of(0, 1)))).toEqual(Array.from(m.scoreRows(Int32Array.of(0, 1))));
    expect(() => new MfBias({ numUsers: 1, numItems: 1, dim: 0, initScale: 0.1, seed: 0 })).toThrow('MfBias: dim must be');
  });
});
