import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, assertInt, deriveSeed, seededRng, SparseEmbedding, type EmbeddingInit, type Module, type SparseOptimizerConfig } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkIds, checkPerRow } from './check';
import { cmnForwardPairs, HostHop } from './cmn-host-hop';
import { type CmnWeights } from './cmn-ops';
import { scoreAllBatched } from './cmn-score-batch';
import { CmnScorer } from './cmn-scorer';
import { cmnWasmAvailable } from './cmn-wasm';
import { denseVariable } from './dense';
import { Neighbourhoods } from './neighbourhoods';
import { DenseRmsProp, resolveRmsProp, SparseRmsProp, type RmsPropConfig } from './rmsprop';

/** Options of {@link CollaborativeMemory}. */
export interface CollaborativeMemoryOptions {
  numUsers: number;
  numItems: number;
  /** Memory dimension d (the paper: 50). */
  dim: number;
  /** Training interactions: the neighbourhoods are built from them. */
  interactions: { users: Int32Array; items: Int32Array };
  /** Number of hops (>= 1); default 2. */
  hops?: number;
  /** Neighbourhood cap (seeded sample above it); default 64. */
  maxNeighbours?: number;
  /** Seed of initialisers and neighbourhood sampling; default 0. */
  seed?: number;
  /**
   * Optimizer of the memories m, c, e; default `{ kind: 'adam', learningRate: 0.001 }`.
   * `{ kind: 'rmsprop', ... }` (the authors' choice, {@link RmsPropConfig}) also trains the dense
   * weights with RMSProp of the same settings (`denseOptimizer` and `learningRate` then unused).
   */
  optimizer?: SparseOptimizerConfig | RmsPropConfig;
  /** Initialiser of the memories; default normal(0, 0.1). */
  init?: EmbeddingInit;
  /** Optimizer of the dense weights; default Adam with `learningRate`. Not disposed by the layer. */
  denseOptimizer?: tf.Optimizer;
  /** Learning rate of the default dense Adam; default 0.001. */
  learningRate?: number;
  /**
   * L2 penalty on the dense weight matrices (hop maps W_h, output U and v; not the biases):
   * `l2 / 2 * sum ||W||^2` is added to the mean loss, as the authors' `l2_regularizer`; default 0.
   */
  l2?: number;
  /**
   * Training pairs attend over their item's neighbourhood without their own user (default true):
   * a training positive (u, i) has u in N(i), a test item never has, so attending over oneself
   * teaches the model a signal that is absent when it ranks. `false` keeps the user, as the
   * authors' code does.
   */
  excludeSelf?: boolean;
  /**
   * Where the attention loops of training and scoring run: `'wasm'` (a WebAssembly SIMD kernel),
   * `'js'` (plain typed-array loops), `'auto'` (default: wasm where WebAssembly SIMD exists).
   */
  kernel?: 'auto' | 'wasm' | 'js';
}

const FN = 'CollaborativeMemory';

/**
 * CMN, the Collaborative Memory Network (Ebesu, Shen & Fang, SIGIR 2018, following the authors'
 * code): user memory m, user output memory c and item memory e (each a {@link SparseEmbedding});
 * the neighbourhood N(i) of an item is its training users (padded, masked, capped by seeded
 * sampling). Hop 1 attends over N(i) with `z = m_u + e_i`; later hops use
 * `z_h = relu(W_h z_{h-1} + o_{h-1} + b_h)` (b_h starts at 1); the score is
 * `r = v^T relu(U [m_u * e_i ; o_H] + b)`.
 *
 * @example
 * ```ts
 * const cmn = new CollaborativeMemory({ numUsers: 3, numItems: 4, dim: 8, interactions: { users, items }, seed: 1 });
 * const r = cmn.score(Int32Array.of(0, 1), Int32Array.of(2, 3)); // tf.Tensor1D [2]
 * const loss = cmn.trainStep(Int32Array.of(0), Int32Array.of(2), Int32Array.of(1, 3, 0, 1)); // BPR by default
 * const all = cmn.scoreAll(Int32Array.of(0)); // Float32Array [4]
 * r.dispose(); cmn.dispose();
 * ```
 */
