import type { Interactions, Module, Scorer } from './types';

/** Progress of a long `fit`: called every few batches with the phase name and events done. */
export type FitProgress = (p: { phase: string; done: number; total: number; loss?: number }) => void;

/**
 * Options of {@link Recommender.fit}. Every field is optional: a model's own configuration gives
 * its defaults (epochs, batch size, seed); a value here overrides it for this call.
 *
 * @example
 * ```ts
 * await model.fit(train, { epochs: 5, seed: 1, onProgress: (p) => console.log(p.phase, p.done, p.total) });
 * ```
 */
export interface FitOptions {
  /** Passes over the training set (default: the model's `epochs` option). */
  epochs?: number;
  /** Events per mini-batch (default: the model's `batchSize` option). */
  batchSize?: number;
  /** Seed of every random draw of this fit (default: the model's `seed` option). */
  seed?: number;
  /** Called after each mini-batch. */
  onProgress?: FitProgress;
  /** Receives the training loss of each mini-batch (x = training events processed so far). */
  onLoss?: (x: number, loss: number) => void;
  /**
   * Called after each epoch with its mean training loss; returning `true` stops training there
   * (early stopping). The model is in its end-of-epoch state during the call (it may be scored or
   * saved with `toBytes`).
   */
  onEpochEnd?: (info: { epoch: number; loss: number }) => boolean | void | Promise<boolean | void>;
}

/** Options of {@link Recommender.recommend}. */
export interface RecommendOptions {
  /** Leave out the items the user has interacted with (training and observed events). Default true. */
  excludeSeen?: boolean;
}

/** Top-k of one user: dense item ids best first and their raw model values (scores or distances). */
export interface Recommendation {
  items: Int32Array;
  scores: Float32Array;
}

/**
 * What `observe` does with a block of new events: `'incremental'` models learn from it;
 * `'ignored'` (static) models only record the events as seen, so that they are excluded from
 * that user's recommendations, and keep their weights.
 */
export type ObserveMode = 'incremental' | 'ignored';

/**
 * The one model contract of memrec, used by the models, the evaluators, the benchmark and the
 * server (like Cornac's `Recommender` and RecBole's `AbstractRecommender`). Ids are dense
 * (`0..numUsers-1`, `0..numItems-1`); `OnlineRecommender` in `@memrec/models` maps raw ids.
 *
 * Each implementation also has a `static fromBytes(bytes)` that inverts {@link toBytes}.
 *
 * @example
 * ```ts
 * import { BprMf } from '@memrec/models';
 * const model: Recommender = new BprMf({ dim: 32 });
 * await model.fit(train);
 * await model.observe(block);                       // a time-ordered block of new events
 * const top = model.recommend(0, 10);               // { items, scores }, seen items left out
 * const again = BprMf.fromBytes(model.toBytes());   // identical scores
 * model.dispose();
 * ```
 */
export interface Recommender extends Scorer, Module {
  /** Short model name (nmrn, cmn, neumf, bprmf, pop). */
  readonly name: string;
  /** `'score'`: higher ranks first; `'distance'`: lower ranks first. */
  readonly kind: 'score' | 'distance';
  /** What {@link observe} does for this model. */
  readonly observeMode: ObserveMode;
  /** Users the model knows (rows of its tables). */
  readonly numUsers: number;
  /** Items the model knows (columns of `scoreAll`). */
  readonly numItems: number;
  /** Trains from scratch on `train` (dense ids; numUsers / numItems give the table sizes). */
  fit(train: Interactions, options?: FitOptions): Promise<void>;
  /** Takes a time-ordered block of new events (ids may exceed the current tables: they grow). */
  observe(events: Interactions): Promise<void>;
  /**
   * Scores of every item for each user, row-major `[users.length, numItems]`; written into `out`
   * when the model supports it (see `Scorer.scoreAll`), always returned.
   */
  scoreAll(users: Int32Array, out?: Float32Array): Float32Array;
  /** Scores of the given (user, item) pairs. */
  score(users: Int32Array, items: Int32Array): Float32Array;
  /** The best `k` items for `user`, best first, distinct. */
  recommend(user: number, k: number, options?: RecommendOptions): Recommendation;
  /**
   * Optional: `recommend` for many users at once (one scoring pass; the same lists as one call
   * each). Users may repeat.
   */
  recommendMany?(users: Int32Array, k: number, options?: RecommendOptions): Recommendation[];
  /** The whole state (configuration, weights, seen sets) in memrec's checksummed binary format. */
  toBytes(): Uint8Array;
}
