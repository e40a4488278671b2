import { OnlineRecommender, type OnlineEvent, type ScoredItem } from '@memrec/models';
import type { Checkpoint, CheckpointStore } from './checkpoints';
import type { LoggedEvent } from './events';
import { IdSet } from './id-set';
import type { LogRecord } from './log/record';
import type { EventLog } from './log/types';
import { Metrics } from './metrics';

/** Options of {@link Engine}. */
export interface EngineOptions {
  /** The recommender restored from `checkpoint` (the engine owns it from now on). */
  rec: OnlineRecommender;
  checkpoint: Checkpoint;
  /** Where checkpoints go; absent on a read replica (which still reloads at the same offsets). */
  store?: CheckpointStore;
  /** The log to truncate behind the oldest kept checkpoint (the primary's). */
  log?: EventLog;
  metrics?: Metrics;
  /** Prequential HR@10 samples the events at offsets divisible by this (default 500; 0: off). */
  prequentialEvery?: number;
  warn?: (line: string) => void;
}

const toOnline = (e: LoggedEvent): OnlineEvent => {
  const o: OnlineEvent = { user: e.user, item: e.item };
  if (e.timestamp !== undefined) o.timestamp = e.timestamp;
  if (e.rating !== undefined) o.rating = e.rating;
  return o;
};

/**
 * The single trainer: applies log records in log order, in micro-batches of at most
 * `settings.maxBatch` events (a record, or a slice of a large one), to an `OnlineRecommender`,
 * and checkpoints every
 * `checkpointEvery` events at record boundaries (the log offset inside).
 * It knows every event id logged since the data folder was created ({@link Engine.hasEventId}),
 * in an {@link IdSet} of id hashes: each checkpoint saves the hashes of the ids before its offset,
 * and the replay after it adds the rest.
 * After writing a checkpoint it continues from the checkpoint's own bytes, so that a recovery
 * (last checkpoint + replay of the same records) reaches bit-identical state.
 *
 * @example
 * ```ts
 * const engine = new Engine({ rec, checkpoint, store });
 * log.onRecord((r) => engine.enqueue(r));
 * await engine.waitFor(120, 5000); // true once offset 120 is applied
 * ```
 */
export class Engine {
  rec: OnlineRecommender;
  /** Every event before this log offset is applied. */
  applied: number;
  /** The backend position of `applied` (Redis stream id). */
  position: string | undefined;
  lastCheckpointOffset: number;
  /** The ids of every event handed to the engine (offsets before `received`). */
  readonly ids: IdSet;
  private receivedEnd: number;
  readonly metrics: Metrics;
  readonly settings: Checkpoint['settings'];
  private queue: LogRecord[] = [];
  private running: Promise<void> | null = null;
  private stopping = false;
  private failure: Error | null = null;
  private waiters: { offset: number; resolve: (ok: boolean) => void }[] = [];
  private readonly prequentialEvery: number;
  private readonly maxBatch: number;

  constructor(private readonly options: EngineOptions) {
    const c = options.checkpoint;
    this.rec = options.rec;
    this.applied = c.offset;
    this.position = c.position;
    this.lastCheckpointOffset = c.offset;
    this.settings = c.settings;
    this.ids = IdSet.fromHashes(c.idHashes);
    this.receivedEnd = c.offset;
    this.metrics = options.metrics ?? new Metrics();
    this.prequentialEvery = options.prequentialEvery ?? 500;
    // a larger record (a request of up to 10,000 events) is applied in slices of maxBatch events,
    // requests answered between slices; the setting lives in the checkpoint, so a replay or a
    // replica slices the same way
    const maxBatch = c.settings.maxBatch;
    if (maxBatch !== undefined && (!Number.isInteger(maxBatch) || maxBatch < 1)) throw new Error(`Engine: checkpoint.settings.maxBatch must be an integer >= 1, got ${maxBatch}`);
    this.maxBatch = maxBatch ?? Infinity;
  }

  /** The offset after the last record handed to the engine (applied or queued). */
  get received(): number {
    return this.receivedEnd;
  }

  /**
   * True when an event with this id is in the log (applied or queued), among all since the data
   * folder was created (see {@link IdSet}).
   */
  hasEventId(id: string): boolean {
    return this.ids.has(id);
  }

  /** The error that stopped the trainer, if any (the service is then not ready). */
  get error(): Error | null {
    return this.failure;
  }

  /** Queues a record (records must arrive in log order) and notes its event ids. */
  enqueue(record: LogRecord): void {
    if (record.first !== this.receivedEnd) throw new Error(`Engine.enqueue: records must arrive in log order, got offset ${record.first} where ${this.receivedEnd} was expected`);
    for (const e of record.events) this.ids.add(e.eventId);
    this.receivedEnd = record.first + record.events.length;
    this.queue.push(record);
    if (!this.running && !this.stopping && !this.failure) this.running = this.loop();
  }

