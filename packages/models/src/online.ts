import { decodeState, encodeState, IdMap, type FitOptions, type Interactions, type RawId, type Recommender } from '@memrec/core';
import { show } from '@memrec/core/internal';
import { checkEvents, checkRawId, timeOrder, type OnlineEvent } from './online-events';
import { RecentWindow } from './recent-window';
import { recommenderFromBytes } from './registry';

export type { OnlineEvent } from './online-events';
import { bytesBlock, typedBlock } from './state';

/** One recommended item: its raw id and a score where higher is better (NMRN: minus its distance). */
export interface ScoredItem {
  item: RawId;
  score: number;
}

/** Options of {@link OnlineRecommender}. */
export interface OnlineOptions {
  /** Events in the window whose item counts make the cold-start list (default 10,000). */
  recentWindow?: number;
}

/** What {@link OnlineRecommender.ingest} did. */
export interface IngestResult {
  /** Events applied. */
  accepted: number;
  /** Users and items seen for the first time in this call. */
  newUsers: number;
  newItems: number;
}

const KIND = 'online-recommender';

/** A model that scores an anonymous session read-only (NMRN's `scoreSession`). */
interface SessionScorer {
  /** Scores of every item for a session of these dense item ids, changing nothing. */
  scoreSession(items: Int32Array): Float32Array;
}

/**
 * A recommender an application can call with raw ids, one event (or micro-batch) at a time:
 * it owns the id maps, feeds new events to the model's `observe` right away (streaming models
 * learn from them; static models record them so they are never recommended back), answers
 * top-k with raw ids, gives a cold-start list (most popular items among the recent events) to
 * users it has never seen, and saves its whole state to bytes.
 *
 * Calls to `ingest` are applied one after another in call order, even when not awaited.
 *
 * @example
 * ```ts
 * import { Nmrn, OnlineRecommender } from '@memrec/models';
 * const rec = await OnlineRecommender.train(new Nmrn({ sampler: 'uniform' }), events, { epochs: 2 });
 * await rec.ingest([{ user: 'alice', item: 'm42', timestamp: 1700000000 }]);
 * rec.recommend('alice', 10); // [{ item, score }, ...] best first, never an item alice has seen
 * const copy = await OnlineRecommender.fromBytes(rec.toBytes());
 * ```
 */
export class OnlineRecommender {
  readonly model: Recommender;
  private readonly users: IdMap;
  private readonly items: IdMap;
  private recent: RecentWindow;
  private events = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(model: Recommender, users: IdMap, items: IdMap, options: OnlineOptions, fn: string) {
    const window = options.recentWindow ?? 10000;
    if (!Number.isInteger(window) || window < 1) throw new Error(`${fn}: options.recentWindow must be an integer >= 1, got ${show(window)}`);
    for (const key of Object.keys(options)) if (key !== 'recentWindow') throw new Error(`${fn}: unknown option ${JSON.stringify(key)}; known options are recentWindow`);
    this.model = model;
    this.users = users;
    this.items = items;
    this.recent = new RecentWindow(window, items.size);
  }

  /**
   * Builds the id maps from `events` (in time order when every event has a timestamp, else in
   * array order), fits `model` on them, and returns the online recommender.
   *
   * @example
   * ```ts
   * const rec = await OnlineRecommender.train(new BprMf(), [{ user: 1, item: 'a' }, { user: 2, item: 'b' }]);
   * ```
   */
  static async train(model: Recommender, events: OnlineEvent[], fitOptions: FitOptions = {}, options: OnlineOptions = {}): Promise<OnlineRecommender> {
    const fn = 'OnlineRecommender.train';
    if (model == null || typeof model.fit !== 'function' || typeof model.observe !== 'function') throw new Error(`${fn}: model must be a Recommender (fit, observe, recommend, toBytes), got ${show(model)}`);
    checkEvents(fn, events, false);
    const ordered = timeOrder(fn, events);
    const rec = new OnlineRecommender(model, new IdMap(), new IdMap(), options, fn);
    const data = rec.toInteractions(ordered);
    await model.fit(data, fitOptions);
    rec.remember(data.items);
    return rec;
  }

