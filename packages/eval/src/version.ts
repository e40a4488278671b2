/**
 * The version of @memrec/eval, recorded in protocol cards.
 *
 * @example
 * ```ts
 * import { VERSION } from '@memrec/eval';
 * console.log(VERSION); // "0.1.0"
 * ```
 */
export const VERSION = '0.1.0';
