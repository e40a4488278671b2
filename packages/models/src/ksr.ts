import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, matMul2d, seededRng, SparseEmbedding, type Interactions, type Rng, type StateBlock } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { GatedKeyValueMemory, GruLayer } from '@memrec/memory';
import { candidateLoss, type CandidateLossGrads } from './candidate-loss';
import { BaseRecommender, type TrainingOptions } from './base';
import { checkKsrAttributes, ksrAttend, NO_ATTRIBUTES, type KsrAttributes } from './ksr-attributes';
import { defaultsOf, TRAINING_RULES, type OptionSpec } from './options';
import { bytesBlock, typedBlock } from './state';
import { sessionIndex, sessionParallel } from './session-parallel';
import { SequenceStates } from './sequence-states';
import { tick, type TrainLoopOptions } from './train-loop';

export { type KsrAttributes } from './ksr-attributes';

/** Options of {@link Ksr}. */
export interface KsrOptions extends TrainingOptions {
  /** H: GRU hidden units (and the size of the item embedding the GRU state scores). */
  hidden: number;
  /** D: size of the attribute (relation) keys, the memory values and the items' knowledge embeddings. */
  dim: number;
  /** `bpr` or `ce` over the batch's targets and `negatives` uniform items, as {@link Gru4Rec}. */
  loss: 'bpr' | 'ce';
  /** Uniform negatives drawn per mini-batch and shared by its rows, besides the other rows' targets. */
  negatives: number;
  /** Learning rate (lazy Adam on the item rows, Adam on the recurrent weights, keys and query projection). */
  learningRate: number;
}

/** Rules and defaults of {@link KsrOptions}. */
export const KSR_OPTIONS: OptionSpec<KsrOptions> = {
  hidden: { rule: { type: 'int', min: 1 }, default: 64, doc: 'GRU hidden units' },
  dim: { rule: { type: 'int', min: 1 }, default: 32, doc: 'size of attribute keys, memory values and item knowledge embeddings' },
  loss: { rule: { type: 'enum', values: ['bpr', 'ce'] }, default: 'ce', doc: 'bpr or cross-entropy over in-batch and sampled negatives' },
  negatives: { rule: { type: 'int', min: 0 }, default: 64, doc: 'uniform negatives per mini-batch, shared by its rows' },
  learningRate: { rule: { type: 'number', min: 0, exclusiveMin: true }, default: 0.005, doc: 'learning rate' },
  epochs: { rule: TRAINING_RULES.epochs, default: 5, doc: 'passes over the training sequences (the memories replay them from empty each time)' },
  batchSize: { rule: TRAINING_RULES.batchSize, default: 64, doc: 'parallel users per mini-batch (streaming: events per batch)' },
  seed: { rule: TRAINING_RULES.seed, default: 0, doc: 'seed of initialisation and negatives' },
};

/** The defaults of {@link Ksr}. */
export const KSR_DEFAULTS: KsrOptions = defaultsOf(KSR_OPTIONS);

