/**
 * A source of uniform random numbers in [0, 1). Made only by {@link seededRng};
 * library code never calls `Math.random`.
 */
export type Rng = () => number;

/**
 * Mixes a 32-bit integer (the `splitmix32`-style finaliser of MurmurHash3), used to
 * turn small consecutive seeds into well-spread generator states.
 */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The state of a generator made by {@link seededRng}, for hot loops: {@link nextRandom}
 * advances it and is a plain function call that the JIT inlines, where calling the generator
 * through a variable may not be (a call site that sees several generators goes polymorphic).
 * Draws through the state and through the generator come from one sequence.
 */
export interface RngState {
  /** Mulberry32's 32-bit state, as a signed integer. */
  s: number;
}

const states = new WeakMap<Rng, RngState>();

/**
 * Advances `state` and returns the next number of its sequence, a float in [0, 1): the same
 * value the generator owning the state would have returned.
 *
 * @example
 * ```ts
 * const rng = seededRng(42);
 * const state = rngState(rng)!;
 * const x = nextRandom(state); // what rng() would have returned
 * ```
 */
export function nextRandom(state: RngState): number {
  const s = (state.s + 0x6d2b79f5) | 0;
  state.s = s;
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * The state behind a generator made by {@link seededRng} (shared, not copied), or `undefined`
 * for any other function.
 *
 * @example
 * ```ts
 * const rng = seededRng(1);
 * const state = rngState(rng); // { s: ... }; nextRandom(state) and rng() share one sequence
 * ```
 */
export function rngState(rng: Rng): RngState | undefined {
  return states.get(rng);
}

/**
 * Creates a seeded pseudo-random generator.
 *
 * Algorithm: Mulberry32 (Tommy Ettinger, 2017), a 32-bit state generator with period 2^32,
 * whose state is initialised as `mix32(seed ^ 0x9e3779b9)` (MurmurHash3's fmix32 finaliser),
 * so seeds 0, 1, 2, ... give unrelated streams. Each call returns `uint32 / 2^32`, a float in
 * [0, 1) with 32 random bits. The same seed gives the same sequence on every platform.
 * Hot loops can draw from the same sequence through {@link rngState} and {@link nextRandom}.
 *
 * @param seed - any finite number; it is truncated to a 32-bit integer.
 * @example
 * ```ts
 * const rng = seededRng(42);
 * const x = rng(); // same value on every run
 * ```
 */
export function seededRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`seededRng: seed must be a finite number, got ${String(seed)}`);
  }
  const state: RngState = { s: mix32((seed | 0) ^ 0x9e3779b9) | 0 };
  const rng: Rng = () => nextRandom(state);
  states.set(rng, state);
  return rng;
}

/**
 * A uniform integer in [0, n).
 *
 * @example
 * ```ts
 * const item = randInt(seededRng(1), 3706);
 * ```
 */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/**
 * A standard normal sample (Box-Muller transform, one value per call).
 *
 * @example
 * ```ts
 * const z = randNormal(seededRng(7));
 * ```
 */
export function randNormal(rng: Rng): number {
  let u = rng();
  while (u <= 0) u = rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Shuffles an array or typed array in place (Fisher-Yates) and returns it.
 *
 * @example
 * ```ts
 * const order = shuffleInPlace(Int32Array.from([0, 1, 2, 3]), seededRng(3));
 * ```
 */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

/**
 * Derives an independent child seed from a seed and a label, so components of one run
 * (sampler, initialiser, split) draw from unrelated streams.
 *
 * @example
 * ```ts
 * const samplerRng = seededRng(deriveSeed(1, 'sampler'));
 * ```
 */
export function deriveSeed(seed: number, label: string): number {
  let h = mix32(seed | 0);
  for (let i = 0; i < label.length; i++) h = mix32(h ^ label.charCodeAt(i));
  return h | 0;
}
