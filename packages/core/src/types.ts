/**
 * Columnar user-item interactions with dense ids (0..numUsers-1, 0..numItems-1).
 *
 * Raw ids are mapped to dense ids once, at load time (see {@link IdMap}).
 *
 * @example
 * ```ts
 * const data: Interactions = {
 *   users: Int32Array.from([0, 0, 1]),
 *   items: Int32Array.from([2, 0, 1]),
 *   timestamps: Float64Array.from([10, 11, 12]),
 *   numUsers: 2,
 *   numItems: 3,
 * };
 * ```
 */
export interface Interactions {
  /** Dense user id of each interaction. */
  users: Int32Array;
  /** Dense item id of each interaction. */
  items: Int32Array;
  /** Optional time of each interaction (any monotone unit, usually unix seconds). */
  timestamps?: Float64Array;
  /** Optional explicit rating of each interaction. */
  ratings?: Float32Array;
  /** Number of distinct users (ids are < numUsers). */
  numUsers: number;
  /** Number of distinct items (ids are < numItems). */
  numItems: number;
}

/**
 * Something that owns tensors or other resources and must be released.
 *
 * @example
 * ```ts
 * const table = new SparseEmbedding({ rows: 10, dim: 4 });
 * table.dispose();
 * ```
 */
export interface Module {
  /** Releases every tensor the object owns. Idempotent. */
  dispose(): void;
}

/**
 * A model seen by an evaluator: it scores every item for a set of users.
 *
 * `scoreAll(users)` returns a row-major `[users.length, numItems]` matrix. With
 * `kind: 'distance'` smaller values rank first (NMRN), otherwise larger values do.
 *
 * @example
 * ```ts
 * const pop: Scorer = {
 *   numItems: 3,
 *   scoreAll: (users) => {
 *     const out = new Float32Array(users.length * 3);
 *     for (let r = 0; r < users.length; r++) out.set([5, 1, 3], r * 3);
 *     return out;
 *   },
 * };
 * ```
 */
export interface Scorer {
  /** Number of items in the catalogue (columns of `scoreAll`). */
  readonly numItems: number;
  /** `'score'` (default): higher is better; `'distance'`: lower is better. */
  readonly kind?: 'score' | 'distance';
  /**
   * Scores of every item for each user, row-major `[users.length, numItems]`. The caller owns
   * the returned array. `out`, when given (length >= `users.length * numItems`), is a buffer the
   * caller offers: a scorer may write the scores there and return
   * `out.subarray(0, users.length * numItems)` (no fresh allocation per call), or ignore it and
   * return an array of its own; callers use the returned array either way.
   */
  scoreAll(users: Int32Array, out?: Float32Array): Float32Array | Promise<Float32Array>;
  /** Scores of the given (user, item) pairs, `[users.length]`. */
  score?(users: Int32Array, items: Int32Array): Float32Array | Promise<Float32Array>;
}
