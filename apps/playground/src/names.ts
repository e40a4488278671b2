/**
 * The models the page compares, by display name (a module of its own, so the page's main
 * chunk does not pull in the models).
 *
 * @example
 * ```ts
 * MODEL_NAMES.includes('NMRN'); // true
 * ```
 */
export const MODEL_NAMES = ['NMRN', 'BPR-MF', 'ItemPop'] as const;

/** One of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];
