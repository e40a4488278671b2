import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, assertInt } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkIds } from './check';
import { gatedRead } from './gated-ops';
import { packState, unpackState } from './state-bytes';
import { ValueMemory } from './value-memory';

const FN = 'GatedKeyValueMemory';

/** Options of {@link GatedKeyValueMemory}. */
export interface GatedKeyValueMemoryOptions {
  /** A: slots (one per key, e.g. per attribute). */
  slots: number;
  /** D: dimension of keys, values and queries. */
  dim: number;
  /** Initial number of owners (users); grows with `grow`. */
  count: number;
  /** Softmax temperature of the read; default 1. */
  temperature?: number;
  /** Values every memory starts from: `zeros` (default) or seeded normal with `initStd`. */
  init?: { kind: 'zeros' } | { kind: 'normal'; std: number; seed: number };
}

/**
 * A key-value memory with gated writes, one value matrix (`[A, D]`) per owner (KSR's user memory,
 * Huang et al., SIGIR 2018). The keys are not state: the caller passes them (e.g. trainable
 * attribute embeddings) to `read`. Write, per event, in event order: for each slot a,
 * `z_a = sigmoid(v_a . x_a)`, `v_a <- (1 - z_a) v_a + z_a x_a`, where `x` (`[A, D]` per event)
 * is what the event brings to each slot (KSR: `e_i + r_a`, the item embedding translated by the
 * attribute's relation). The values are host state, never differentiated across writes
 * (`gatedWrite` is the same write as a tensor op, for a one-step gradient).
 *
 * @example
 * ```ts
 * const mem = new GatedKeyValueMemory({ slots: 3, dim: 8, count: 10 });
 * mem.write(Int32Array.of(4), x); // x: Float32Array [1 * 3 * 8]
 * const r = mem.read(Int32Array.of(4), query, keys); // query [1, 8], keys [3, 8]: [1, 8]
 * r.dispose();
 * ```
 */
export class GatedKeyValueMemory {
  readonly slots: number;
  readonly dim: number;
  readonly temperature: number;
  /** The values, `[count, A, D]` (host state; see `ValueMemory`). */
  readonly memory: ValueMemory;

  constructor(o: GatedKeyValueMemoryOptions) {
    if (o == null || typeof o !== 'object') throw new Error(`${FN}: options must be an object like { slots, dim, count }, got ${show(o)}`);
    assertInt(FN, 'slots', o.slots, 1);
    assertInt(FN, 'dim', o.dim, 1);
    assertInt(FN, 'count', o.count, 0);
    const temperature = o.temperature ?? 1;
    assertFinite(FN, 'temperature', temperature, 0);
    if (temperature <= 0) throw new Error(`${FN}: temperature must be > 0, got ${temperature}`);
    const init = o.init ?? { kind: 'zeros' };
    if (init.kind !== 'zeros' && init.kind !== 'normal') throw new Error(`${FN}: init.kind must be 'zeros' or 'normal', got ${show((init as { kind: unknown }).kind)}`);
    this.slots = o.slots;
    this.dim = o.dim;
    this.temperature = temperature;
    const template = init.kind === 'zeros' ? new Float32Array(o.slots * o.dim) : undefined;
    this.memory = new ValueMemory({ slots: o.slots, dim: o.dim, perUser: true, count: o.count, seed: init.kind === 'normal' ? init.seed : 0, initStd: init.kind === 'normal' ? init.std : 0, template });
  }

  /** Number of owners. */
  get count(): number {
    return this.memory.count;
  }

  /** Adds memories (from the initial values) up to `count` owners; never shrinks. */
  grow(count: number): void {
    this.memory.grow(count);
  }

  /** Every memory back to its initial values. */
  reset(): void {
    this.memory.reset();
  }

  /** The values of `owners`, `[b * A * D]`. */
  gather(owners: Int32Array): Float32Array {
    checkIds(`${FN}.gather`, 'owners', owners, this.count, true);
    return this.memory.gather(owners);
  }

