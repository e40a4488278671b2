import {
  decodeState,
  encodeState,
  UserItemSet,
  type FitOptions,
  type Interactions,
  type ObserveMode,
  type Recommendation,
  type RecommendOptions,
  type Recommender,
  type StateBlock,
  type StateContent,
} from '@memrec/core';
import { show } from '@memrec/core/internal';
import { topKRow } from '@memrec/eval';
import { checkInteractions, resolveFitOptions, type TrainingOptions } from './fit-input';
import { resolveOptions, type OptionSpec } from './options';
import { seenFromBlocks, seenToBlocks, typedBlock } from './state';
import type { TrainLoopOptions } from './train-loop';

export { checkInteractions, resolveFitOptions, type TrainingOptions } from './fit-input';

/**
 * What every memrec model shares: validated options, the seen set (training and observed
 * events), item popularity, growth of the id space on `observe`, `recommend`, and the saved
 * state's common part. A subclass implements the learning and scoring.
 *
 * **Neutral treatment of what a static model never learned.** A model whose `observeMode` is
 * `'ignored'` keeps its weights after `fit`. It scores a user it never trained on by item
 * popularity (training and observed events), and ranks every item it never trained on below
 * every trained item (among themselves by popularity), so untrained random vectors never
 * outrank learned ones.
 *
 * @example
 * ```ts
 * class MyModel extends BaseRecommender<MyConfig> { ... }
 * ```
 */
export abstract class BaseRecommender<C extends TrainingOptions> implements Recommender {
  abstract readonly name: string;
  abstract readonly kind: 'score' | 'distance';
  abstract get observeMode(): ObserveMode;
  /** The resolved options (every hyperparameter, defaults filled in). */
  readonly config: C;
  protected seen = new UserItemSet(0, 0);
  /** Interactions per item, training and observed events. */
  protected counts: Float64Array = new Float64Array(0);
  /** 1 for users / items that occur in the training set of the last `fit`. */
  protected learnedUsers: Uint8Array = new Uint8Array(0);
  protected learnedItems: Uint8Array = new Uint8Array(0);
  protected fitted = false;
  /** Seed and batch size of the last `fit` (streaming updates reuse them). */
  protected seed: number;
  protected batchSize: number;

  protected constructor(
    protected readonly modelName: string,
    spec: OptionSpec<C>,
    options: unknown,
  ) {
    this.config = resolveOptions(modelName, spec, options);
    this.seed = this.config.seed;
    this.batchSize = this.config.batchSize;
  }

  get numUsers(): number {
    return this.seen.numUsers;
  }

  get numItems(): number {
    return this.seen.numItems;
  }

  /** Items `user` has interacted with (training and observed), ascending. */
  seenItems(user: number): Int32Array {
    this.checkUser(`${this.modelName}.seenItems`, user);
    return this.seen.itemsOf(user);
  }

  async fit(train: Interactions, options: FitOptions = {}): Promise<void> {
    const fn = `${this.modelName}.fit`;
    checkInteractions(fn, 'train', train);
    const run = resolveFitOptions(fn, this.config, options);
    this.release();
    this.fitted = false;
    this.seed = run.seed;
    this.batchSize = run.batchSize;
    this.seen = UserItemSet.fromInteractions(train);
    this.counts = new Float64Array(train.numItems);
    this.learnedUsers = new Uint8Array(train.numUsers);
    this.learnedItems = new Uint8Array(train.numItems);
    for (let k = 0; k < train.users.length; k++) {
      this.counts[train.items[k]]++;
      this.learnedUsers[train.users[k]] = 1;
      this.learnedItems[train.items[k]] = 1;
    }
    this.fitted = true; // scoring is allowed between epochs (an onEpochEnd hook may evaluate)
    try {
      await this.fitModel(train, { ...run, epochs: run.epochs });
    } catch (e) {
      this.fitted = false;
      throw e;
    }
  }