/**
 * KSR (Huang et al., "Improving Sequential Recommendation with Knowledge-Enhanced Memory
 * Networks", SIGIR 2018): GRU4Rec's sequential state `h` (a `GruLayer` over the user's items)
 * beside a per-user key-value memory (`GatedKeyValueMemory`) whose keys are attribute (relation)
 * embeddings `r_a` and whose values `v_a` are the user's preference for each attribute. When the
 * user interacts with item i, each slot a the item has is written with the item's
 * attribute-specific value `x_a = e_i + r_a` by the paper's gate, `z_a = sigmoid(v_a . x_a)`,
 * `v_a <- (1 - z_a) v_a + z_a x_a`. The read attends over the keys with the projected state,
 * `w_a = softmax_a((h W_q) . r_a)`, `m = sum_a w_a v_a`, and an item scores
 * `[h, 1, m] . [o_i, e_i]`: the GRU state with the output item embedding (its last column a
 * bias), the read vector with the item's knowledge embedding `e_i`.
 *
 * Knowledge: **learned attribute embeddings, not TransE.** The keys `r_a` and the items'
 * knowledge embeddings `e_i` are trained with the recommendation loss (through the read and the
 * score) instead of pre-trained by TransE on a knowledge base and frozen. The attributes are the
 * items' side information (`@memrec/data`'s `movieLensGenres` / `itemAttributes`, passed as the
 * second constructor argument): a genre is a yes/no attribute, so slot a is written only by items
 * that have attribute a (the paper's items have a value for every relation). One more key, the
 * relation `item`, is written by every item; without attributes (e.g. the synthetic stream) it is
 * the only key, and KSR is GRU4Rec plus a gated memory of the user's items' knowledge embeddings.
 * Other choices: the paper's query MLP is one linear map `W_q`, its score MLPs are the identity,
 * attention temperature 1, the memory is state (gradient through the read, not through past
 * writes), one sequence per user (no session cuts), training as {@link Gru4Rec}
 * (user-parallel mini-batches, in-batch plus uniform negatives, one step back through the GRU;
 * each epoch replays the memories from empty, and after `fit` they hold each user's whole training
 * sequence written with the final embeddings). `observe` continues each user in time order: a
 * step on (previous state, previous item -> new item) with the memory before the new item, then
 * the state moves on and the new item is written.
 *
 * @example
 * ```ts
 * import { Ksr } from '@memrec/models';
 * const ksr = new Ksr({ hidden: 32, dim: 16, epochs: 3 }, genres); // genres: movieLensGenres(...) or omit
 * await ksr.fit(train, { seed: 1 });
 * await ksr.observe(block);
 * ksr.recommend(0, 10);
 * ```
 */
export class Ksr extends BaseRecommender<KsrOptions> {
  readonly name = 'ksr';
  readonly kind = 'score' as const;
  readonly observeMode = 'incremental' as const;
  /** The items' attributes (an empty set when none were given). */
  readonly attributes: KsrAttributes;
  gru: GruLayer | null = null;
  /** Output item embeddings `[items, H + 1]` (last column: the item's bias). */
  out!: SparseEmbedding;
  /** Item knowledge embeddings `e_i`, `[items, D]`. */
  kb!: SparseEmbedding;
  /** Keys `r_a` `[A + 1, D]` (one per attribute, then the `item` relation) and the query projection `W_q` `[H, D]`. */
  keys: tf.Variable | null = null;
  wq: tf.Variable | null = null;
  /** Per-user attribute-level preferences `[users, A + 1, D]`. */
  memory!: GatedKeyValueMemory;
  /** Per-user sequence state (previous state, last item, current state, last time). */
  states!: SequenceStates;
  private rng!: Rng;
  private optimizer: tf.Optimizer | null = null;

  constructor(options: Partial<KsrOptions> = {}, attributes?: KsrAttributes) {
    super('Ksr', KSR_OPTIONS, options);
    this.attributes = attributes === undefined ? NO_ATTRIBUTES : checkKsrAttributes('Ksr', attributes);
  }

  /** Memory slots: one per attribute plus the `item` relation. */
  get slots(): number {
    return this.attributes.numAttributes + 1;
  }

  private get layer(): GruLayer {
    return this.gru as GruLayer;
  }

  private init(numUsers: number, input: SparseEmbedding, out: SparseEmbedding, kb: SparseEmbedding, seed: number): void {
    const { hidden: H, dim: D, learningRate } = this.config;
    const S = this.slots;
    this.gru = new GruLayer({ input, hidden: H, seed: deriveSeed(seed, 'ksr-gru') });
    this.out = out;
    this.kb = kb;
    const rng = seededRng(deriveSeed(seed, 'ksr-dense'));
    const variable = (shape: [number, number], scale: number) => {
      const t = tf.tensor2d(Float32Array.from({ length: shape[0] * shape[1] }, () => (rng() * 2 - 1) * scale), shape, 'float32');
      const v = tf.variable(t);
      t.dispose();
      return v;
    };
    this.keys = variable([S, D], 0.1);
    this.wq = variable([H, D], Math.sqrt(6 / (H + D)));
    this.optimizer = tf.train.adam(learningRate);
    this.memory = new GatedKeyValueMemory({ slots: S, dim: D, count: numUsers });
    this.states = new SequenceStates(numUsers, H);
    this.rng = seededRng(deriveSeed(seed, `ksr-negatives-${this.seen.version}`));
  }