  /**
   * Wraps a model that is already fitted on dense ids, with the id maps that produced them.
   *
   * @example
   * ```ts
   * const rec = OnlineRecommender.fromModel(model, { users: dataset.users, items: dataset.items });
   * ```
   */
  static fromModel(model: Recommender, ids: { users: IdMap; items: IdMap }, options: OnlineOptions = {}): OnlineRecommender {
    const fn = 'OnlineRecommender.fromModel';
    if (model == null || typeof model.recommend !== 'function') throw new Error(`${fn}: model must be a fitted Recommender, got ${show(model)}`);
    if (!(ids?.users instanceof IdMap) || !(ids?.items instanceof IdMap)) throw new Error(`${fn}: ids must be { users: IdMap, items: IdMap }, got ${show(ids)}`);
    if (ids.users.size !== model.numUsers || ids.items.size !== model.numItems) {
      throw new Error(`${fn}: ids must match the model's ${model.numUsers} users and ${model.numItems} items, got ${ids.users.size} and ${ids.items.size}`);
    }
    return new OnlineRecommender(model, ids.users, ids.items, options, fn);
  }

  /** Users and items known so far, and events taken since training. */
  get numUsers(): number {
    return this.users.size;
  }

  get numItems(): number {
    return this.items.size;
  }

  get eventsIngested(): number {
    return this.events;
  }

  /** True when `user` has been seen (in training or an ingested event). */
  knowsUser(user: RawId): boolean {
    return this.users.has(user);
  }

  /** True when `item` has been seen. */
  knowsItem(item: RawId): boolean {
    return this.items.has(item);
  }

