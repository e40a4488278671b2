import { show } from '@memrec/core/internal';

/** One event with raw ids, as an application has it. */
export interface OnlineEvent {
  user: string | number;
  item: string | number;
  /** Time of the event (any monotone unit); optional. */
  timestamp?: number;
  /** Explicit rating; optional (implicit feedback ignores it). */
  rating?: number;
}

export function checkRawId(fn: string, arg: string, v: unknown): void {
  if (!((typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v)))) {
    throw new Error(`${fn}: ${arg} must be a non-empty string or a finite number, got ${show(v)}`);
  }
}

export function checkEvents(fn: string, events: unknown, allowEmpty: boolean): asserts events is OnlineEvent[] {
  if (!Array.isArray(events)) throw new Error(`${fn}: events must be an array of { user, item, timestamp?, rating? }, got ${show(events)}`);
  if (!allowEmpty && events.length === 0) throw new Error(`${fn}: events must hold at least one event, got an empty array`);
  for (let k = 0; k < events.length; k++) {
    const e = events[k] as OnlineEvent;
    if (e == null || typeof e !== 'object') throw new Error(`${fn}: events[${k}] must be an object { user, item }, got ${show(e)}`);
    checkRawId(fn, `events[${k}].user`, e.user);
    checkRawId(fn, `events[${k}].item`, e.item);
    for (const key of ['timestamp', 'rating'] as const) {
      const v = e[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new Error(`${fn}: events[${k}].${key} must be a finite number when given, got ${show(v)}`);
    }
  }
}

/** Events in time order (stable) when every one has a timestamp; array order when none has. */
export function timeOrder(fn: string, events: OnlineEvent[]): OnlineEvent[] {
  const timed = events.filter((e) => e.timestamp !== undefined).length;
  if (timed === 0) return events;
  if (timed !== events.length) throw new Error(`${fn}: events must all have a timestamp or none, got ${timed} of ${events.length} with one`);
  return events.map((e, k) => ({ e, k })).sort((a, b) => (a.e.timestamp as number) - (b.e.timestamp as number) || a.k - b.k).map((x) => x.e);
}
