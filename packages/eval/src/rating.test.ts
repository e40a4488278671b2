import { evaluateRatings } from './rating';

const test = { users: Int32Array.of(0, 0, 1, 2), items: Int32Array.of(1, 2, 1, 0), ratings: Float32Array.of(4, 2, 5, 3), numUsers: 3, numItems: 3 };
// predictions 3.5, 3, 5, 1: errors -0.5, 1, 0, -2
const model = { predict: (u: Int32Array, i: Int32Array) => Float32Array.from(u, (uu, k) => [[0, 3.5, 3], [0, 5, 0], [1, 0, 0]][uu][i[k]]) };

describe('evaluateRatings', () => {
  it('computes RMSE and MAE by hand, and per-user mse / mae for paired tests', () => {
    const r = evaluateRatings(model, test);
    expect(r.metrics.rmse).toBeCloseTo(Math.sqrt((0.25 + 1 + 0 + 4) / 4), 12);
    expect(r.metrics.mae).toBeCloseTo((0.5 + 1 + 0 + 2) / 4, 12);
    expect(Array.from(r.perUnit.users)).toEqual([0, 1, 2]);
    expect(Array.from(r.perUnit.values.mse)).toEqual([(0.25 + 1) / 2, 0, 4]);
    expect(Array.from(r.perUnit.values.mae)).toEqual([0.75, 0, 2]);
    expect(r.counts).toMatchObject({ units: 4, users: 3 });
    // in chunks of one pair, the same numbers
    expect(evaluateRatings(model, test, { chunk: 1 }).metrics).toEqual(r.metrics);
  });

  it('clips to the rating scale when asked', () => {
    // clip [2, 5]: the prediction 1 becomes 2, error -1
    expect(evaluateRatings(model, test, { clip: [2, 5] }).metrics.mae).toBeCloseTo((0.5 + 1 + 0 + 1) / 4, 12);
  });

  it('names what is wrong', () => {
    expect(() => evaluateRatings(model, { ...test, ratings: undefined })).toThrow('evaluateRatings: test.ratings must be a Float32Array with one rating per test interaction, got none');
    expect(() => evaluateRatings({ predict: () => Float32Array.of(Number.NaN) }, { ...test, users: Int32Array.of(0), items: Int32Array.of(0), ratings: Float32Array.of(1) })).toThrow('evaluateRatings: predict of model "model" must return finite ratings, got NaN for user 0, item 0');
    expect(() => evaluateRatings(model, test, { clip: [5, 1] })).toThrow('evaluateRatings: options.clip must be [min, max] with min <= max, got [5,1]');
  });
});