  /** Resolves once the queue is empty (or the trainer failed or stops). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Resolves true once `offset` is applied, false after `timeoutMs`. */
  waitFor(offset: number, timeoutMs: number): Promise<boolean> {
    if (this.applied >= offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: { offset: number; resolve: (ok: boolean) => void } = { offset, resolve };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(false);
      }, timeoutMs);
      w.resolve = (ok: boolean) => {
        clearTimeout(timer);
        resolve(ok);
      };
      this.waiters.push(w);
    });
  }

  /** Finishes the record being applied, leaves the rest queued (it is in the log), and checkpoints. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.drain();
    if (this.options.store && !this.failure && this.applied > this.lastCheckpointOffset) await this.checkpoint();
  }

  /**
   * Writes a checkpoint at the applied offset now (a record boundary), truncates the log behind
   * the oldest kept one, and continues from its bytes.
   */
  async checkpoint(): Promise<void> {
    const bytes = this.rec.toBytes();
    const offset = this.applied;
    if (this.options.store) {
      // the ids before the applied offset: all but those of the records still queued
      const queued = new IdSet();
      for (const r of this.queue) for (const e of r.events) queued.add(e.eventId);
      const idHashes = this.ids.toHashes(queued);
      const oldest = await this.options.store.save({ offset, position: this.position, idHashes, recommender: bytes, settings: this.settings });
      this.metrics.checkpoints++;
      if (this.options.log) await this.options.log.truncateBefore(oldest);
    }
    const next = await OnlineRecommender.fromBytes(bytes);
    this.rec.dispose();
    this.rec = next;
    this.lastCheckpointOffset = offset;
  }

  /** Off while replaying at start (HR@10 is about incoming events). */
  live = false;

  /** Recommend requests waiting for the next batch (see {@link Engine.recommend}). */
  private pending: { user: string; k: number; excludeSeen: boolean; resolve: (r: { items: ScoredItem[]; coldStart: boolean; offset: number }) => void; reject: (e: Error) => void }[] = [];

  /**
   * `rec.recommend(user, k)`, batched: the requests that arrive while the event loop is busy
   * (applying a micro-batch, answering other requests) are answered together with one
   * `recommendMany` (one scoring pass for all their users) as soon as the loop is free. The lists
   * are those of one call each, at the model state of the batch; `offset` is the log offset
   * applied in that state.
   *
   * @example
   * ```ts
   * const { items, coldStart, offset } = await engine.recommend('u7', 10, true);
   * ```
   */
  recommend(user: string, k: number, excludeSeen: boolean): Promise<{ items: ScoredItem[]; coldStart: boolean; offset: number }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ user, k, excludeSeen, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.answerPending());
    });
  }

  /**
   * Lets the event loop take new requests, then answers the recommend requests they queued before
   * the next micro-batch (their own turn would come after it: both wait in the same queue), and
   * lets the event loop once more before that micro-batch, so that the answers are written first
   * (the handlers write them a few promise steps after their requests resolve; without this turn
   * the next micro-batch started before and every answer waited for it).
   */
  private async yieldToRequests(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.pending.length === 0) return;
    this.answerPending();
    await new Promise((resolve) => setImmediate(resolve));
  }

  private answerPending(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const rec = this.rec;
    let lists: ScoredItem[][] | null = null;
    try {
      lists = rec.recommendMany(batch.map((q) => ({ user: q.user, k: q.k, excludeSeen: q.excludeSeen })));
    } catch {
      // one request at a time, so that a bad one fails alone
    }
    batch.forEach((q, r) => {
      try {
        const items = lists ? lists[r] : rec.recommend(q.user, q.k, { excludeSeen: q.excludeSeen });
        q.resolve({ items, coldStart: !rec.knowsUser(q.user), offset: this.applied });
      } catch (e) {
        q.reject(e as Error);
      }
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.stopping) {
        await this.apply(this.queue.shift() as LogRecord);
        // let requests (recommend, feedback) run between micro-batches
        if (this.live) await this.yieldToRequests();
      }
    } catch (e) {
      this.failure = e as Error;
      (this.options.warn ?? console.error)(`Engine: the trainer stopped at offset ${this.applied}: ${(e as Error).message}`);
    } finally {
      this.running = null;
    }
  }

  private async apply(r: LogRecord): Promise<void> {
    if (r.first !== this.applied) throw new Error(`Engine.apply: records must be applied in log order, got offset ${r.first} where ${this.applied} was expected`);
    if (this.live && this.prequentialEvery > 0) this.prequential(r);
    for (let start = 0; start < r.events.length; start += this.maxBatch) {
      if (start > 0 && this.live) await this.yieldToRequests();
      const end = Math.min(r.events.length, start + this.maxBatch);
      await this.rec.ingest(r.events.slice(start, end).map(toOnline));
      this.applied = r.first + end;
      if (end === r.events.length && r.id !== undefined) this.position = r.id;
      if (this.waiters.length > 0) {
        const done = this.waiters.filter((w) => w.offset <= this.applied);
        this.waiters = this.waiters.filter((w) => w.offset > this.applied);
        for (const w of done) w.resolve(true);
      }
    }
    if (this.applied - this.lastCheckpointOffset >= this.settings.checkpointEvery) await this.checkpoint();
  }

  /** HR@10 before applying: the sampled events whose user the model knows. */
  private prequential(r: LogRecord): void {
    const every = this.prequentialEvery;
    for (let k = (every - (r.first % every)) % every; k < r.events.length; k += every) {
      const e = r.events[k];
      if (!this.rec.knowsUser(e.user)) continue;
      this.metrics.observeHit(this.rec.recommend(e.user, 10).some((s) => s.item === e.item));
    }
  }
}
