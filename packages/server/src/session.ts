import { OnlineRecommender, type OnlineEvent, type ScoredItem } from '@memrec/models';
import type { Engine } from './engine';

/** A user id no client can send (ids are at most 256 bytes): the anonymous session's. */
const SESSION_USER = `session:${'-'.repeat(256)}`;

/**
 * Recommendations for an anonymous session from its recent events, storing nothing. A model that
 * scores sessions read-only (`OnlineRecommender.scoresSessions`: NMRN) answers from the served
 * model at once: it builds a temporary user state from the session (NMRN: the memory after the
 * session's writes), scores every item and drops it; nothing in the served model changes. For
 * any other model a scratch copy (from a snapshot of its bytes at most `maxAgeMs` old) ingests
 * the session as a new user and answers; the copy is then dropped, one session at a time.
 *
 * @example
 * ```ts
 * const sessions = new SessionRecommender(engine);
 * await sessions.recommend([{ item: 'm1' }, { item: 'm7' }], 10, true);
 * ```
 */
export class SessionRecommender {
  private snapshot: { bytes: Uint8Array; at: number; applied: number } | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly engine: Engine, private readonly maxAgeMs = 1000) {}

  recommend(events: { item: string; timestamp?: number }[], n: number, excludeSeen: boolean): Promise<{ items: ScoredItem[]; offset: number }> {
    const rec = this.engine.rec;
    if (rec.scoresSessions) {
      try {
        return Promise.resolve({ items: rec.recommendSession(events.map((e) => e.item), n, { excludeSeen }), offset: this.engine.applied });
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    const run = async () => {
      const now = performance.now();
      const s = this.snapshot;
      if (!s || (s.applied !== this.engine.applied && now - s.at > this.maxAgeMs)) {
        this.snapshot = { bytes: this.engine.rec.toBytes(), at: now, applied: this.engine.applied };
      }
      const snap = this.snapshot as NonNullable<typeof this.snapshot>;
      const copy = await OnlineRecommender.fromBytes(snap.bytes);
      try {
        await copy.ingest(events.map((e): OnlineEvent => (e.timestamp === undefined ? { user: SESSION_USER, item: e.item } : { user: SESSION_USER, item: e.item, timestamp: e.timestamp })));
        return { items: copy.recommend(SESSION_USER, n, { excludeSeen }), offset: snap.applied };
      } finally {
        copy.dispose();
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