  async observe(events: Interactions): Promise<void> {
    const fn = `${this.modelName}.observe`;
    this.requireFitted(fn);
    checkInteractions(fn, 'events', events, true);
    const numUsers = Math.max(this.numUsers, events.numUsers);
    const numItems = Math.max(this.numItems, events.numItems);
    if (numUsers > this.numUsers || numItems > this.numItems) {
      this.seen.growUsers(numUsers);
      this.seen.growItems(numItems);
      this.counts = grow(this.counts, numItems) as Float64Array;
      this.learnedUsers = grow(this.learnedUsers, numUsers) as Uint8Array;
      this.learnedItems = grow(this.learnedItems, numItems) as Uint8Array;
      this.growModel(numUsers, numItems);
    }
    this.seen.addAll(events.users, events.items);
    for (let k = 0; k < events.items.length; k++) this.counts[events.items[k]]++;
    if (this.observeMode === 'incremental') {
      for (let k = 0; k < events.users.length; k++) {
        this.learnedUsers[events.users[k]] = 1;
        this.learnedItems[events.items[k]] = 1;
      }
    }
    if (events.users.length > 0) await this.observeModel(events);
  }

  scoreAll(users: Int32Array, out?: Float32Array): Float32Array {
    const fn = `${this.modelName}.scoreAll`;
    this.requireFitted(fn);
    this.checkUsers(fn, 'users', users);
    if (out !== undefined && (!(out instanceof Float32Array) || out.length < users.length * this.numItems)) {
      throw new Error(`${fn}: out must be a Float32Array of length >= users.length x numItems = ${users.length * this.numItems}, got ${show(out)}`);
    }
    const res = this.scoreAllModel(users, out?.subarray(0, users.length * this.numItems));
    if (this.observeMode === 'ignored') this.neutralRows(users, res);
    return res;
  }

  score(users: Int32Array, items: Int32Array): Float32Array {
    const fn = `${this.modelName}.score`;
    this.requireFitted(fn);
    this.checkUsers(fn, 'users', users);
    if (!(items instanceof Int32Array) || items.length !== users.length) throw new Error(`${fn}: items must be an Int32Array of length users.length = ${users.length}, got ${show(items)}`);
    for (let k = 0; k < items.length; k++) {
      if (items[k] < 0 || items[k] >= this.numItems) throw new Error(`${fn}: items[${k}] must be an item id in [0, ${this.numItems}), got ${items[k]}`);
    }
    if (this.observeMode === 'ignored' && !this.allLearned(users, items)) return this.scoreViaRows(users, items);
    return this.scoreModel(users, items);
  }

