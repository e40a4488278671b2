/**
 * The version of @memrec/core, recorded in checkpoints and result files.
 *
 * @example
 * ```ts
 * import { VERSION } from '@memrec/core';
 * console.log(VERSION);
 * ```
 */
export const VERSION = '0.1.0';