export class CollaborativeMemory implements Module {
  readonly numUsers: number;
  readonly numItems: number;
  readonly dim: number;
  readonly hops: number;
  /** Scores: larger is better. */
  readonly kind = 'score' as const;
  /** User memory m, user output memory c, item memory e. */
  readonly userMemory: SparseEmbedding;
  readonly outputMemory: SparseEmbedding;
  readonly itemMemory: SparseEmbedding;
  readonly neighbourhoods: Neighbourhoods;
  /** Dense weights as variables: hop maps W_h, b_h; output U1, U2 (halves of U), b, v. */
  readonly weights: { hopW: tf.Variable[]; hopB: tf.Variable[]; U1: tf.Variable; U2: tf.Variable; bU: tf.Variable; v: tf.Variable };
  private readonly optimizer: tf.Optimizer | null;
  private readonly ownsOptimizer: boolean;
  private readonly rms: { tables: SparseRmsProp[]; dense: DenseRmsProp } | null;
  /** L2 penalty on the dense weight matrices. */
  readonly l2: number;
  /** Whether training pairs attend without their own user. */
  readonly excludeSelf: boolean;
  private readonly hop: HostHop;
  private readonly scorer: CmnScorer;

  constructor(o: CollaborativeMemoryOptions) {
    if (o == null || typeof o !== 'object') throw new Error(`${FN}: options must be an object like { numUsers, numItems, dim, interactions }, got ${show(o)}`);
    assertInt(FN, 'numUsers', o.numUsers, 1);
    assertInt(FN, 'numItems', o.numItems, 1);
    assertInt(FN, 'dim', o.dim, 1);
    const hops = o.hops ?? 2;
    assertInt(FN, 'hops', hops, 1);
    const seed = o.seed ?? 0;
    assertFinite(FN, 'seed', seed);
    if (o.interactions == null) throw new Error(`${FN}: interactions must be { users, items }, got ${show(o.interactions)}`);
    this.numUsers = o.numUsers;
    this.numItems = o.numItems;
    this.dim = o.dim;
    this.hops = hops;
    this.neighbourhoods = new Neighbourhoods({ users: o.interactions.users, items: o.interactions.items, numUsers: o.numUsers, numItems: o.numItems, maxNeighbours: o.maxNeighbours ?? 64, seed: deriveSeed(seed, 'cmn-neighbours') });
    const rmsprop = o.optimizer != null && (o.optimizer as { kind?: unknown }).kind === 'rmsprop' ? resolveRmsProp(o.optimizer as RmsPropConfig, FN) : null;
    const sparse = rmsprop ? { kind: 'sgd' as const, learningRate: rmsprop.learningRate } : (o.optimizer as SparseOptimizerConfig | undefined);
    const table = (rows: number, label: string) => new SparseEmbedding({ rows, dim: o.dim, optimizer: sparse, init: o.init ?? { kind: 'normal', std: 0.1 }, seed: deriveSeed(seed, label) });
    this.userMemory = table(o.numUsers, 'cmn-m');
    this.outputMemory = table(o.numUsers, 'cmn-c');
    this.itemMemory = table(o.numItems, 'cmn-e');
    const rng = seededRng(deriveSeed(seed, 'cmn-dense'));
    const d = o.dim;
    this.weights = {
      hopW: Array.from({ length: hops - 1 }, () => denseVariable([d, d], { kind: 'glorot' }, rng)),
      hopB: Array.from({ length: hops - 1 }, () => denseVariable([d], { kind: 'constant', value: 1 }, rng)),
      U1: denseVariable([d, d], { kind: 'glorot' }, rng),
      U2: denseVariable([d, d], { kind: 'glorot' }, rng),
      bU: denseVariable([d], { kind: 'constant', value: 0 }, rng),
      v: denseVariable([d, 1], { kind: 'glorot' }, rng),
    };
    const lr = o.learningRate ?? 0.001;
    assertFinite(FN, 'learningRate', lr, 0);
    this.l2 = o.l2 ?? 0;
    assertFinite(FN, 'l2', this.l2, 0);
    this.excludeSelf = o.excludeSelf ?? true;
    if (typeof this.excludeSelf !== 'boolean') throw new Error(`${FN}: excludeSelf must be true or false, got ${show(o.excludeSelf)}`);
    this.ownsOptimizer = o.denseOptimizer == null && rmsprop == null;
    this.optimizer = rmsprop ? null : (o.denseOptimizer ?? tf.train.adam(lr));
    this.rms = rmsprop
      ? { tables: [this.userMemory, this.outputMemory, this.itemMemory].map((t) => new SparseRmsProp(t, rmsprop)), dense: new DenseRmsProp(this.denseList(), rmsprop) }
      : null;
    const kernel = o.kernel ?? 'auto';
    if (kernel !== 'auto' && kernel !== 'wasm' && kernel !== 'js') throw new Error(`${FN}: kernel must be one of auto, wasm, js, got ${show(kernel)}`);
    if (kernel === 'wasm' && !cmnWasmAvailable()) throw new Error(`${FN}: kernel 'wasm' needs WebAssembly with SIMD, got none`);
    const wasm = kernel === 'wasm' || (kernel === 'auto' && cmnWasmAvailable());
    this.hop = new HostHop(this.neighbourhoods, this.userMemory, this.outputMemory, hops, wasm);
    this.scorer = new CmnScorer(this, { kernel: wasm ? 'wasm' : 'js' });
  }

