import { assertFinite, seededRng, type Rng, type UserItemSet } from '@memrec/core';
import { Complement, DEFAULT_BITSET_BUDGET, type ExclusionMode } from './complement';
import { checkSampleArgs, checkSeen, type NegativeSampler } from './types';

/** Options of {@link uniformSampler}. */
export interface UniformSamplerOptions {
  /** Training positives, read live (a stream may `add` to it between calls). */
  seen: UserItemSet;
  /** Seed of the sampler's generator; default 0. */
  seed?: number;
  /** Exclusion strategy; default `auto` (bitset while it fits in `bitsetBudgetBytes`). */
  exclusion?: ExclusionMode;
  /** Memory cap of the bitset in `auto` mode; default 256 MiB. */
  bitsetBudgetBytes?: number;
}

/** A {@link NegativeSampler} drawing uniformly among the items each user has not seen. */
export class UniformSampler implements NegativeSampler {
  readonly seen: UserItemSet;
  /** The exclusion engine (exposed for samplers built on top of uniform draws). */
  readonly complement: Complement;
  private readonly rng: Rng;

  constructor(options: UniformSamplerOptions) {
    const fn = 'uniformSampler';
    if (options == null || typeof options !== 'object') throw new Error(`${fn}: options must be an object like { seen, seed }, got ${String(options)}`);
    checkSeen(fn, options.seen);
    const seed = options.seed ?? 0;
    assertFinite(fn, 'seed', seed);
    const budget = options.bitsetBudgetBytes ?? DEFAULT_BITSET_BUDGET;
    assertFinite(fn, 'bitsetBudgetBytes', budget, 0);
    this.seen = options.seen;
    this.complement = new Complement(options.seen, options.exclusion ?? 'auto', budget);
    this.rng = seededRng(seed);
  }

  /** See {@link NegativeSampler.sample}. */
  sample(users: Int32Array, positives: Int32Array, n: number, out?: Int32Array): Int32Array {
    const fn = 'uniformSampler.sample';
    const res = checkSampleArgs(fn, this.seen, users, positives, n, out);
    this.complement.fillBatch(fn, users, positives, n, res, this.rng);
    return res;
  }
}

/**
 * Uniform negative sampler: each negative is drawn uniformly from the items the user has not
 * interacted with (and never the row's own positive), the standard negative sampling of BPR
 * (Rendle et al., UAI 2009) and NCF (He et al., WWW 2017).
 *
 * Exclusion uses a lazily synced per-user bitset (or binary search in the sorted positives, see
 * {@link ExclusionMode}); users who have seen most of the catalogue are drawn by rank mapping,
 * so the cost per draw stays O(1) / O(log c) instead of growing with rejections.
 *
 * @example
 * ```ts
 * import { UserItemSet } from '@memrec/core';
 * import { uniformSampler } from '@memrec/samplers';
 *
 * const seen = UserItemSet.fromInteractions({ users: Int32Array.from([0, 0]), items: Int32Array.from([1, 2]), numUsers: 1, numItems: 10 });
 * const sampler = uniformSampler({ seen, seed: 42 });
 * const negs = sampler.sample(Int32Array.from([0]), Int32Array.from([1]), 3); // 3 ids from {0, 3..9}
 * ```
 */
export function uniformSampler(options: UniformSamplerOptions): UniformSampler {
  return new UniformSampler(options);
}