  /**
   * Applies new events in order, right away: new users and items grow the model's tables, the
   * model's `observe` learns from them (or records them, for static models). Every event is
   * checked before any is applied, so a bad event leaves the state untouched.
   *
   * @example
   * ```ts
   * await rec.ingest([{ user: 'u1', item: 'i9' }, { user: 'new-user', item: 'new-item', timestamp: 17 }]);
   * ```
   */
  ingest(events: OnlineEvent[]): Promise<IngestResult> {
    const fn = 'OnlineRecommender.ingest';
    const run = async (): Promise<IngestResult> => {
      this.checkLive(fn);
      checkEvents(fn, events, true);
      const before = { users: this.users.size, items: this.items.size };
      if (events.length === 0) return { accepted: 0, newUsers: 0, newItems: 0 };
      const block = this.toInteractions(events);
      await this.model.observe(block);
      this.remember(block.items);
      this.events += events.length;
      return { accepted: events.length, newUsers: this.users.size - before.users, newItems: this.items.size - before.items };
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * The best `k` items for `user` (raw ids, best first, distinct). With `excludeSeen` (default)
   * never an item the user has interacted with. A user never seen gets the cold-start list.
   *
   * @example
   * ```ts
   * rec.recommend('alice', 5); // [{ item: 'm7', score: 3.1 }, ...]
   * ```
   */
  recommend(user: RawId, k: number, options: { excludeSeen?: boolean } = {}): ScoredItem[] {
    const fn = 'OnlineRecommender.recommend';
    this.checkLive(fn);
    checkRawId(fn, 'user', user);
    if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be an integer >= 1, got ${show(k)}`);
    if (options == null || typeof options !== 'object') throw new Error(`${fn}: options must be an object, got ${show(options)}`);
    for (const key of Object.keys(options)) if (key !== 'excludeSeen') throw new Error(`${fn}: unknown option ${JSON.stringify(key)}; known options are excludeSeen`);
    const { excludeSeen = true } = options;
    if (typeof excludeSeen !== 'boolean') throw new Error(`${fn}: options.excludeSeen must be true or false, got ${show(excludeSeen)}`);
    const dense = this.users.get(user);
    if (dense === undefined) return this.coldStart(k);
    const top = this.model.recommend(dense, k, { excludeSeen });
    const sign = this.model.kind === 'distance' ? -1 : 1;
    return Array.from(top.items, (i, r) => ({ item: this.items.toRaw(i), score: sign * top.scores[r] }));
  }

  /**
   * {@link OnlineRecommender.recommend} for many requests at once: the known users are scored in
   * one pass (`recommendMany` of the model when it has one), which costs a fraction of one call
   * each; a server batches concurrent requests this way. The same lists as one call each;
   * unknown users get the cold-start list. Every request is checked before any is answered.
   *
   * @example
   * ```ts
   * const [a, b] = rec.recommendMany([{ user: 'u1', k: 10 }, { user: 'u2', k: 5, excludeSeen: false }]);
   * ```
   */
  recommendMany(requests: { user: RawId; k: number; excludeSeen?: boolean }[]): ScoredItem[][] {
    const fn = 'OnlineRecommender.recommendMany';
    this.checkLive(fn);
    if (!Array.isArray(requests)) throw new Error(`${fn}: requests must be an array of { user, k, excludeSeen? }, got ${show(requests)}`);
    requests.forEach((q, r) => {
      if (q == null || typeof q !== 'object') throw new Error(`${fn}: requests[${r}] must be an object { user, k, excludeSeen? }, got ${show(q)}`);
      checkRawId(fn, `requests[${r}].user`, q.user);
      if (!Number.isInteger(q.k) || q.k < 1) throw new Error(`${fn}: requests[${r}].k must be an integer >= 1, got ${show(q.k)}`);
      for (const key of Object.keys(q)) if (key !== 'user' && key !== 'k' && key !== 'excludeSeen') throw new Error(`${fn}: requests[${r}] has the unknown field ${JSON.stringify(key)}; known fields are user, k, excludeSeen`);
      if (q.excludeSeen !== undefined && typeof q.excludeSeen !== 'boolean') throw new Error(`${fn}: requests[${r}].excludeSeen must be true or false, got ${show(q.excludeSeen)}`);
    });
    const out: ScoredItem[][] = new Array(requests.length);
    const sign = this.model.kind === 'distance' ? -1 : 1;
    // known users grouped by (k, excludeSeen): one scoring pass per group (usually one group)
    const groups = new Map<string, number[]>();
    requests.forEach((q, r) => {
      if (this.users.get(q.user) === undefined) {
        out[r] = this.coldStart(q.k);
        return;
      }
      const key = `${q.k}:${q.excludeSeen ?? true}`;
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    });
    for (const rows of groups.values()) {
      const { k, excludeSeen = true } = requests[rows[0]];
      const dense = Int32Array.from(rows, (r) => this.users.get(requests[r].user) as number);
      const tops = typeof this.model.recommendMany === 'function'
        ? this.model.recommendMany(dense, k, { excludeSeen })
        : Array.from(dense, (u) => this.model.recommend(u, k, { excludeSeen }));
      rows.forEach((r, j) => {
        const top = tops[j];
        out[r] = Array.from(top.items, (i, s) => ({ item: this.items.toRaw(i), score: sign * top.scores[s] }));
      });
    }
    return out;
  }

  /** True when the model scores an anonymous session read-only (`scoreSession`, e.g. NMRN); see {@link OnlineRecommender.recommendSession}. */
  get scoresSessions(): boolean {
    return typeof (this.model as Partial<SessionScorer>).scoreSession === 'function';
  }

  /**
   * The best `k` items for an anonymous session whose recent events are `items` (raw ids, oldest
   * first), storing nothing: the model's `scoreSession` scores a temporary user state built from
   * the session (NMRN: the memory after the session's writes) and drops it; the model, the id maps
   * and the recent window stay as they were. Items the recommender has never seen are skipped.
   * With `excludeSeen` (default) never one of the session's items. A model without
   * `scoreSession` is an error (see {@link OnlineRecommender.scoresSessions}).
   *
   * @example
   * ```ts
   * rec.recommendSession(['m7', 'm42'], 10); // [{ item, score }, ...] best first
   * ```
   */
  recommendSession(items: RawId[], k: number, options: { excludeSeen?: boolean } = {}): ScoredItem[] {
    const fn = 'OnlineRecommender.recommendSession';
    this.checkLive(fn);
    if (!Array.isArray(items)) throw new Error(`${fn}: items must be an array of raw item ids, got ${show(items)}`);
    items.forEach((item, r) => checkRawId(fn, `items[${r}]`, item));
    if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be an integer >= 1, got ${show(k)}`);
    if (options == null || typeof options !== 'object') throw new Error(`${fn}: options must be an object, got ${show(options)}`);
    for (const key of Object.keys(options)) if (key !== 'excludeSeen') throw new Error(`${fn}: unknown option ${JSON.stringify(key)}; known options are excludeSeen`);
    const { excludeSeen = true } = options;
    if (typeof excludeSeen !== 'boolean') throw new Error(`${fn}: options.excludeSeen must be true or false, got ${show(excludeSeen)}`);
    if (!this.scoresSessions) throw new Error(`${fn}: the model must score sessions (scoreSession), got ${this.model.name}, which does not`);
    const known: number[] = [];
    for (const item of items) {
      const i = this.items.get(item);
      if (i !== undefined) known.push(i);
    }
    const dense = Int32Array.from(known);
    const row = (this.model as unknown as SessionScorer).scoreSession(dense);
    const distance = this.model.kind === 'distance';
    const skip = new Uint8Array(row.length);
    if (excludeSeen) for (const i of dense) skip[i] = 1;
    // top k by a partial selection: ascending distance / descending score, ties by lower id
    const better = (a: number, b: number) => (row[a] !== row[b] ? (distance ? row[a] < row[b] : row[a] > row[b]) : a < b);
    const top: number[] = [];
    for (let i = 0; i < row.length; i++) {
      if (skip[i] || Number.isNaN(row[i])) continue;
      if (top.length === k && !better(i, top[k - 1])) continue;
      let at = Math.min(top.length, k - 1);
      if (top.length < k) top.push(i);
      while (at > 0 && better(i, top[at - 1])) {
        top[at] = top[at - 1];
        at--;
      }
      top[at] = i;
    }
    const sign = distance ? -1 : 1;
    return top.map((i) => ({ item: this.items.toRaw(i), score: sign * row[i] }));
  }

  /**
   * The cold-start list: the `k` items with most events among the last `recentWindow` events
   * (ties: the item seen first), with their recent counts as scores.
   *
   * @example
   * ```ts
   * rec.coldStart(10);
   * ```
   */
  coldStart(k: number): ScoredItem[] {
    const fn = 'OnlineRecommender.coldStart';
    this.checkLive(fn);
    if (!Number.isInteger(k) || k < 1) throw new Error(`${fn}: k must be an integer >= 1, got ${show(k)}`);
    return Array.from(this.recent.top(k), (i) => ({ item: this.items.toRaw(i), score: this.recent.counts[i] }));
  }

  /**
   * The whole state (model, id maps, seen sets, recent window) in memrec's checksummed format;
   * {@link OnlineRecommender.fromBytes} gives back a recommender with identical recommendations.
   *
   * @example
   * ```ts
   * writeFileSync('rec.memrec', rec.toBytes());
   * ```
   */
  toBytes(): Uint8Array {
    this.checkLive('OnlineRecommender.toBytes');
    return encodeState({
      kind: KIND,
      header: { users: this.users.toJSON(), items: this.items.toJSON(), ...this.recent.toState().header, events: this.events },
      blocks: { model: this.model.toBytes(), ring: this.recent.toState().ring },
    });
  }

  /**
   * Restores an online recommender saved by {@link toBytes}. Corrupted or truncated bytes are
   * rejected with an error that says what is wrong.
   *
   * @example
   * ```ts
   * const rec = await OnlineRecommender.fromBytes(readFileSync('rec.memrec'));
   * ```
   */
  static async fromBytes(bytes: Uint8Array): Promise<OnlineRecommender> {
    const fn = 'OnlineRecommender.fromBytes';
    const c = decodeState(bytes, { fn, kind: KIND });
    const h = c.header as { users: unknown; items: unknown; window: number; ringPos: number; ringFilled: number; events: number };
    let users: IdMap;
    let items: IdMap;
    try {
      users = IdMap.fromJSON(h.users);
      items = IdMap.fromJSON(h.items);
    } catch (e) {
      throw new Error(`${fn}: bytes must hold valid id maps, got: ${(e as Error).message}`);
    }
    const model = recommenderFromBytes(bytesBlock(c.blocks, 'model', fn));
    if (model.numUsers !== users.size || model.numItems !== items.size) {
      model.dispose();
      throw new Error(`${fn}: the saved model must match the id maps (${users.size} users, ${items.size} items), got ${model.numUsers} users and ${model.numItems} items`);
    }
    const rec = new OnlineRecommender(model, users, items, { recentWindow: h.window }, fn);
    try {
      rec.recent = RecentWindow.fromState(h, typedBlock(c.blocks, 'ring', Int32Array, fn, h.window), items.size, fn);
    } catch (e) {
      model.dispose();
      throw e;
    }
    rec.events = h.events;
    return rec;
  }

  /** Releases the model's tensors. The recommender cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  private checkLive(fn: string): void {
    if (this.disposed) throw new Error(`${fn}: the recommender must not be disposed, got a disposed one`);
  }

  /** Maps raw ids (adding new ones) into a dense block sized to the grown id space. */
  private toInteractions(events: OnlineEvent[]): Interactions {
    const n = events.length;
    const users = new Int32Array(n);
    const items = new Int32Array(n);
    const hasTime = events.every((e) => e.timestamp !== undefined);
    const hasRating = events.every((e) => e.rating !== undefined);
    const timestamps = hasTime ? new Float64Array(n) : undefined;
    const ratings = hasRating ? new Float32Array(n) : undefined;
    for (let k = 0; k < n; k++) {
      const e = events[k];
      users[k] = this.users.add(e.user);
      items[k] = this.items.add(e.item);
      if (timestamps) timestamps[k] = e.timestamp as number;
      if (ratings) ratings[k] = e.rating as number;
    }
    return { users, items, timestamps, ratings, numUsers: this.users.size, numItems: this.items.size };
  }

  /** Adds items to the recent window (and its counts), dropping the oldest beyond it. */
  private remember(items: Int32Array): void {
    this.recent.remember(items, this.items.size);
  }

}