  private denseList(): tf.Variable[] {
    const w = this.weights;
    return [...w.hopW, ...w.hopB, w.U1, w.U2, w.bU, w.v];
  }

  private denseWeights(list: tf.Tensor[]): CmnWeights {
    const k = this.hops - 1;
    return { hopW: list.slice(0, k), hopB: list.slice(k, 2 * k), U1: list[2 * k], U2: list[2 * k + 1], bU: list[2 * k + 2], v: list[2 * k + 3] } as CmnWeights;
  }

  /**
   * Scores of the pairs `(users[t], items[t])` as a `[b]` tensor (larger is better). The
   * attention runs on the host over each item's real neighbours ({@link HostHop}).
   */
  score(users: Int32Array, items: Int32Array): tf.Tensor1D {
    this.checkPairs(`${FN}.score`, users, items);
    this.hop.begin(items);
    return tf.tidy(() => cmnForwardPairs(this.userMemory.lookup(users), this.itemMemory.lookup(items), this.denseWeights(this.denseList()), this.hop.attend));
  }

  /**
   * One training step: `n = negatives.length / b` negatives per positive (the paper: 4), loss
   * `lossFn(posRepeated [b * n], neg [b * n])` (default BPR `mean(softplus(-(pos - neg)))`);
   * applies gradients to the looked-up rows of m, c, e (real neighbours only, never padding)
   * and to the dense weights. Returns the loss.
   *
   * The `b (1 + n)` pairs go through {@link cmnForwardPairs}; the attention hops run on the host
   * ({@link HostHop}) and sum the gradients of neighbour rows per row, so a step makes no
   * `[pairs, L, d]` tensor and reads no gradient back but the `[pairs, d]` ones.
   */
  trainStep(users: Int32Array, positives: Int32Array, negatives: Int32Array, lossFn?: (pos: tf.Tensor1D, neg: tf.Tensor1D) => tf.Scalar): number {
    const fn = `${FN}.trainStep`;
    this.checkPairs(fn, users, positives, 'positives');
    checkIds(fn, 'negatives', negatives, this.numItems);
    const b = users.length;
    const n = checkPerRow(fn, 'negatives', negatives, b, 'n');
    const P = b + b * n;
    const d = this.dim;
    const pu = new Int32Array(P);
    pu.set(users);
    for (let t = 0, k = b; t < b; t++) for (let j = 0; j < n; j++) pu[k++] = users[t];
    const pi = new Int32Array(P);
    pi.set(positives);
    pi.set(negatives, b);
    this.hop.begin(pi, this.excludeSelf ? pu : undefined);
    const mu = this.userMemory.lookup(pu);
    const ei = this.itemMemory.lookup(pi);
    const dense = this.denseList();
    const f = (muT: tf.Tensor, eiT: tf.Tensor, ...w: tf.Tensor[]): tf.Scalar => {
      const r = cmnForwardPairs(muT as tf.Tensor2D, eiT as tf.Tensor2D, this.denseWeights(w), this.hop.attend);
      const pos = tf.reshape(tf.mul(tf.reshape(tf.slice(r, [0], [b]), [b, 1]), tf.ones([1, n])), [b * n]) as tf.Tensor1D;
      const neg = tf.slice(r, [b], [b * n]) as tf.Tensor1D;
      const loss = lossFn ? lossFn(pos, neg) : (tf.mean(tf.softplus(tf.neg(tf.sub(pos, neg)))) as tf.Scalar);
      if (this.l2 === 0) return loss;
      const k = this.hops - 1;
      const mats = [...w.slice(0, k), w[2 * k], w[2 * k + 1], w[2 * k + 3]]; // W_h, U1, U2, v
      return tf.add(loss, tf.mul(this.l2 / 2, tf.addN(mats.map((x) => tf.sum(tf.square(x)))))) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f as (...a: tf.Tensor[]) => tf.Scalar)([mu, ei, ...dense]);
    try {
      const g = this.hop.gradients();
      const mIds = new Int32Array(P + g.mIds.length);
      mIds.set(pu);
      mIds.set(g.mIds, P);
      const gmAll = new Float32Array((P + g.mIds.length) * d);
      gmAll.set(grads[0].dataSync() as Float32Array);
      gmAll.set(g.gm, P * d);
      if (this.rms != null) {
        const [m, c, e] = this.rms.tables;
        m.apply(mIds, gmAll);
        if (g.cIds.length > 0) c.apply(g.cIds, g.gc);
        e.apply(pi, grads[1].dataSync() as Float32Array);
        this.rms.dense.apply(grads.slice(2));
      } else {
        this.userMemory.applyGradients(mIds, gmAll);
        if (g.cIds.length > 0) this.outputMemory.applyGradients(g.cIds, g.gc);
        this.itemMemory.applyGradients(pi, grads[1]);
        (this.optimizer as tf.Optimizer).applyGradients(dense.map((v, k) => ({ name: v.name, tensor: grads[2 + k] })));
      }
      return value.dataSync()[0];
    } finally {
      tf.dispose([value, ...grads, mu, ei]);
      this.scorer.invalidate();
    }
  }

