import type { Interactions } from '@memrec/core';
import type { PerUnitValues } from './accumulator';
import type { EvaluationResult } from './common';

/** A model that predicts explicit ratings of (user, item) pairs. */
export interface RatingPredictor {
  predict(users: Int32Array, items: Int32Array): Float32Array;
}

/** Options of {@link evaluateRatings}. */
export interface RatingEvalOptions {
  /** Clip predictions to [min, max] (the rating scale) before measuring; default no clipping. */
  clip?: [number, number];
  /** Test pairs predicted per call; default 65,536. */
  chunk?: number;
  /** The model's name, for error messages. */
  name?: string;
}

const FN = 'evaluateRatings';

/**
 * Explicit-rating evaluation: predicts every test rating and reports RMSE = sqrt(mean squared
 * error) and MAE = mean absolute error over all test ratings. Per-unit values are per user (mean
 * squared error `mse` and `mae` over the user's test ratings), so the same paired tests over
 * users as for ranking metrics apply (lower is better for all three; `mse` = rmse^2 is also a
 * run-level metric, so the paired test over seeds compares the same quantity). The protocol of CF-NADE's
 * (Zheng et al., ICML 2016) and most rating papers: a random 90/10 split of the ratings.
 *
 * @example
 * ```ts
 * const r = evaluateRatings(model, test, { clip: [1, 5] });
 * r.metrics.rmse; r.metrics.mae;
 * ```
 */
export function evaluateRatings(model: RatingPredictor, test: Interactions, options: RatingEvalOptions = {}): EvaluationResult {
  if (model == null || typeof (model as RatingPredictor).predict !== 'function') throw new Error(`${FN}: model must have predict(users, items), got ${model == null ? String(model) : typeof model}`);
  if (test == null || !(test.users instanceof Int32Array) || !(test.items instanceof Int32Array) || test.users.length !== test.items.length) {
    throw new Error(`${FN}: test must be Interactions with Int32Array users and items of equal length`);
  }
  const truth = test.ratings;
  if (!(truth instanceof Float32Array) || truth.length !== test.users.length) throw new Error(`${FN}: test.ratings must be a Float32Array with one rating per test interaction, got ${truth === undefined ? 'none' : truth.constructor.name}`);
  if (test.users.length === 0) throw new Error(`${FN}: test must hold at least one rating, got none`);
  const clip = options.clip;
  if (clip !== undefined && !(Array.isArray(clip) && clip.length === 2 && Number.isFinite(clip[0]) && Number.isFinite(clip[1]) && clip[0] <= clip[1])) {
    throw new Error(`${FN}: options.clip must be [min, max] with min <= max, got ${JSON.stringify(clip)}`);
  }
  const chunk = options.chunk ?? 65536;
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`${FN}: options.chunk must be an integer >= 1, got ${chunk}`);
  const n = test.users.length;
  const sq = new Map<number, [number, number, number]>(); // user -> [sum sq, sum abs, count]
  let se = 0;
  let ae = 0;
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const pred = model.predict(test.users.subarray(s, e), test.items.subarray(s, e));
    if (!(pred instanceof Float32Array) || pred.length !== e - s) throw new Error(`${FN}: predict of model ${JSON.stringify(options.name ?? 'model')} must return a Float32Array of ${e - s} ratings, got ${pred == null ? String(pred) : `${pred.constructor.name}(${pred.length})`}`);
    for (let k = s; k < e; k++) {
      let p = pred[k - s];
      if (!Number.isFinite(p)) throw new Error(`${FN}: predict of model ${JSON.stringify(options.name ?? 'model')} must return finite ratings, got ${p} for user ${test.users[k]}, item ${test.items[k]}`);
      if (clip) p = Math.min(clip[1], Math.max(clip[0], p));
      const d = p - truth[k];
      se += d * d;
      ae += Math.abs(d);
      const acc = sq.get(test.users[k]) ?? [0, 0, 0];
      acc[0] += d * d;
      acc[1] += Math.abs(d);
      acc[2] += 1;
      sq.set(test.users[k], acc);
    }
  }
  const users = Int32Array.from([...sq.keys()].sort((a, b) => a - b));
  const perUnit: PerUnitValues = {
    users,
    values: { mse: Float64Array.from(users, (u) => (sq.get(u) as number[])[0] / (sq.get(u) as number[])[2]), mae: Float64Array.from(users, (u) => (sq.get(u) as number[])[1] / (sq.get(u) as number[])[2]) },
  };
  return {
    metrics: { rmse: Math.sqrt(se / n), mae: ae / n, mse: se / n },
    perUnit,
    counts: { units: n, users: users.length, skippedUsers: 0, droppedRelevant: 0 },
    setup: {
      protocol: 'rating',
      k: [],
      candidates: 'the test ratings (user, item) pairs',
      seenFiltering: 'none (every test rating is predicted)',
      tieBreak: 'not applicable',
      params: { metrics: 'rmse, mae', ...(clip ? { clip: `${clip[0]}..${clip[1]}` } : {}) },
    },
  };
}
