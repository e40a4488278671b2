import * as tf from '@tensorflow/tfjs-core';
import { seededRng, SparseEmbedding, type Module, type Rng } from '@memrec/core';

/** Optimizer used for the generator's tables (sparse) and MLP (tfjs). */
export type GeneratorOptimizer = 'sgd' | 'adagrad' | 'adam';

/** Shape and training settings of a {@link GanGenerator}. */
export interface GeneratorConfig {
  dim: number;
  hidden: number;
  learningRate: number;
  optimizer: GeneratorOptimizer;
}

/** Names of the dense MLP parameters, in serialisation order. */
export const MLP_PARAMS = ['wu', 'wv', 'wp', 'b1', 'w2', 'b2'] as const;

/**
 * The generator G of NMRN (Wang et al., KDD 2018): user table E, item table F (host
 * {@link SparseEmbedding}s) and an MLP giving a distance
 *
 *   d_G(u, v) = softplus(w2 . relu(Wu e_u + Wv f_v + Wp (e_u * f_v) + b1) + b2),
 *
 * i.e. a one-hidden-layer MLP over [e_u ; f_v ; e_u * f_v] whose first layer is split so the user
 * part is computed once per row, not once per candidate. The paper leaves the MLP open; this is
 * the choice made here (softplus keeps d_G >= 0, a distance).
 *
 * @example
 * ```ts
 * const g = new GanGenerator(100, 50, { dim: 16, hidden: 16, learningRate: 0.01, optimizer: 'adam' }, 1);
 * const d = tf.tidy(() => g.distances(g.users.lookup(u), g.items.lookup(v).reshape([u.length, 1, 16])));
 * g.dispose();
 * ```
 */
export class GanGenerator implements Module {
  readonly config: GeneratorConfig;
  users: SparseEmbedding;
  items: SparseEmbedding;
  readonly params: tf.Variable[];
  private optimizer: tf.Optimizer;

  constructor(numUsers: number, numItems: number, config: GeneratorConfig, seed: number) {
    this.config = config;
    const { dim, hidden } = config;
    const sparseOpt = { kind: config.optimizer, learningRate: config.learningRate };
    const init = { kind: 'normal' as const, std: 0.1 };
    this.users = new SparseEmbedding({ rows: numUsers, dim, optimizer: sparseOpt, init, seed: seed ^ 0x51ed });
    this.items = new SparseEmbedding({ rows: numItems, dim, optimizer: sparseOpt, init, seed: seed ^ 0x2f1b });
    const rng = seededRng(seed ^ 0x7a11);
    // Glorot-uniform on the whole first layer (fan-in 3 * dim), split into its three blocks.
    const glorot = (rows: number, cols: number, fanIn: number) => uniform(rng, rows * cols, Math.sqrt(6 / (fanIn + cols)));
    const values: Record<(typeof MLP_PARAMS)[number], [Float32Array, number[]]> = {
      wu: [glorot(dim, hidden, 3 * dim), [dim, hidden]],
      wv: [glorot(dim, hidden, 3 * dim), [dim, hidden]],
      wp: [glorot(dim, hidden, 3 * dim), [dim, hidden]],
      b1: [new Float32Array(hidden), [hidden]],
      w2: [glorot(hidden, 1, hidden), [hidden, 1]],
      b2: [new Float32Array(1), [1]],
    };
    this.params = MLP_PARAMS.map((k) => {
      const init = tf.tensor(values[k][0], values[k][1]);
      const v = tf.variable(init, true);
      init.dispose();
      return v;
    });
    this.optimizer = makeOptimizer(config);
  }

