import type { Engine } from './engine';
import type { LoggedEvent } from './events';
import type { EventLog } from './log/types';

/** What one feedback request did: events logged, duplicates refused, and the log offset after them. */
export interface FeedbackResult {
  accepted: number;
  duplicates: number;
  offset: number;
}

/**
 * The write path: drops events whose `eventId` is already logged (or in flight, or repeated in
 * the same request), appends the rest to the log and resolves once they are durable.
 *
 * @example
 * ```ts
 * const ingest = new Ingestor(log, engine);
 * await ingest.accept([{ eventId: 'e1', user: 'u', item: 'i' }]); // { accepted: 1, duplicates: 0, offset: 1 }
 * ```
 */
export class Ingestor {
  private readonly inflight = new Set<string>();
  private readonly maxLag: number;
  private readonly lagWaitMs: number;

  /**
   * `options.maxLag` (default 20,000): while more events than this are logged but not yet applied
   * by the trainer, a feedback request waits (up to `options.lagWaitMs`, default 2,000 ms, then it is
   * logged anyway) before its events are logged, so that the log runs at most about that far ahead
   * of the model and the event loop is not spent taking in events faster than the trainer applies
   * them.
   *
   * @example
   * ```ts
   * const ingest = new Ingestor(log, engine, { maxLag: 5000 });
   * ```
   */
  constructor(private readonly log: EventLog, private readonly engine: Engine, options: { maxLag?: number; lagWaitMs?: number } = {}) {
    const { maxLag = 20000, lagWaitMs = 2000 } = options;
    if (!Number.isInteger(maxLag) || maxLag < 0) throw new Error(`Ingestor: options.maxLag must be an integer >= 0, got ${maxLag}`);
    if (!Number.isFinite(lagWaitMs) || lagWaitMs < 0) throw new Error(`Ingestor: options.lagWaitMs must be a finite number >= 0, got ${lagWaitMs}`);
    this.maxLag = maxLag;
    this.lagWaitMs = lagWaitMs;
  }

  async accept(events: LoggedEvent[]): Promise<FeedbackResult> {
    if (this.engine.received - this.engine.applied > this.maxLag && this.engine.error === null) {
      await this.engine.waitFor(this.engine.received - this.maxLag, this.lagWaitMs);
    }
    const fresh: LoggedEvent[] = [];
    for (const e of events) {
      if (this.engine.hasEventId(e.eventId) || this.inflight.has(e.eventId)) continue;
      this.inflight.add(e.eventId);
      const clean: LoggedEvent = { eventId: e.eventId, user: e.user, item: e.item };
      if (e.timestamp !== undefined) clean.timestamp = e.timestamp;
      if (e.rating !== undefined) clean.rating = e.rating;
      fresh.push(clean);
    }
    const duplicates = events.length - fresh.length;
    this.engine.metrics.duplicates += duplicates;
    try {
      const r = await this.log.append(fresh);
      return { accepted: fresh.length, duplicates, offset: fresh.length === 0 ? this.log.end : r.end };
    } finally {
      for (const e of fresh) this.inflight.delete(e.eventId);
    }
  }
}
