import * as tf from '@tensorflow/tfjs-core';
import type { IdMap, Interactions, RawId } from '@memrec/core';
import type { LoadedDataset } from '@memrec/data';
import { sortByTime } from '@memrec/data';
import { hitRate, ndcg, topKRow } from '@memrec/eval';
import { BprMf, ItemPop, Nmrn, OnlineRecommender, type BaseRecommender, type TrainingOptions } from '@memrec/models';

import type { ModelName } from './names';

export { MODEL_NAMES, type ModelName } from './names';

/** Options of {@link Session.create}. */
export interface SessionOptions {
  /** Share of the time-ordered events used for the initial training (default 0.5). */
  trainRatio?: number;
  /** Seed of every model (default 1). */
  seed?: number;
  /** BPR-MF epochs (default 30; the library's 100 take long in a page). */
  bprEpochs?: number;
  /** Called as each model trains: its name, the training phase, and steps done of the total. */
  onProgress?: (model: ModelName, phase: string, done: number, total: number) => void;
}

/** Prequential figures of one model: means over the scored events so far. */
export interface ModelMetrics {
  'hr@10': number;
  'ndcg@10': number;
  /** Events scored (user and item known before, item new to the user). */
  scored: number;
}

/** One recommended item. */
export interface ShownItem {
  item: RawId;
  score: number;
}

type Model = BaseRecommender<TrainingOptions>;

/**
 * What the playground runs, without any page: the models trained on the first part of a
 * time-ordered stream, then the rest played event by event, test-then-train (each event is
 * ranked by every model against the user's unseen items before any model learns from it).
 * The page runs it in a Web Worker; tests run it under Node.
 *
 * @example
 * ```ts
 * const session = await Session.create(syntheticStream({ seed: 1, numUsers: 200, numItems: 150, numEvents: 4000 }), { seed: 1 });
 * session.step(100);
 * session.metrics().NMRN['hr@10']; // in [0, 1]
 * ```
 */
export class Session {
  /** Events played so far. */
  processed = 0;
  private readonly known: { users: Uint8Array; items: Uint8Array };
  private readonly sums = new Map<ModelName, { hr: number; ndcg: number; n: number }>();
  private readonly top = new Int32Array(10);
  private imported: OnlineRecommender | null = null;

  private constructor(
    readonly data: Interactions,
    readonly users: IdMap,
    readonly items: IdMap,
    readonly trainSize: number,
    readonly models: Map<ModelName, Model>,
  ) {
    this.known = { users: new Uint8Array(data.numUsers), items: new Uint8Array(data.numItems) };
    for (let k = 0; k < trainSize; k++) {
      this.known.users[data.users[k]] = 1;
      this.known.items[data.items[k]] = 1;
    }
    for (const name of models.keys()) this.sums.set(name, { hr: 0, ndcg: 0, n: 0 });
  }

  /**
   * Orders the events by time, trains NMRN, BPR-MF and ItemPop on the first `trainRatio` of
   * them (every model sees the whole id space, so the stream grows nothing), and returns the
   * session ready to play the rest.
   *
   * @example
   * ```ts
   * const s = await Session.create(dataset, { trainRatio: 0.5, seed: 3 });
   * ```
   */
  static async create(dataset: LoadedDataset, options: SessionOptions = {}): Promise<Session> {
    const { trainRatio = 0.5, seed = 1, bprEpochs = 30, onProgress } = options;
    if (!(trainRatio > 0 && trainRatio < 1)) throw new Error(`Session.create: options.trainRatio must be in (0, 1), got ${trainRatio}`);
    if (!Number.isInteger(seed)) throw new Error(`Session.create: options.seed must be an integer, got ${seed}`);
    const data = dataset.interactions.timestamps ? sortByTime(dataset.interactions) : dataset.interactions;
    const n = data.users.length;
    const trainSize = Math.max(1, Math.min(n - 1, Math.round(n * trainRatio)));
    const train: Interactions = {
      users: data.users.subarray(0, trainSize),
      items: data.items.subarray(0, trainSize),
      ...(data.timestamps ? { timestamps: data.timestamps.subarray(0, trainSize) } : {}),
      numUsers: data.numUsers,
      numItems: data.numItems,
    };
    const models = new Map<ModelName, Model>([
      ['NMRN', new Nmrn({ seed }) as Model],
      ['BPR-MF', new BprMf({ seed, dim: 64, epochs: bprEpochs }) as Model],
      ['ItemPop', new ItemPop() as Model],
    ]);
    for (const [name, model] of models) {
      onProgress?.(name, 'train', 0, 1);
      await model.fit(train, { seed, onProgress: (p) => onProgress?.(name, p.phase, p.done, p.total) });
      onProgress?.(name, 'trained', 1, 1);
    }
    return new Session(data, dataset.users, dataset.items, trainSize, models);
  }

  /** Events left to play. */
  get remaining(): number {
    return this.data.users.length - this.trainSize - this.processed;
  }

  /** The next event to play (dense ids), or null at the end. */
  peek(): { user: number; item: number } | null {
    if (this.remaining <= 0) return null;
    const k = this.trainSize + this.processed;
    return { user: this.data.users[k], item: this.data.items[k] };
  }