  /**
   * Distances for grouped pairs: `ue` `[R, dim]` (one user per row), `ve` `[R, T, dim]`
   * (T items per row) -> `[R, T]`. Pure tensor function; call inside `tidy`. `params` defaults
   * to the generator's own (pass the arguments of a `tf.grads` closure to differentiate).
   */
  distances(ue: tf.Tensor2D, ve: tf.Tensor3D, params: tf.Tensor[] = this.params): tf.Tensor2D {
    const [wu, wv, wp, b1, w2, b2] = params;
    const [R, T, dim] = ve.shape;
    const H = this.config.hidden;
    const flatV = tf.reshape(ve, [R * T, dim]);
    const hv = tf.reshape(tf.matMul(flatV, wv as tf.Tensor2D), [R, T, H]);
    const prod = tf.reshape(tf.mul(tf.expandDims(ue, 1), ve), [R * T, dim]);
    const hp = tf.reshape(tf.matMul(prod, wp as tf.Tensor2D), [R, T, H]);
    const hu = tf.expandDims(tf.add(tf.matMul(ue, wu as tf.Tensor2D), b1), 1);
    const h = tf.relu(tf.add(tf.add(hv, hp), hu));
    const o = tf.add(tf.reshape(tf.matMul(tf.reshape(h, [R * T, H]), w2 as tf.Tensor2D), [R, T]), b2);
    return tf.softplus(o) as tf.Tensor2D;
  }

  /**
   * Differentiates `loss(ue, ve, params)` and applies one step: sparse rows of E (`userIds`,
   * one per row of `ue`) and F (`itemIds`, one per row of `ve` flattened), dense MLP by the
   * tfjs optimizer. Returns the loss value. No tensors are left behind.
   */
  step(
    userIds: Int32Array,
    itemIds: Int32Array,
    T: number,
    loss: (ue: tf.Tensor2D, ve: tf.Tensor3D, params: tf.Tensor[]) => tf.Scalar,
  ): number {
    const dim = this.config.dim;
    const ue = this.users.lookup(userIds);
    const ve = tf.tidy(() => tf.reshape(this.items.lookup(itemIds), [userIds.length, T, dim]) as tf.Tensor3D);
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) =>
      loss(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor3D, xs.slice(2)),
    )([ue, ve, ...this.params]);
    const lossValue = value.dataSync()[0];
    const gv = tf.reshape(grads[1], [itemIds.length, dim]);
    this.users.applyGradients(userIds, grads[0]);
    this.items.applyGradients(itemIds, gv);
    const named: tf.NamedTensorMap = {};
    this.params.forEach((p, k) => (named[p.name] = grads[k + 2]));
    this.optimizer.applyGradients(named);
    tf.dispose([ue, ve, value, gv, ...grads]);
    return lossValue;
  }

  /** Grows the tables (new rows from the initialiser). */
  grow(numUsers: number, numItems: number): void {
    this.users.grow(numUsers);
    this.items.grow(numItems);
  }

  /** Current MLP values, in {@link MLP_PARAMS} order. */
  mlpValues(): Float32Array[] {
    return this.params.map((p) => p.dataSync() as Float32Array);
  }

  /** Replaces the tables and MLP values (deserialisation). Resets the MLP optimizer state. */
  restore(users: SparseEmbedding, items: SparseEmbedding, mlp: Float32Array[]): void {
    this.users = users;
    this.items = items;
    this.params.forEach((p, k) => {
      if (mlp[k].length !== p.size) throw new Error(`GanSampler.fromBytes: MLP parameter ${MLP_PARAMS[k]} must have ${p.size} values, got ${mlp[k].length}`);
      const t = tf.tensor(mlp[k], p.shape);
      p.assign(t);
      t.dispose();
    });
    this.optimizer.dispose();
    this.optimizer = makeOptimizer(this.config);
  }

  /** Frees the MLP variables and optimizer state. */
  dispose(): void {
    this.optimizer.dispose();
    tf.dispose(this.params);
  }
}

function makeOptimizer(c: GeneratorConfig): tf.Optimizer {
  if (c.optimizer === 'sgd') return tf.train.sgd(c.learningRate);
  if (c.optimizer === 'adagrad') return tf.train.adagrad(c.learningRate);
  return tf.train.adam(c.learningRate);
}

function uniform(rng: Rng, n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng() * 2 - 1) * scale;
  return out;
}
