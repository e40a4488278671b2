import { assertFinite, assertInt, decodeState, encodeState, SparseEmbedding } from '@memrec/core';
import { show } from '@memrec/core/internal';

/** Options of {@link MfBias}. */
export interface MfBiasOptions {
  numUsers: number;
  numItems: number;
  /** Embedding size. */
  dim: number;
  /** Initial embeddings uniform in [-initScale, initScale] (biases start at 0). */
  initScale: number;
  /** Seed of the initialisation. */
  seed: number;
}

const FN = 'MfBias';
const KIND = 'mf-bias';

/**
 * Matrix factorisation with item biases, s(u, i) = p_u . q_i + b_i, as IRGAN's discriminator
 * and generator (Wang et al., SIGIR 2017: "r_ui = b_i + v_u^T v_i"). The tables are
 * `SparseEmbedding`s (host `Float32Array`s); every update is a plain SGD step on the host on the
 * rows it touches, with L2 on those rows: a BPR triple ({@link bprStep}), a BCE pair
 * ({@link bceStep}), or a gradient with respect to a user's whole score row ({@link rowStep},
 * the policy gradient of a softmax over the catalogue).
 *
 * @example
 * ```ts
 * const mf = new MfBias({ numUsers: 10, numItems: 50, dim: 5, initScale: 0.05, seed: 1 });
 * mf.bceStep(0, 3, 1, 0.01, 0.001); // pulls s(0, 3) up
 * mf.score(0, 3);
 * ```
 */
export class MfBias {
  readonly dim: number;
  users: SparseEmbedding;
  items: SparseEmbedding;
  /** Item biases, a one-column table. */
  bias: SparseEmbedding;

  constructor(options: MfBiasOptions) {
    if (options == null || typeof options !== 'object') throw new Error(`${FN}: options must be an object like { numUsers, numItems, dim, initScale, seed }, got ${show(options)}`);
    assertInt(FN, 'numUsers', options.numUsers, 0);
    assertInt(FN, 'numItems', options.numItems, 0);
    assertInt(FN, 'dim', options.dim, 1);
    assertFinite(FN, 'initScale', options.initScale, 0);
    assertFinite(FN, 'seed', options.seed);
    this.dim = options.dim;
    const init = { kind: 'uniform' as const, scale: options.initScale };
    const opt = { kind: 'sgd' as const, learningRate: 1 };
    this.users = new SparseEmbedding({ rows: options.numUsers, dim: options.dim, optimizer: opt, init, seed: options.seed * 3 + 1 });
    this.items = new SparseEmbedding({ rows: options.numItems, dim: options.dim, optimizer: opt, init, seed: options.seed * 3 + 2 });
    this.bias = new SparseEmbedding({ rows: options.numItems, dim: 1, optimizer: opt, init: { kind: 'zeros' }, seed: 0 });
  }

  get numUsers(): number {
    return this.users.rows;
  }

  get numItems(): number {
    return this.items.rows;
  }

  /** s(u, i) = p_u . q_i + b_i. */
  score(u: number, i: number): number {
    const d = this.dim;
    const P = this.users.data;
    const Q = this.items.data;
    let s = this.bias.data[i];
    for (let k = 0; k < d; k++) s += P[u * d + k] * Q[i * d + k];
    return s;
  }

  /** s(users[k], items[k]) for each pair. */
  scorePairs(users: Int32Array, items: Int32Array): Float32Array {
    const out = new Float32Array(users.length);
    for (let k = 0; k < users.length; k++) out[k] = this.score(users[k], items[k]);
    return out;
  }

  /** The scores of every item for `u`, written into `out` (length >= numItems). */
  scoreRow(u: number, out: Float32Array | Float64Array): void {
    const d = this.dim;
    const n = this.numItems;
    const P = this.users.data;
    const Q = this.items.data;
    const b = this.bias.data;
    const pu = u * d;
    for (let i = 0; i < n; i++) {
      let s = b[i];
      const qi = i * d;
      for (let k = 0; k < d; k++) s += P[pu + k] * Q[qi + k];
      out[i] = s;
    }
  }

  /** The score rows of `users`, row-major `[users.length, numItems]`. */
  scoreRows(users: Int32Array): Float32Array {
    const n = this.numItems;
    const out = new Float32Array(users.length * n);
    for (let r = 0; r < users.length; r++) this.scoreRow(users[r], out.subarray(r * n, (r + 1) * n));
    return out;
  }

  /**
   * One SGD step on the BPR loss -log sigmoid(s(u, i) - s(u, j)) + l2/2 (|p_u|^2 + |q_i|^2 +
   * |q_j|^2 + b_i^2 + b_j^2). Returns the loss before the step (without the penalty).
   */
  bprStep(u: number, i: number, j: number, lr: number, l2: number): number {
    const d = this.dim;
    const P = this.users.data;
    const Q = this.items.data;
    const b = this.bias.data;
    const x = this.score(u, i) - this.score(u, j);
    const z = 1 / (1 + Math.exp(x)); // -d loss / dx
    for (let k = 0; k < d; k++) {
      const pf = P[u * d + k];
      const fi = Q[i * d + k];
      const fj = Q[j * d + k];
      P[u * d + k] = pf + lr * (z * (fi - fj) - l2 * pf);
      Q[i * d + k] = fi + lr * (z * pf - l2 * fi);
      Q[j * d + k] = fj + lr * (-z * pf - l2 * fj);
    }
    b[i] += lr * (z - l2 * b[i]);
    b[j] += lr * (-z - l2 * b[j]);
    return softplus(-x);
  }