  /**
   * Scores of `users` against every item, row-major `[users.length, numItems]`.
   * - `path: 'cached'` (the default, `'auto'`): a {@link CmnScorer} caches the terms that do not
   *   depend on the user, per item and neighbour, rebuilt whenever a table or dense weight has
   *   changed (however it changed); what is left per (user, item) runs over the item's real
   *   neighbours in a WebAssembly SIMD kernel (plain loops where SIMD is missing). Measured on
   *   wasm and cpu, it beats the batched path from one user to 64 at once (4x at 64 users).
   * - `path: 'batched'`: chunks of items as tensors, each neighbourhood shared by all the users
   *   ({@link scoreAllBatched}), the layer's original path.
   * Both give the same scores up to float32 rounding.
   */
  scoreAll(users: Int32Array, options: { path?: 'auto' | 'cached' | 'batched' } = {}): Float32Array {
    checkIds(`${FN}.scoreAll`, 'users', users, this.numUsers);
    const path = options.path ?? 'auto';
    if (path !== 'auto' && path !== 'cached' && path !== 'batched') throw new Error(`${FN}.scoreAll: options.path must be one of auto, cached, batched, got ${show(path)}`);
    if (path !== 'batched') return this.scorer.scoreAll(users);
    return scoreAllBatched(this, this.neighbourhoods, this.denseWeights(this.denseList()), users);
  }

  /** Drops the cached item terms of {@link CollaborativeMemory.scoreAll} (they are also checked on every call). */
  invalidateCache(): void {
    this.scorer.invalidate();
  }

  /** Number of times the cached item terms of {@link CollaborativeMemory.scoreAll} were (re)built. */
  get cacheBuilds(): number {
    return this.scorer.builds;
  }

  /**
   * Initialises user memory m and item memory e from pre-trained embeddings (GMF / BPR-MF
   * pre-training, as in the paper): row-major `[numUsers, dim]` and `[numItems, dim]`.
   */
  initFromEmbeddings(userEmb: Float32Array | SparseEmbedding, itemEmb: Float32Array | SparseEmbedding): void {
    const fn = `${FN}.initFromEmbeddings`;
    const pairs: [string, Float32Array | SparseEmbedding, SparseEmbedding][] = [['userEmb', userEmb, this.userMemory], ['itemEmb', itemEmb, this.itemMemory]];
    for (const [arg, src, dst] of pairs) {
      const data = src instanceof SparseEmbedding ? src.data.subarray(0, src.rows * src.dim) : src;
      const want = dst.rows * this.dim;
      if (!(data instanceof Float32Array) || data.length !== want) {
        throw new Error(`${fn}: ${arg} must be a Float32Array or SparseEmbedding of shape [${dst.rows}, ${this.dim}] (${want} values), got ${show(data)}`);
      }
    }
    for (const [, src, dst] of pairs) dst.data.set(src instanceof SparseEmbedding ? src.data.subarray(0, src.rows * src.dim) : src);
    this.scorer.invalidate();
  }

  /** Frees the dense variables (and the default optimizer). */
  dispose(): void {
    tf.dispose(this.denseList());
    if (this.ownsOptimizer) this.optimizer?.dispose();
  }

  private checkPairs(fn: string, users: Int32Array, items: Int32Array, arg = 'items'): void {
    checkIds(fn, 'users', users, this.numUsers);
    checkIds(fn, arg, items, this.numItems);
    if (items.length !== users.length) throw new Error(`${fn}: ${arg} must have length users.length (${users.length}), got ${items.length}`);
  }
}
