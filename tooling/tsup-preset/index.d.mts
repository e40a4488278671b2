import type { Options } from 'tsup';

/** Options of {@link libraryPreset}. */
export interface LibraryPresetOptions {
  /** Entry points; default `['src/index.ts']`. */
  entry?: string[] | Record<string, string>;
  /** Bundle `@tensorflow/tfjs-core/dist/...` files (@memrec/core's gradient registration). */
  bundleTfjsCoreInternals?: boolean;
}

/**
 * tsup options for a memrec library package (ESM + CJS + .d.ts, node20, source maps,
 * public tfjs packages external).
 *
 * @example
 * ```ts
 * import { defineConfig } from 'tsup';
 * import { libraryPreset } from '@memrec/tsup-preset';
 * export default defineConfig(libraryPreset());
 * ```
 */
export function libraryPreset(options?: LibraryPresetOptions): Options;
