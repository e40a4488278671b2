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

  constructor(private readonly log: EventLog, private readonly engine: Engine) {}

  async accept(events: LoggedEvent[]): Promise<FeedbackResult> {
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
