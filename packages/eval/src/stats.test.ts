import { normalCdf, studentTCdf, studentTQuantile, incompleteBeta } from './distributions';
import { pairedTTest, summarize, wilcoxonSignedRank } from './stats';

describe('distributions', () => {
  // Golden values: scipy 1.17 stats.t.ppf(0.975, df).
  test.each([
    [1, 12.70620474],
    [2, 4.30265273],
    [4, 2.77644511],
    [9, 2.26215716],
    [29, 2.04522964],
    [1000, 1.96233908],
  ])('t quantile 0.975 with df=%d', (df, want) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(want, 6);
    expect(studentTQuantile(0.025, df)).toBeCloseTo(-want, 6);
  });

  test('t and normal CDFs, incomplete beta', () => {
    expect(studentTCdf(2.228, 10)).toBeCloseTo(0.9749941140914443, 8); // scipy stats.t.cdf
    expect(studentTCdf(0, 3)).toBe(0.5);
    // t with 1 df is Cauchy: F(1) = 1/2 + atan(1)/pi = 0.75
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 10);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    // I_x(1, 1) = x; I_0.5(2, 2) = 0.5 by symmetry
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
  });
});

describe('summarize', () => {
  test('mean, sample std and t interval', () => {
    // mean 0.62; deviations -0.01, 0.01, 0 -> std = sqrt(0.0002 / 2) = 0.01;
    // half width = 4.30265 * 0.01 / sqrt(3) = 0.0248414 (scipy: (0.59516, 0.64484))
    const s = summarize([0.61, 0.63, 0.62]);
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.62, 12);
    expect(s.std).toBeCloseTo(0.01, 12);
    expect(s.ci95[0]).toBeCloseTo(0.5951586228824967, 8);
    expect(s.ci95[1]).toBeCloseTo(0.6448413771175033, 8);
  });

  test('one value gives a zero-width interval; bad input is named', () => {
    expect(summarize([0.5])).toEqual({ n: 1, mean: 0.5, std: 0, ci95: [0.5, 0.5] });
    expect(() => summarize([])).toThrow('summarize: values must hold at least 1 number(s), got 0');
    expect(() => summarize([1, NaN])).toThrow('summarize: values[1] must be a finite number, got NaN');
  });
});

describe('wilcoxonSignedRank', () => {
  test('textbook example with a zero and a tie (Wikipedia, "Wilcoxon signed-rank test")', () => {
    const a = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135];
    const b = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145];
    // d = 15 -7 5 20 0 -9 17 -12 5 -10; zero dropped (n = 9); |d| ranks: 5,5 -> 1.5 each, 7 -> 3,
    // 9 -> 4, 10 -> 5, 12 -> 6, 15 -> 7, 17 -> 8, 20 -> 9. W+ = 7 + 1.5 + 9 + 8 + 1.5 = 27, W- = 18.
    // var = 9*10*19/24 - (2^3 - 2)/48 = 71.125; z = (27 - 22.5 - 0.5) / sqrt(71.125) = 0.47430
    const r = wilcoxonSignedRank(a, b);
    expect(r.n).toBe(9);
    expect(r.zeros).toBe(1);
    expect(r.wPlus).toBe(27);
    expect(r.wMinus).toBe(18);
    expect(r.z).toBeCloseTo(4 / Math.sqrt(71.125), 12);
    expect(r.pValue).toBeCloseTo(0.6352893188352069, 6); // scipy.stats.wilcoxon(..., correction=True, method='approx')
  });

  test('several tie groups and two zeros', () => {
    // d = 2 0 3 -1 2 2 0 3 -> n = 6; ranks |1| -> 1, |2| x3 -> 3, |3| x2 -> 5.5; W+ = 9 + 11 = 20
    // var = 6*7*13/24 - ((27 - 3) + (8 - 2))/48 = 22.125; z = (20 - 10.5 - 0.5)/sqrt(22.125)
    const r = wilcoxonSignedRank([5, 2, 9, 4, 4, 7, 1, 3], [3, 2, 6, 5, 2, 5, 1, 0]);
    expect(r.wPlus).toBe(20);
    expect(r.z).toBeCloseTo(9 / Math.sqrt(22.125), 12);
    expect(r.pValue).toBeCloseTo(0.05569962596664964, 6); // scipy
  });

  test('identical inputs give p = 1; a clear shift a small p; unequal lengths are an error', () => {
    expect(wilcoxonSignedRank([1, 2, 3], [1, 2, 3]).pValue).toBe(1);
    const up = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(wilcoxonSignedRank(up, new Array(20).fill(0)).pValue).toBeCloseTo(9.569173157059432e-5, 8); // scipy
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow('wilcoxonSignedRank: a and b must be paired (equal length), got 2 and 1');
  });
});

describe('pairedTTest', () => {
  test('matches scipy.stats.ttest_rel', () => {
    // d = .02 .03 .01 .04 .01 -> mean .022, sd .013038; t = .022 / (.013038 / sqrt 5) = 3.77297
    const r = pairedTTest([0.62, 0.64, 0.61, 0.66, 0.63], [0.6, 0.61, 0.6, 0.62, 0.62]);
    expect(r.statistic).toBeCloseTo(3.7729688731351945, 8);
    expect(r.pValue).toBeCloseTo(0.019554212720304616, 8);
    expect(r.meanDifference).toBeCloseTo(0.022, 12);
  });

  test('constant differences and bad input', () => {
    expect(pairedTTest([1, 2], [1, 2]).pValue).toBe(1);
    expect(pairedTTest([2, 3], [1, 2]).pValue).toBe(0);
    expect(() => pairedTTest([1], [2])).toThrow('pairedTTest: a must hold at least 2 number(s), got 1');
  });
});
