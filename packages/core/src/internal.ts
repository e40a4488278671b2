/**
 * @memrec/core/internal: helpers shared by memrec's own packages. Not API: names and
 * signatures here may change in any release.
 *
 * @example
 * ```ts
 * import { show, fnv1a32, rngState, nextRandom, assembleWasm } from '@memrec/core/internal';
 * show(Float32Array.of(1, 2)); // 'Float32Array(2)'
 * ```
 */
export { show, checkOptionKeys } from './assert';
export { fnv1a32 } from './checksum';
export { rngState, nextRandom, type RngState } from './rng';
export { assembleWasm, wasmApi, wasmModuleOnce, type WasmApi, type WasmFunction, type WasmType } from './wasm-asm';
