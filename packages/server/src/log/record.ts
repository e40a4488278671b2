import { fnv1a32 } from '@memrec/core/internal';
import type { LoggedEvent } from '../events';

/**
 * One record of the event log: the events one write made durable together, in order. Event
 * `k` of the record has log offset `first + k`; the record ends at `first + events.length`.
 * The trainer applies one record as one micro-batch, so a replay applies the same batches.
 */
export interface LogRecord {
  first: number;
  events: LoggedEvent[];
  /** The backend's own id of the record (the Redis stream entry id); absent for the file log. */
  id?: string;
}

/** Bytes before a record's payload: u32 payload length, u32 FNV-1a 32 checksum of the payload. */
export const RECORD_HEADER = 8;

/**
 * Encodes a record as `[u32 length][u32 checksum][UTF-8 JSON { first, events }]` (little-endian).
 *
 * @example
 * ```ts
 * const bytes = encodeRecord({ first: 0, events: [{ eventId: 'e1', user: 'u', item: 'i' }] });
 * ```
 */
export function encodeRecord(record: LogRecord): Buffer {
  const payload = Buffer.from(JSON.stringify({ first: record.first, events: record.events }), 'utf8');
  const out = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(fnv1a32(payload), 4);
  payload.copy(out, RECORD_HEADER);
  return out;
}

/** What {@link decodeRecordAt} found at a position. */
export type DecodeResult =
  | { kind: 'record'; record: LogRecord; size: number }
  /** The buffer ends inside the record (a write in progress, or a torn tail). */
  | { kind: 'partial' }
  /** The bytes are not a valid record (bad checksum or JSON). */
  | { kind: 'corrupt'; reason: string };

/**
 * Decodes the record starting at `pos` of `buf`.
 *
 * @example
 * ```ts
 * const r = decodeRecordAt(encodeRecord({ first: 3, events: [] }), 0); // { kind: 'record', record: { first: 3, events: [] }, size: 27 }
 * ```
 */
export function decodeRecordAt(buf: Buffer, pos: number): DecodeResult {
  if (buf.length - pos < RECORD_HEADER) return { kind: 'partial' };
  const len = buf.readUInt32LE(pos);
  if (buf.length - pos - RECORD_HEADER < len) return { kind: 'partial' };
  const payload = buf.subarray(pos + RECORD_HEADER, pos + RECORD_HEADER + len);
  const sum = buf.readUInt32LE(pos + 4);
  if (fnv1a32(payload) !== sum) return { kind: 'corrupt', reason: `checksum mismatch (stored ${sum}, computed ${fnv1a32(payload)})` };
  let parsed: { first?: unknown; events?: unknown };
  try {
    parsed = JSON.parse(payload.toString('utf8')) as typeof parsed;
  } catch (e) {
    return { kind: 'corrupt', reason: `payload is not JSON (${(e as Error).message})` };
  }
  if (!Number.isInteger(parsed.first) || !Array.isArray(parsed.events)) return { kind: 'corrupt', reason: 'payload is not { first, events }' };
  return { kind: 'record', record: { first: parsed.first as number, events: parsed.events as LoggedEvent[] }, size: RECORD_HEADER + len };
}