  private freshTables(numItems: number, seed: number): { input: SparseEmbedding; out: SparseEmbedding; kb: SparseEmbedding } {
    const { hidden: H, dim: D } = this.config;
    const opt = { kind: 'adam' as const, learningRate: this.config.learningRate };
    return {
      input: new SparseEmbedding({ rows: numItems, dim: 3 * H, optimizer: opt, init: { kind: 'uniform', scale: Math.sqrt(6 / (4 * H)) }, seed: deriveSeed(seed, 'ksr-input') }),
      out: new SparseEmbedding({ rows: numItems, dim: H + 1, optimizer: opt, init: { kind: 'normal', std: 0.05 }, seed: deriveSeed(seed, 'ksr-output') }),
      kb: new SparseEmbedding({ rows: numItems, dim: D, optimizer: opt, init: { kind: 'normal', std: 0.05 }, seed: deriveSeed(seed, 'ksr-knowledge') }),
    };
  }

  /** Which slots item `items[t]` writes, `[b * (A + 1)]`: its attributes and the `item` relation. */
  slotMask(items: Int32Array): Uint8Array {
    const S = this.slots;
    const { offsets, attributes } = this.attributes;
    const mask = new Uint8Array(items.length * S);
    for (let t = 0; t < items.length; t++) {
      const i = items[t];
      if (i + 1 < offsets.length) for (let k = offsets[i]; k < offsets[i + 1]; k++) mask[t * S + attributes[k]] = 1;
      mask[t * S + S - 1] = 1;
    }
    return mask;
  }

  /** Event t writes `e_{items[t]} + r_a` into the slots a of its item in `users[t]`'s memory, in event order. */
  writeItems(users: Int32Array, items: Int32Array): void {
    const D = this.config.dim;
    const S = this.slots;
    const e = this.kb.gather(items);
    const K = (this.keys as tf.Variable).dataSync() as Float32Array;
    const mask = this.slotMask(items);
    const x = new Float32Array(items.length * S * D);
    for (let t = 0; t < items.length; t++) {
      for (let a = 0; a < S; a++) {
        if (!mask[t * S + a]) continue;
        const xo = (t * S + a) * D;
        for (let d = 0; d < D; d++) x[xo + d] = e[t * D + d] + K[a * D + d];
      }
    }
    this.memory.write(users, x, mask);
  }

  /** Queries `[h, 1, m]` (`[b * (H + 1 + D)]`) of `users` from their current states and memories. */
  private queries(users: Int32Array): Float32Array {
    const { hidden: H, dim: D } = this.config;
    const Q = H + 1 + D;
    const b = users.length;
    const h = new Float32Array(b * H);
    users.forEach((u, r) => h.set(this.states.currentOf(u), r * H));
    const { m } = ksrAttend(h, b, H, D, this.memory.gather(users), (this.keys as tf.Variable).dataSync() as Float32Array, (this.wq as tf.Variable).dataSync() as Float32Array);
    const q = new Float32Array(b * Q);
    for (let r = 0; r < b; r++) {
      q.set(h.subarray(r * H, (r + 1) * H), r * Q);
      q[r * Q + H] = 1;
      q.set(m.subarray(r * D, (r + 1) * D), r * Q + H + 1);
    }
    return q;
  }

