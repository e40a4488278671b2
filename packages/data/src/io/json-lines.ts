import { type RawId } from '@memrec/core';
import { show, checkOptionKeys } from '@memrec/core/internal';
import { computeStats, type LoadedDataset } from '../types';
import { utf8 } from './bytes';
import { IdAssigner, InteractionBuilder } from './builder';
import { readLines } from './line-reader';

/** Options of {@link loadJsonLines}. */
export interface JsonLinesOptions {
  /** Property names of user, item and optional rating / timestamp in each object. */
  columns: { user: string; item: string; rating?: string; timestamp?: string };
  /** Skip malformed lines, counting them in `stats.skippedLines` (default false). */
  skipBadLines?: boolean;
  /** Return an empty dataset for a file without records instead of failing (default false). */
  allowEmpty?: boolean;
  /** Progress callback: bytes read so far and file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Loads interactions from JSON Lines (one JSON object per line), streaming the file.
 * Ids may be strings or numbers; ratings numbers or numeric strings; timestamps numbers or
 * date strings (`Date.parse`, converted to unix seconds).
 *
 * @example
 * ```ts
 * // {"user_id": "A1", "asin": "B00", "overall": 5, "unixReviewTime": 1400000000}
 * const d = await loadJsonLines('reviews.jsonl', {
 *   columns: { user: 'user_id', item: 'asin', rating: 'overall', timestamp: 'unixReviewTime' },
 * });
 * ```
 */
export async function loadJsonLines(file: string, options: JsonLinesOptions): Promise<LoadedDataset> {
  const fn = 'loadJsonLines';
  checkOptionKeys(fn, options, ['columns', 'skipBadLines', 'allowEmpty', 'onProgress']);
  const c = options?.columns;
  if (c == null || typeof c.user !== 'string' || typeof c.item !== 'string') {
    throw new Error(`${fn}: options.columns must name user and item properties, got ${show(c)}`);
  }
  const hasRating = typeof c.rating === 'string';
  const hasTime = typeof c.timestamp === 'string';
  const users = new IdAssigner();
  const items = new IdAssigner();
  const builder = new InteractionBuilder(hasTime, hasRating);
  let skipped = 0;
  const examples: string[] = [];

  const onLine = (buf: Buffer, s: number, e: number, lineNo: number): void => {
    const text = utf8(buf, s, e);
    const fail = (reason: string): void => {
      const where = `${file}:${lineNo}: ${reason}: ${JSON.stringify(text.slice(0, 200))}`;
      if (!options.skipBadLines) throw new Error(`${fn}: ${where}`);
      skipped++;
      if (examples.length < 5) examples.push(where);
    };
    if (text.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return fail('line must be valid JSON');
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return fail('line must be a JSON object');
    const rec = obj as Record<string, unknown>;
    const u = rawId(rec[c.user]);
    if (u === undefined) return fail(`${JSON.stringify(c.user)} must be a string or finite number`);
    const i = rawId(rec[c.item]);
    if (i === undefined) return fail(`${JSON.stringify(c.item)} must be a string or finite number`);
    let rating = 0;
    let time = 0;
    if (hasRating) {
      const r = rec[c.rating as string];
      rating = typeof r === 'number' ? r : typeof r === 'string' && r.trim() !== '' ? Number(r) : NaN;
      if (!Number.isFinite(rating)) return fail(`${JSON.stringify(c.rating)} must be a finite number, got ${show(r)}`);
    }
    if (hasTime) {
      const t = rec[c.timestamp as string];
      time = typeof t === 'number' ? t : typeof t === 'string' ? parseTime(t) : NaN;
      if (!Number.isFinite(time)) return fail(`${JSON.stringify(c.timestamp)} must be a finite number or a date, got ${show(t)}`);
    }
    builder.push(users.any(u), items.any(i), rating, time);
  };

  await readLines(file, fn, onLine, { onProgress: options.onProgress, onEstimate: (n) => builder.reserve(n) });
  if (builder.length === 0 && !options.allowEmpty) {
    throw new Error(`${fn}: ${file} must contain at least one record, got none${skipped ? ` (${skipped} bad lines skipped)` : ''} (pass allowEmpty: true to accept an empty dataset)`);
  }
  const interactions = builder.finish(users.map.size, items.map.size);
  return { interactions, users: users.map, items: items.map, stats: computeStats(interactions, skipped, examples) };
}

function rawId(v: unknown): RawId | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return undefined;
}

/** A numeric string as a number, otherwise a date string as unix seconds. */
function parseTime(t: string): number {
  if (t.trim() !== '' && Number.isFinite(Number(t))) return Number(t);
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms / 1000 : NaN;
}