  /**
   * One SGD step on the binary cross-entropy of sigmoid(s(u, i)) against `label` (1 or 0), plus
   * l2/2 (|p_u|^2 + |q_i|^2 + b_i^2) (IRGAN's discriminator loss). Returns the loss before the step.
   */
  bceStep(u: number, i: number, label: number, lr: number, l2: number): number {
    const d = this.dim;
    const P = this.users.data;
    const Q = this.items.data;
    const b = this.bias.data;
    const s = this.score(u, i);
    const g = 1 / (1 + Math.exp(-s)) - label; // d loss / ds
    for (let k = 0; k < d; k++) {
      const pf = P[u * d + k];
      const fi = Q[i * d + k];
      P[u * d + k] = pf - lr * (g * fi + l2 * pf);
      Q[i * d + k] = fi - lr * (g * pf + l2 * fi);
    }
    b[i] -= lr * (g + l2 * b[i]);
    return label === 1 ? softplus(-s) : softplus(s);
  }

  /**
   * One SGD step given dz = d loss / d s(u, .) for the whole row of `u` (length numItems):
   * p_u -= lr (sum_i dz_i q_i + l2 p_u); for every item with dz_i != 0,
   * q_i -= lr (dz_i p_u + l2 q_i) and b_i -= lr dz_i (items with dz_i = 0 keep their values).
   */
  rowStep(u: number, dz: Float64Array, lr: number, l2: number): void {
    const d = this.dim;
    const n = this.numItems;
    const P = this.users.data;
    const Q = this.items.data;
    const b = this.bias.data;
    const pu = u * d;
    const gu = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const g = dz[i];
      if (g === 0) continue;
      const qi = i * d;
      for (let k = 0; k < d; k++) {
        gu[k] += g * Q[qi + k];
        Q[qi + k] -= lr * (g * P[pu + k] + l2 * Q[qi + k]);
      }
      b[i] -= lr * g;
    }
    for (let k = 0; k < d; k++) P[pu + k] -= lr * (gu[k] + l2 * P[pu + k]);
  }

  /** Grows the tables (new users and items start from the initialiser; biases at 0). */
  grow(numUsers: number, numItems: number): void {
    this.users.grow(numUsers);
    this.items.grow(numItems);
    this.bias.grow(numItems);
  }

  /** Copies every value of `other` (same shapes) into this model. */
  copyFrom(other: MfBias): void {
    if (other.dim !== this.dim || other.numUsers !== this.numUsers || other.numItems !== this.numItems) {
      throw new Error(`${FN}.copyFrom: other must have the same shape (${this.numUsers} x ${this.numItems} x ${this.dim}), got ${other.numUsers} x ${other.numItems} x ${other.dim}`);
    }
    this.users.data.set(other.users.data.subarray(0, this.numUsers * this.dim));
    this.items.data.set(other.items.data.subarray(0, this.numItems * this.dim));
    this.bias.data.set(other.bias.data.subarray(0, this.numItems));
  }

  /** The tables as one 'mf-bias' state (core's `encodeState`). */
  toBytes(): Uint8Array {
    return encodeState({ kind: KIND, header: { dim: this.dim }, blocks: { users: this.users.toBytes(), items: this.items.toBytes(), bias: this.bias.toBytes() } });
  }

  /** Restores {@link toBytes}; corrupt or foreign bytes are an error naming `fn`. */
  static fromBytes(bytes: Uint8Array, fn = `${FN}.fromBytes`): MfBias {
    const { header, blocks } = decodeState(bytes, { fn, kind: KIND });
    const table = (name: string): SparseEmbedding => {
      const b = blocks[name];
      if (!(b instanceof Uint8Array)) throw new Error(`${fn}: bytes must hold the ${name} table (a nested state block), got ${show(b)}`);
      return SparseEmbedding.fromBytes(b);
    };
    const users = table('users');
    const items = table('items');
    const bias = table('bias');
    const dim = (header as { dim?: unknown }).dim;
    if (dim !== users.dim || dim !== items.dim || bias.dim !== 1 || bias.rows !== items.rows) {
      throw new Error(`${fn}: bytes must hold user and item tables of dimension ${show(dim)} and one bias per item, got ${users.dim}, ${items.dim} and ${bias.rows} x ${bias.dim}`);
    }
    const m = new MfBias({ numUsers: 0, numItems: 0, dim, initScale: 0, seed: 0 });
    m.users = users;
    m.items = items;
    m.bias = bias;
    return m;
  }
}

/** log(1 + exp(x)), stable for large |x|. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
