/**
 * The version of @memrec/models, recorded in protocol cards.
 *
 * @example
 * ```ts
 * import { VERSION } from '@memrec/models';
 * console.log(VERSION); // "0.1.0"
 * ```
 */
export const VERSION = '0.1.0';