  /**
   * Gated writes in event order: event t writes `x[t]` (`[A * D]`, row-major in `x`, so `x` is
   * `[b * A * D]`) into owner `owners[t]`'s values; an owner written twice in one call sees its
   * first write before the second. `mask` (`[b * A]`, optional) limits event t to the slots a
   * with `mask[t * A + a] = 1` (KSR: an item writes the slots of the attributes it has); the
   * other slots keep their values.
   */
  write(owners: Int32Array, x: Float32Array, mask?: Uint8Array): void {
    const fn = `${FN}.write`;
    checkIds(fn, 'owners', owners, this.count, true);
    const A = this.slots;
    const D = this.dim;
    if (!(x instanceof Float32Array) || x.length !== owners.length * A * D) throw new Error(`${fn}: x must be a Float32Array of length owners.length * slots * dim = ${owners.length * A * D}, got ${show(x)}`);
    if (mask !== undefined && (!(mask instanceof Uint8Array) || mask.length !== owners.length * A)) throw new Error(`${fn}: mask must be a Uint8Array of length owners.length * slots = ${owners.length * A}, got ${show(mask)}`);
    const data = this.memory.data;
    for (let t = 0; t < owners.length; t++) {
      const base = owners[t] * A * D;
      for (let a = 0; a < A; a++) {
        if (mask !== undefined && !mask[t * A + a]) continue;
        const vo = base + a * D;
        const xo = (t * A + a) * D;
        let dot = 0;
        for (let d = 0; d < D; d++) dot += data[vo + d] * x[xo + d];
        const z = 1 / (1 + Math.exp(-dot));
        for (let d = 0; d < D; d++) data[vo + d] += z * (x[xo + d] - data[vo + d]);
      }
    }
  }

  /** Reads `[b, D]` of `owners` by `query` (`[b, D]`) over `keys` (`[A, D]`): {@link gatedRead}; the values are constants. */
  read(owners: Int32Array, query: tf.Tensor2D, keys: tf.Tensor2D): tf.Tensor2D {
    const fn = `${FN}.read`;
    checkIds(fn, 'owners', owners, this.count, true);
    const b = owners.length;
    const A = this.slots;
    const D = this.dim;
    if (query.rank !== 2 || query.shape[0] !== b || query.shape[1] !== D) throw new Error(`${fn}: query must have shape [${b}, ${D}], got [${query.shape.join(', ')}]`);
    if (keys.rank !== 2 || keys.shape[0] !== A || keys.shape[1] !== D) throw new Error(`${fn}: keys must have shape [${A}, ${D}], got [${keys.shape.join(', ')}]`);
    return tf.tidy(() => gatedRead(query, keys, tf.tensor3d(this.memory.gather(owners), [b, A, D], 'float32'), this.temperature));
  }

  /**
   * {@link GatedKeyValueMemory.read} on the host: `query` `[b * D]`, `keys` `[A * D]`; returns
   * `[b * D]`. Equals `read` to float32 rounding (tested); no tensors.
   */
  readHost(owners: Int32Array, query: Float32Array, keys: Float32Array, out?: Float32Array): Float32Array {
    const fn = `${FN}.readHost`;
    checkIds(fn, 'owners', owners, this.count, true);
    const b = owners.length;
    const A = this.slots;
    const D = this.dim;
    if (!(query instanceof Float32Array) || query.length !== b * D) throw new Error(`${fn}: query must be a Float32Array of length ${b * D}, got ${show(query)}`);
    if (!(keys instanceof Float32Array) || keys.length !== A * D) throw new Error(`${fn}: keys must be a Float32Array of length ${A * D}, got ${show(keys)}`);
    const res = out ?? new Float32Array(b * D);
    if (res.length < b * D) throw new Error(`${fn}: out must have length >= ${b * D}, got ${res.length}`);
    const w = new Float64Array(A);
    const data = this.memory.data;
    for (let t = 0; t < b; t++) {
      let mx = -Infinity;
      for (let a = 0; a < A; a++) {
        let acc = 0;
        for (let d = 0; d < D; d++) acc += query[t * D + d] * keys[a * D + d];
        w[a] = acc / this.temperature;
        if (w[a] > mx) mx = w[a];
      }
      let z = 0;
      for (let a = 0; a < A; a++) z += w[a] = Math.exp(w[a] - mx);
      const base = owners[t] * A * D;
      for (let d = 0; d < D; d++) {
        let acc = 0;
        for (let a = 0; a < A; a++) acc += w[a] * data[base + a * D + d];
        res[t * D + d] = acc / z;
      }
    }
    return res;
  }

  /** The values as bytes. */
  stateToBytes(): Uint8Array {
    const m = this.memory;
    return packState('gated-kv-memory', { slots: this.slots, dim: this.dim, count: m.count }, [m.template, m.data.subarray(0, m.count * m.size)]);
  }

  /** Restores {@link GatedKeyValueMemory.stateToBytes} into this memory (same slots and dim). */
  stateFromBytes(bytes: Uint8Array): void {
    const fn = `${FN}.stateFromBytes`;
    const { header, blocks } = unpackState('gated-kv-memory', bytes, fn);
    for (const [k, want] of [['slots', this.slots], ['dim', this.dim]] as const) {
      if (header[k] !== want) throw new Error(`${fn}: ${k} must be ${want} (this memory), got ${show(header[k])}`);
    }
    this.memory.template.set(blocks[0]);
    this.memory.restore(header.count as number, blocks[1]);
  }
}