  recommend(user: number, k: number, options: RecommendOptions = {}): Recommendation {
    const fn = `${this.modelName}.recommend`;
    this.requireFitted(fn);
    this.checkUser(fn, user);
    if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be an integer >= 1, got ${show(k)}`);
    const { excludeSeen = true } = options ?? {};
    if (typeof excludeSeen !== 'boolean') throw new Error(`${fn}: options.excludeSeen must be true or false, got ${show(excludeSeen)}`);
    return this.topOfRow(this.scoreAll(Int32Array.of(user)), user, k, excludeSeen);
  }

  /**
   * {@link BaseRecommender.recommend} for many users with one `scoreAll` call: the same lists as
   * one call each, at a fraction of the cost per user (a server answering concurrent requests
   * batches them this way). Users may repeat.
   *
   * @example
   * ```ts
   * const [a, b] = model.recommendMany(Int32Array.of(3, 8), 10);
   * ```
   */
  recommendMany(users: Int32Array, k: number, options: RecommendOptions = {}): Recommendation[] {
    const fn = `${this.modelName}.recommendMany`;
    this.requireFitted(fn);
    this.checkUsers(fn, 'users', users);
    if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be an integer >= 1, got ${show(k)}`);
    const { excludeSeen = true } = options ?? {};
    if (typeof excludeSeen !== 'boolean') throw new Error(`${fn}: options.excludeSeen must be true or false, got ${show(excludeSeen)}`);
    if (users.length === 0) return [];
    const distinct = Int32Array.from(new Set(users));
    const at = new Map<number, number>();
    distinct.forEach((u, r) => at.set(u, r));
    const rows = this.scoreAll(distinct);
    const n = this.numItems;
    return Array.from(users, (u) => {
      const r = at.get(u) as number;
      return this.topOfRow(rows.subarray(r * n, (r + 1) * n), u, k, excludeSeen);
    });
  }

  /** The top `k` of one user's score row (seen items skipped with `excludeSeen`). */
  private topOfRow(row: Float32Array, user: number, k: number, excludeSeen: boolean): Recommendation {
    const exclude = excludeSeen ? this.seen.itemsOf(user) : new Int32Array(0);
    const out = new Int32Array(Math.min(k, this.numItems));
    const n = topKRow(row, out.length, exclude, this.kind === 'distance', out);
    const items = out.slice(0, n);
    return { items, scores: Float32Array.from(items, (i) => row[i]) };
  }

  toBytes(): Uint8Array {
    this.requireFitted(`${this.modelName}.toBytes`);
    const { offsets, items } = seenToBlocks(this.seen);
    const own = this.stateModel();
    return encodeState({
      kind: `model:${this.name}`,
      header: { config: this.config, seed: this.seed, batchSize: this.batchSize, numUsers: this.numUsers, numItems: this.numItems, ...own.header },
      blocks: { seenOffsets: offsets, seenItems: items, counts: this.counts, learnedUsers: this.learnedUsers, learnedItems: this.learnedItems, ...own.blocks },
    });
  }

  dispose(): void {
    this.release();
  }

  // ---- for subclasses ----

  /** Trains from scratch (the base has already reset the seen set and popularity). */
  protected abstract fitModel(train: Interactions, run: TrainLoopOptions & { epochs: number }): Promise<void>;
  /** Learns from a block (only called when the block is not empty); static models do nothing. */
  protected abstract observeModel(events: Interactions): Promise<void>;
  /** Grows the model's tables to the new id space. */
  protected abstract growModel(numUsers: number, numItems: number): void;
  /**
   * Scores of every item for `users` (checked). `out`, when given, has exactly
   * `users.length x numItems` floats: write there and return it, or return a new array.
   */
  protected abstract scoreAllModel(users: Int32Array, out?: Float32Array): Float32Array;
  protected abstract scoreModel(users: Int32Array, items: Int32Array): Float32Array;
  /**
   * A `scoreModel` for models whose scores come only from whole rows: each distinct user's row
   * scored once by `scoreAllModel`, then read at the pairs' items.
   */
  protected scoreFromRows(users: Int32Array, items: Int32Array): Float32Array {
    const out = new Float32Array(users.length);
    const byUser = new Map<number, Float32Array>();
    users.forEach((u, k) => {
      let row = byUser.get(u);
      if (!row) byUser.set(u, (row = this.scoreAllModel(Int32Array.of(u))));
      out[k] = row[items[k]];
    });
    return out;
  }
  /** The model's own part of the saved state. */
  protected abstract stateModel(): { header: Record<string, unknown>; blocks: Record<string, StateBlock> };
  /** Releases every tensor the model owns (idempotent). */
  protected abstract release(): void;

  /** Decodes bytes written by {@link toBytes} for model `name` (kind `model:<name>`); errors name `fn`. */
  protected static decodeModel(bytes: Uint8Array, name: string, fn: string): StateContent & { config: Record<string, unknown> } {
    const content = decodeState(bytes, { fn, kind: `model:${name}` });
    const config = (content.header as { config?: unknown }).config;
    if (config == null || typeof config !== 'object') throw new Error(`${fn}: bytes must record the model's options, got ${show(config)}`);
    return { ...content, config: config as Record<string, unknown> };
  }

  /** Restores the shared part of a saved state (seen set, popularity, learned masks) into `model`. */
  protected static restoreBase(model: BaseRecommender<TrainingOptions>, content: StateContent, fn: string): void {
    const h = content.header as { seed: number; batchSize: number; numUsers: number; numItems: number };
    const b = content.blocks;
    if (!Number.isInteger(h.numUsers) || !Number.isInteger(h.numItems)) throw new Error(`${fn}: bytes must record numUsers and numItems, got ${show(h.numUsers)} and ${show(h.numItems)}`);
    model.seed = h.seed;
    model.batchSize = h.batchSize;
    model.seen = seenFromBlocks(h.numUsers, h.numItems, b.seenOffsets, b.seenItems, fn);
    model.counts = typedBlock(b, 'counts', Float64Array, fn, h.numItems);
    model.learnedUsers = typedBlock(b, 'learnedUsers', Uint8Array, fn, h.numUsers);
    model.learnedItems = typedBlock(b, 'learnedItems', Uint8Array, fn, h.numItems);
    model.fitted = true;
  }

  /**
   * The rows of a batch whose user still has an item to draw as a negative (a user who has
   * interacted with every item has none, so no pairwise loss term); the same arrays when all do.
   */
  protected trainableRows(users: Int32Array, items: Int32Array): { users: Int32Array; items: Int32Array } {
    const n = this.numItems;
    let all = true;
    for (let k = 0; k < users.length && all; k++) if (this.seen.count(users[k]) >= n) all = false;
    if (all) return { users, items };
    const keep: number[] = [];
    for (let k = 0; k < users.length; k++) if (this.seen.count(users[k]) < n) keep.push(k);
    return { users: Int32Array.from(keep, (k) => users[k]), items: Int32Array.from(keep, (k) => items[k]) };
  }

  protected requireFitted(fn: string): void {
    if (!this.fitted) throw new Error(`${fn}: the model must be fitted (call fit) or loaded (fromBytes) first, got an untrained ${this.modelName}`);
  }

  protected checkUser(fn: string, user: number): void {
    if (!Number.isInteger(user) || user < 0 || user >= this.numUsers) throw new Error(`${fn}: user must be a user id in [0, ${this.numUsers}), got ${show(user)}`);
  }

  protected checkUsers(fn: string, arg: string, users: Int32Array): void {
    if (!(users instanceof Int32Array)) throw new Error(`${fn}: ${arg} must be an Int32Array of user ids, got ${show(users)}`);
    for (let k = 0; k < users.length; k++) {
      if (users[k] < 0 || users[k] >= this.numUsers) throw new Error(`${fn}: ${arg}[${k}] must be a user id in [0, ${this.numUsers}), got ${users[k]}`);
    }
  }

  /** The rows of untrained users become popularity; untrained items sink below trained ones. */
  private neutralRows(users: Int32Array, out: Float32Array): void {
    const n = this.numItems;
    const sign = this.kind === 'distance' ? -1 : 1;
    let anyUnlearned = false;
    for (let i = 0; i < n; i++) if (!this.learnedItems[i]) anyUnlearned = true;
    for (let r = 0; r < users.length; r++) {
      const row = out.subarray(r * n, (r + 1) * n);
      if (!this.learnedUsers[users[r]]) {
        for (let i = 0; i < n; i++) row[i] = sign * this.counts[i];
        continue;
      }
      if (!anyUnlearned) continue;
      // the worst value among trained items, then 1 + a popularity tie-break below it
      let worst = sign > 0 ? Infinity : -Infinity;
      for (let i = 0; i < n; i++) if (this.learnedItems[i]) worst = sign > 0 ? Math.min(worst, row[i]) : Math.max(worst, row[i]);
      if (!Number.isFinite(worst)) worst = 0;
      for (let i = 0; i < n; i++) if (!this.learnedItems[i]) row[i] = worst - sign * (1 + 1 / (1 + this.counts[i]));
    }
  }

  private allLearned(users: Int32Array, items: Int32Array): boolean {
    for (let k = 0; k < users.length; k++) if (!this.learnedUsers[users[k]] || !this.learnedItems[items[k]]) return false;
    return true;
  }

  /** Pair scores read from neutralised full rows (exactly consistent with scoreAll). */
  private scoreViaRows(users: Int32Array, items: Int32Array): Float32Array {
    const distinct = Int32Array.from(new Set(users));
    const rowOf = new Map<number, number>();
    distinct.forEach((u, r) => rowOf.set(u, r));
    const rows = this.scoreAll(distinct);
    const n = this.numItems;
    return Float32Array.from(users, (u, k) => rows[(rowOf.get(u) as number) * n + items[k]]);
  }
}

function grow(a: Float64Array | Uint8Array, n: number): Float64Array | Uint8Array {
  if (a.length >= n) return a;
  const b = new (a.constructor as { new (n: number): Float64Array | Uint8Array })(n);
  b.set(a);
  return b;
}
