import { dnsSampler } from './dns';
import { expectValidNegatives, fixtureSet } from './test-fixtures';

const USERS = Int32Array.from([0, 1, 2, 3]);
const POS = Int32Array.from([1, 4, 9, 0]);

/** A scorer that records every call; score(u, i) = (i * 7919 + u * 31) % 97, a fixed scramble. */
function recordingScorer() {
  const calls: { users: Int32Array; items: Int32Array; scores: Float32Array }[] = [];
  const score = (users: Int32Array, items: Int32Array) => {
    const s = new Float32Array(users.length);
    for (let k = 0; k < s.length; k++) s[k] = (items[k] * 7919 + users[k] * 31) % 97;
    calls.push({ users: users.slice(), items: items.slice(), scores: s });
    return s;
  };
  return { calls, score };
}

describe('dnsSampler', () => {
  it.each(['score', 'distance'] as const)('keeps the hardest of each group of T valid candidates (%s)', (kind) => {
    const seen = fixtureSet();
    const { calls, score } = recordingScorer();
    const T = 8;
    const n = 3;
    const s = dnsSampler({ seen, candidates: T, score, kind, seed: 4 });
    const negs = s.sample(USERS, POS, n);
    expect(calls.length).toBe(1);
    const { users, items, scores } = calls[0];
    expect(users.length).toBe(USERS.length * n * T);
    expectValidNegatives(seen, Int32Array.from(users.filter((_, k) => k % (n * T) === 0)), POS, n * T, items);
    for (let g = 0; g < USERS.length * n; g++) {
      expect(users[g * T]).toBe(USERS[Math.floor(g / n)]);
      let best = g * T;
      for (let t = 1; t < T; t++) {
        const v = scores[g * T + t];
        if (kind === 'score' ? v > scores[best] : v < scores[best]) best = g * T + t;
      }
      expect(negs[g]).toBe(items[best]);
    }
  });

  it('never returns a positive over 30 seeds and repeats draws for equal seeds', () => {
    const seen = fixtureSet();
    for (let seed = 0; seed < 30; seed++) {
      const a = dnsSampler({ seen, candidates: 4, score: recordingScorer().score, seed }).sample(USERS, POS, 5);
      const b = dnsSampler({ seen, candidates: 4, score: recordingScorer().score, seed }).sample(USERS, POS, 5);
      expectValidNegatives(seen, USERS, POS, 5, a);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
  });

  it('rejects bad options, bad scorer output and NaN scores', () => {
    const seen = fixtureSet();
    const score = recordingScorer().score;
    expect(() => dnsSampler({ seen, candidates: 0, score })).toThrow('dnsSampler: candidates must be an integer >= 1, got 0');
    expect(() => dnsSampler({ seen, score: 3 as never })).toThrow('dnsSampler: score must be a function');
    expect(() => dnsSampler({ seen, score, kind: 'rank' as never })).toThrow(`dnsSampler: kind must be 'score' or 'distance', got "rank"`);
    const short = dnsSampler({ seen, candidates: 2, score: () => new Float32Array(1) });
    expect(() => short.sample(USERS, POS, 1)).toThrow('dnsSampler.sample: score must return a Float32Array of length batch * n * candidates = 8, got Float32Array(1)');
    const nan = dnsSampler({ seen, candidates: 2, score: (u) => new Float32Array(u.length).fill(NaN) });
    expect(() => nan.sample(USERS, POS, 1)).toThrow('dnsSampler.sample: score returned NaN for user 0');
    expect(() => short.sample(USERS, POS, 0)).toThrow('dnsSampler.sample: n must be an integer >= 1, got 0');
  });
});
