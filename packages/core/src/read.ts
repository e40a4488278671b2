import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's backend that {@link readInto} uses (public methods of `BackendWasm`). */
interface HeapBackend {
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: tf.DataType }): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { has(dataId: object): boolean };
}

function heapBackend(t: tf.Tensor): HeapBackend | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as Partial<HeapBackend>;
  if (typeof backend.typedArrayFromHeap !== 'function' || typeof backend.dataIdMap?.has !== 'function') return null;
  return backend.dataIdMap.has(t.dataId) ? (backend as HeapBackend) : null;
}

/**
 * Copies a float32 tensor's values into `out` (from index 0) and returns `out`; without `out`,
 * into a new array. The same values as `t.dataSync()`, but on the wasm backend read straight from
 * the WebAssembly heap into the caller's buffer: `dataSync` allocates a fresh array for every read,
 * and filling fresh memory (page faults) can cost several times the copy itself. Reusing one
 * `out` across reads (score chunks, say) avoids that. Other backends: `out.set(t.dataSync())`.
 *
 * @param t - a float32 tensor (not disposed).
 * @param out - where to write; its length must be at least `t.size`.
 * @example
 * ```ts
 * const buffer = new Float32Array(256 * numItems);
 * const scores = tf.tidy(() => matMul2d(userRows, itemTable, false, true));
 * const row0 = readInto(scores, buffer).subarray(0, numItems);
 * scores.dispose();
 * ```
 */
export function readInto(t: tf.Tensor, out?: Float32Array): Float32Array {
  if (t == null || t.isDisposed) throw new Error(`readInto: t must be a live tensor, got ${t == null ? String(t) : 'a disposed tensor'}`);
  if (t.dtype !== 'float32') throw new Error(`readInto: t must have dtype float32, got ${t.dtype}`);
  const res = out ?? new Float32Array(t.size);
  if (!(res instanceof Float32Array)) throw new Error(`readInto: out must be a Float32Array, got ${Object.prototype.toString.call(res)}`);
  if (res.length < t.size) throw new Error(`readInto: out must have length >= t.size (${t.size}), got ${res.length}`);
  const backend = heapBackend(t);
  if (backend != null) {
    res.set(backend.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }) as Float32Array);
  } else {
    res.set(t.dataSync() as Float32Array);
  }
  return res;
}