  /**
   * Loss and gradients of one step on pairs (user `users[r]`, state `hPrev` row r, input item ->
   * target item), against each user's memory as it is, without applying them: the loss over the
   * batch's targets and `negatives` uniform items, the GRU's gradients (`GruLayer.gradHost`), the
   * candidates' output rows (`dO`, `[C * (H + 1)]`) and knowledge rows (`dE`, `[C * D]`), the keys
   * (`dK`) and the query projection (`dW`). The tests hold them to finite differences.
   */
  pairGrads(users: Int32Array, inputs: Int32Array, targets: Int32Array, hPrev: Float32Array) {
    const b = inputs.length;
    const { hidden: H, dim: D, negatives: n } = this.config;
    const S = this.slots;
    const Q = H + 1 + D;
    const N = this.out.rows;
    const cand = new Int32Array(b + n);
    cand.set(targets);
    for (let k = 0; k < n; k++) cand[b + k] = Math.floor(this.rng() * N);
    const C = cand.length;
    const keep = new Uint8Array(b * C); // the target's column, and every column holding another item
    const pos = Int32Array.from({ length: b }, (_, r) => r);
    for (let r = 0; r < b; r++) for (let c = 0; c < C; c++) keep[r * C + c] = c === r || cand[c] !== targets[r] ? 1 : 0;
    const o = this.out.gather(cand);
    const e = this.kb.gather(cand);
    const oe = new Float32Array(C * Q);
    for (let c = 0; c < C; c++) {
      oe.set(o.subarray(c * (H + 1), (c + 1) * (H + 1)), c * Q);
      oe.set(e.subarray(c * D, (c + 1) * D), c * Q + H + 1);
    }
    const V = this.memory.gather(users);
    const K = (this.keys as tf.Variable).dataSync() as Float32Array;
    const W = (this.wq as tf.Variable).dataSync() as Float32Array;
    const dK = new Float32Array(S * D);
    const dW = new Float32Array(H * D);
    let lossGrads: CandidateLossGrads | null = null;
    const g = this.layer.gradHost(inputs, hPrev, (hNext) => {
      const { hq, w, m } = ksrAttend(hNext, b, H, D, V, K, W);
      const q = new Float32Array(b * Q);
      for (let r = 0; r < b; r++) {
        q.set(hNext.subarray(r * H, (r + 1) * H), r * Q);
        q[r * Q + H] = 1;
        q.set(m.subarray(r * D, (r + 1) * D), r * Q + H + 1);
      }
      const L = candidateLoss(q, b, oe, C, Q, keep, pos, this.config.loss);
      lossGrads = L;
      const dh = new Float32Array(b * H);
      const dw = new Float64Array(S);
      const dhq = new Float64Array(D);
      for (let r = 0; r < b; r++) {
        const dq = L.dq.subarray(r * Q, (r + 1) * Q);
        dh.set(dq.subarray(0, H), r * H);
        // m = sum_a w_a v_a; w = softmax(hq . r_a); hq = h W_q
        let mean = 0;
        for (let a = 0; a < S; a++) {
          let acc = 0;
          for (let d = 0; d < D; d++) acc += dq[H + 1 + d] * V[(r * S + a) * D + d];
          dw[a] = acc;
          mean += w[r * S + a] * acc;
        }
        dhq.fill(0);
        for (let a = 0; a < S; a++) {
          const dl = w[r * S + a] * (dw[a] - mean);
          for (let d = 0; d < D; d++) {
            dhq[d] += dl * K[a * D + d];
            dK[a * D + d] += dl * hq[r * D + d];
          }
        }
        for (let j = 0; j < H; j++) {
          const hj = hNext[r * H + j];
          let acc = 0;
          for (let d = 0; d < D; d++) {
            dW[j * D + d] += hj * dhq[d];
            acc += dhq[d] * W[j * D + d];
          }
          dh[r * H + j] += acc;
        }
      }
      return dh;
    });
    const L = lossGrads as unknown as CandidateLossGrads;
    const dO = new Float32Array(C * (H + 1));
    const dE = new Float32Array(C * D);
    for (let c = 0; c < C; c++) {
      dO.set(L.dO.subarray(c * Q, c * Q + H + 1), c * (H + 1));
      dE.set(L.dO.subarray(c * Q + H + 1, (c + 1) * Q), c * D);
    }
    return { loss: L.loss, hNext: g.hNext, cand, gInput: g.gInput, gU: g.gU, gBias: g.gBias, dO, dE, dK, dW };
  }

