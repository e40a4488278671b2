/** One feedback event as the service logs it: ids are strings of 1 to 256 UTF-8 bytes. */
export interface LoggedEvent {
  /** The client's id for the event; a repeated id is a duplicate and is never applied twice. */
  eventId: string;
  user: string;
  item: string;
  timestamp?: number;
  rating?: number;
}

/** The most UTF-8 bytes an id (event, user, item) may have. */
export const MAX_ID_BYTES = 256;

/** The most events one `POST /v1/feedback` may carry. */
export const MAX_EVENTS_PER_REQUEST = 10000;

/**
 * The first problem with an id, as `field must be ..., got ...`, or null when it is valid: a
 * non-empty string of at most {@link MAX_ID_BYTES} UTF-8 bytes.
 *
 * @example
 * ```ts
 * idProblem('body.events[0].user', ''); // 'body.events[0].user must be a non-empty string of at most 256 UTF-8 bytes, got ""'
 * ```
 */
export function idProblem(field: string, v: unknown): string | null {
  if (typeof v === 'string' && v.length > 0 && (v.length <= MAX_ID_BYTES / 4 || Buffer.byteLength(v, 'utf8') <= MAX_ID_BYTES)) return null;
  const got = typeof v === 'string' && v.length > 40 ? `a string of ${Buffer.byteLength(v, 'utf8')} bytes (${JSON.stringify(v.slice(0, 20))}...)` : JSON.stringify(v) ?? String(v);
  return `${field} must be a non-empty string of at most ${MAX_ID_BYTES} UTF-8 bytes, got ${got}`;
}