  /**
   * Plays up to `n` events, test-then-train: every model ranks the event's item among the
   * user's unseen items (HR@10, NDCG@10; only when the user and the item occurred before and
   * the user has not seen the item), then every model observes the event. Returns the events
   * played.
   *
   * @example
   * ```ts
   * session.step(50); // 50, or fewer at the end of the stream
   * ```
   */
  async step(n: number): Promise<number> {
    let done = 0;
    while (done < n && this.remaining > 0) {
      const k = this.trainSize + this.processed;
      const u = this.data.users[k];
      const i = this.data.items[k];
      if (this.known.users[u] && this.known.items[i]) {
        for (const [name, model] of this.models) {
          const seen = model.seenItems(u);
          if (binaryHas(seen, i)) continue;
          const row = model.scoreAll(Int32Array.of(u));
          const got = topKRow(row, 10, seen, model.kind === 'distance', this.top);
          const ranked = this.top.subarray(0, got);
          const s = this.sums.get(name) as { hr: number; ndcg: number; n: number };
          s.hr += hitRate(ranked, Int32Array.of(i), 10);
          s.ndcg += ndcg(ranked, Int32Array.of(i), 10);
          s.n++;
        }
      }
      const event: Interactions = { users: Int32Array.of(u), items: Int32Array.of(i), numUsers: this.data.numUsers, numItems: this.data.numItems };
      if (this.data.timestamps) event.timestamps = Float64Array.of(this.data.timestamps[k]);
      for (const model of this.models.values()) await model.observe(event);
      if (this.imported) await this.imported.ingest([{ user: this.users.toRaw(u), item: this.items.toRaw(i), ...(event.timestamps ? { timestamp: event.timestamps[0] } : {}) }]);
      this.known.users[u] = 1;
      this.known.items[i] = 1;
      this.processed++;
      done++;
    }
    return done;
  }

  /** Prequential HR@10 and NDCG@10 of every model so far (0 before any scored event). */
  metrics(): Record<ModelName, ModelMetrics> {
    const out = {} as Record<ModelName, ModelMetrics>;
    for (const [name, s] of this.sums) out[name] = { 'hr@10': s.n ? s.hr / s.n : 0, 'ndcg@10': s.n ? s.ndcg / s.n : 0, scored: s.n };
    return out;
  }

  /**
   * The top `k` unseen items of a model for a user (dense id), with raw item ids; `score` is
   * higher-is-better (minus NMRN's distance).
   *
   * @example
   * ```ts
   * session.recommend('NMRN', 0, 10); // [{ item: 242, score: -0.83 }, ...]
   * ```
   */
  recommend(name: ModelName, user: number, k = 10): ShownItem[] {
    const model = this.models.get(name) as Model;
    const r = model.recommend(user, k);
    const sign = model.kind === 'distance' ? -1 : 1;
    return Array.from(r.items, (item, j) => ({ item: this.items.toRaw(item), score: sign * r.scores[j] }));
  }

  /** NMRN's memory address (attention over its slots, summing to 1) for a user (dense id). */
  attention(user: number): Float32Array {
    const nmrn = this.models.get('NMRN') as unknown as Nmrn;
    if (nmrn.kv == null) throw new Error('Session.attention: NMRN must be trained first, got an untrained model');
    const kv = nmrn.kv;
    return tf.tidy(() => kv.address(nmrn.users.lookup(Int32Array.of(user))).dataSync() as Float32Array).slice();
  }

  /** The `n` users with the most events still to play (dense ids), most active first. */
  activeUsers(n: number): number[] {
    const count = new Map<number, number>();
    for (let k = this.trainSize; k < this.data.users.length; k++) count.set(this.data.users[k], (count.get(this.data.users[k]) ?? 0) + 1);
    return [...count.entries()]
      .filter(([u]) => this.known.users[u])
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, n)
      .map(([u]) => u);
  }

  /**
   * A model as a checkpoint file's bytes: an `OnlineRecommender` (the model, the raw-id maps,
   * the seen sets), the format `saveCheckpoint` of `@memrec/models/node` writes and the
   * benchmark CLI reads (`memrec-bench recommend --checkpoint FILE --user ID`).
   */
  exportModel(name: ModelName): Uint8Array {
    const model = this.models.get(name) as Model;
    return OnlineRecommender.fromModel(model, { users: this.users, items: this.items }).toBytes();
  }

  /**
   * Loads a checkpoint (this page's export, or a benchmark run's `checkpoints/<model>.memrec`)
   * beside the live models: it recommends by raw ids and ingests the events still to play.
   * Returns the model's name.
   */
  async importModel(bytes: Uint8Array): Promise<string> {
    const rec = await OnlineRecommender.fromBytes(bytes);
    this.imported?.dispose();
    this.imported = rec;
    return rec.model.name;
  }

  /** The imported model's top `k` for a raw user id (null when nothing is imported). */
  importedRecommend(user: RawId, k = 10): ShownItem[] | null {
    return this.imported ? this.imported.recommend(user, k).map((r) => ({ item: r.item, score: r.score })) : null;
  }

  /** Releases every model's tensors. */
  dispose(): void {
    for (const m of this.models.values()) m.dispose();
    this.imported?.dispose();
    this.imported = null;
  }
}

function binaryHas(sorted: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === x;
}