  /** {@link Ksr.pairGrads}, then applies the gradients; returns the loss and the states after the inputs. */
  trainPairs(users: Int32Array, inputs: Int32Array, targets: Int32Array, hPrev: Float32Array): { loss: number; hNext: Float32Array } {
    const g = this.pairGrads(users, inputs, targets, hPrev);
    this.layer.applyGradients(inputs, g.gInput, g.gU, g.gBias);
    this.out.applyGradients(g.cand, g.dO);
    this.kb.applyGradients(g.cand, g.dE);
    const keys = this.keys as tf.Variable;
    const wq = this.wq as tf.Variable;
    const dK = tf.tensor2d(g.dK, keys.shape as [number, number], 'float32');
    const dW = tf.tensor2d(g.dW, wq.shape as [number, number], 'float32');
    (this.optimizer as tf.Optimizer).applyGradients({ [keys.name]: dK, [wq.name]: dW });
    tf.dispose([dK, dW]);
    return { loss: g.loss, hNext: g.hNext };
  }

  protected async fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void> {
    const { input, out, kb } = this.freshTables(train.numItems, run.seed);
    this.init(train.numUsers, input, out, kb, run.seed);
    const H = this.config.hidden;
    const index = sessionIndex(train, 0);
    const lanes = run.batchSize;
    const laneH = new Float32Array(lanes * H);
    const pairs = train.users.length - index.users.length;
    const total = run.epochs * pairs;
    let done = 0;
    for (let e = 0; e < run.epochs; e++) {
      const last = e === run.epochs - 1;
      this.memory.reset();
      let lossSum = 0;
      let count = 0;
      for (const s of sessionParallel(train, index, lanes)) {
        const b = s.lanes.length;
        const hPrev = new Float32Array(b * H);
        for (let r = 0; r < b; r++) if (!s.starts[r]) hPrev.set(laneH.subarray(s.lanes[r] * H, (s.lanes[r] + 1) * H), r * H);
        this.writeItems(s.users, s.inputs); // the input enters the memory before the step reads it
        const { loss, hNext } = this.trainPairs(s.users, s.inputs, s.targets, hPrev);
        for (let r = 0; r < b; r++) laneH.set(hNext.subarray(r * H, (r + 1) * H), s.lanes[r] * H);
        if (last) for (let r = 0; r < b; r++) if (s.ends[r]) this.states.endSession(s.users[r], s.sessions[r], hNext.subarray(r * H, (r + 1) * H), s.targets[r]);
        lossSum += loss * b;
        count += b;
        done += b;
        run.onLoss?.(done, loss);
        run.onProgress?.({ phase: 'train', done, total, loss });
        await tick();
      }
      if (run.onEpochEnd && (await run.onEpochEnd({ epoch: e, loss: count > 0 ? lossSum / count : 0 })) === true) break;
    }
    this.states.finishFit(train, index);
    this.states.refresh(this.layer);
    // every user's whole training sequence, in time order, with the final embeddings
    this.memory.reset();
    const rows = index.rows;
    for (let k = 0; k < rows.length; k += 4096) {
      const chunk = rows.subarray(k, Math.min(rows.length, k + 4096));
      this.writeItems(Int32Array.from(chunk, (j) => train.users[j]), Int32Array.from(chunk, (j) => train.items[j]));
    }
  }

  protected async observeModel(events: Interactions): Promise<void> {
    const H = this.config.hidden;
    for (const batch of this.states.distinctUserBatches(events, this.batchSize)) {
      const { users, items, times } = batch;
      const cont = this.states.continuing(users, times, 0);
      const rows = cont.rows;
      if (rows.length > 0) {
        const hPrev = new Float32Array(rows.length * H);
        const owners = Int32Array.from(rows, (k) => users[k]);
        const inputs = Int32Array.from(rows, (k) => this.states.last[users[k]]);
        const targets = Int32Array.from(rows, (k) => items[k]);
        owners.forEach((u, r) => hPrev.set(this.states.prevOf(u), r * H));
        this.trainPairs(owners, inputs, targets, hPrev);
      }
      this.states.advance(this.layer, users, items, times, cont.continues);
      this.writeItems(users, items);
      await tick();
    }
  }

  protected growModel(numUsers: number, numItems: number): void {
    this.layer.grow(numItems);
    this.out.grow(numItems);
    this.kb.grow(numItems);
    this.memory.grow(numUsers);
    this.states.grow(numUsers);
  }

  protected scoreAllModel(users: Int32Array, out?: Float32Array): Float32Array {
    const Q = this.config.hidden + 1 + this.config.dim;
    const q = this.queries(users);
    const scores = tf.tidy(() => matMul2d(tf.tensor2d(q, [users.length, Q], 'float32'), tf.concat([this.out.toTensor(), this.kb.toTensor()], 1), false, true));
    try {
      const values = scores.dataSync() as Float32Array;
      if (!out) return Float32Array.from(values);
      out.set(values);
      return out;
    } finally {
      scores.dispose();
    }
  }

  protected scoreModel(users: Int32Array, items: Int32Array): Float32Array {
    const { hidden: H, dim: D } = this.config;
    const Q = H + 1 + D;
    const q = this.queries(users);
    const O = this.out.data;
    const E = this.kb.data;
    return Float32Array.from(users, (_, k) => {
      const i = items[k];
      let s = 0;
      for (let d = 0; d <= H; d++) s += q[k * Q + d] * O[i * (H + 1) + d];
      for (let d = 0; d < D; d++) s += q[k * Q + H + 1 + d] * E[i * D + d];
      return s;
    });
  }

  protected stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> } {
    const a = this.attributes;
    return {
      header: { numAttributes: a.numAttributes },
      blocks: {
        input: this.layer.input.toBytes(),
        gru: this.layer.stateToBytes(),
        out: this.out.toBytes(),
        kb: this.kb.toBytes(),
        keys: (this.keys as tf.Variable).dataSync() as Float32Array,
        wq: (this.wq as tf.Variable).dataSync() as Float32Array,
        memory: this.memory.stateToBytes(),
        attrOffsets: a.offsets,
        attrIds: a.attributes,
        ...this.states.toBlocks(),
      },
    };
  }

  protected release(): void {
    this.gru?.dispose();
    this.gru = null;
    tf.dispose([this.keys, this.wq].filter((v): v is tf.Variable => v != null));
    this.keys = null;
    this.wq = null;
    this.optimizer?.dispose();
    this.optimizer = null;
  }

  /**
   * Restores a KSR saved by `toBytes`: weights, tables, attributes, every user's memory and
   * sequence state.
   *
   * @example
   * ```ts
   * const again = Ksr.fromBytes(ksr.toBytes());
   * ```
   */
  static fromBytes(bytes: Uint8Array): Ksr {
    const fn = 'Ksr.fromBytes';
    const c = BaseRecommender.decodeModel(bytes, 'ksr', fn);
    const numAttributes = (c.header as { numAttributes?: unknown }).numAttributes;
    if (!Number.isInteger(numAttributes)) throw new Error(`${fn}: bytes must record numAttributes, got ${show(numAttributes)}`);
    const attributes = { numAttributes: numAttributes as number, offsets: typedBlock(c.blocks, 'attrOffsets', Int32Array, fn), attributes: typedBlock(c.blocks, 'attrIds', Int32Array, fn) };
    const m = new Ksr(c.config as Partial<KsrOptions>, checkKsrAttributes(fn, attributes));
    BaseRecommender.restoreBase(m, c, fn);
    m.init(m.numUsers, SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'input', fn)), SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'out', fn)), SparseEmbedding.fromBytes(bytesBlock(c.blocks, 'kb', fn)), m.seed);
    m.layer.stateFromBytes(bytesBlock(c.blocks, 'gru', fn));
    for (const [name, v] of [['keys', m.keys], ['wq', m.wq]] as const) {
      const t = v as tf.Variable;
      tf.tidy(() => t.assign(tf.tensor(typedBlock(c.blocks, name, Float32Array, fn, t.size), t.shape, 'float32')));
    }
    m.memory.stateFromBytes(bytesBlock(c.blocks, 'memory', fn));
    m.states = SequenceStates.fromBlocks(c.blocks, m.numUsers, m.config.hidden, fn, typedBlock);
    return m;
  }
}
