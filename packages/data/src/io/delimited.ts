import { show, checkOptionKeys } from '@memrec/core/internal';
import { computeStats, type LoadedDataset } from '../types';
import { fieldText, latin1, makeFields, parseIntId, parseNumber, splitFields, utf8 } from './bytes';
import { IdAssigner, InteractionBuilder } from './builder';
import { readLines } from './line-reader';

/** A column given by header name or by 0-based position. */
export type ColumnRef = string | number;

/**
 * Options of {@link loadDelimited}.
 */
export interface DelimitedOptions {
  /** Field separator, one or more characters (default `','`; `'\t'` for TSV, `'::'` for MovieLens 1M). */
  delimiter?: string;
  /** Whether the first non-empty line names the columns (default false). */
  header?: boolean;
  /** Where the user, item and optional rating / timestamp are. Names need `header: true`. */
  columns: { user: ColumnRef; item: ColumnRef; rating?: ColumnRef; timestamp?: ColumnRef };
  /**
   * How raw ids are kept: `'auto'` (default) stores plain integers of up to 15 digits without a
   * leading zero as numbers, everything else as strings; `'string'` keeps every id as a string.
   */
  ids?: 'auto' | 'string';
  /** Skip malformed lines and count them in `stats.skippedLines` instead of failing (default false). */
  skipBadLines?: boolean;
  /** Return an empty dataset for a file without data lines instead of failing (default false). */
  allowEmpty?: boolean;
  /** Lines starting with this prefix are ignored (e.g. `'#'`). */
  comment?: string;
  /** Progress callback: bytes read so far and file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Internal knobs used by format-specific loaders built on the delimited reader. */
export interface DelimitedInternals {
  /** Function name used in error messages. */
  fn?: string;
  /** Normalises / validates the header fields (e.g. RecBole's `name:type`). */
  header?: (names: string[], file: string) => string[];
}

/**
 * Loads interactions from delimited text (CSV, TSV, `::`, any separator), streaming the file
 * as bytes. Numbers and integer ids are parsed from bytes directly; quoted fields (RFC 4180,
 * within one line) are supported. A malformed line fails with file, line number and text,
 * unless `skipBadLines` is set.
 *
 * @example
 * ```ts
 * const ml = await loadDelimited('ml-100k/u.data', {
 *   delimiter: '\t',
 *   columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
 * });
 * ml.stats.numInteractions; // 100000
 * ```
 */
export async function loadDelimited(file: string, options: DelimitedOptions, internals: DelimitedInternals = {}): Promise<LoadedDataset> {
  const fn = internals.fn ?? 'loadDelimited';
  if (options == null || typeof options !== 'object' || options.columns == null) {
    throw new Error(`${fn}: options.columns must give at least { user, item }, got ${show(options?.columns)}`);
  }
  checkOptionKeys(fn, options, ['delimiter', 'header', 'columns', 'ids', 'skipBadLines', 'allowEmpty', 'comment', 'onProgress']);
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length === 0 || /[\r\n"]/.test(delimiter)) {
    throw new Error(`${fn}: delimiter must be a non-empty string without quotes or line breaks, got ${show(delimiter)}`);
  }
  const { columns } = options;
  const roles = (['user', 'item', 'rating', 'timestamp'] as const).filter((r) => columns[r] !== undefined);
  for (const r of roles) {
    const c = columns[r];
    const okNum = typeof c === 'number' && Number.isInteger(c) && c >= 0;
    const okName = typeof c === 'string' && c.length > 0;
    if (!okNum && !okName) throw new Error(`${fn}: columns.${r} must be a column name or a 0-based index, got ${show(c)}`);
    if (okName && !options.header) throw new Error(`${fn}: columns.${r} is a name (${show(c)}), which needs header: true`);
  }
  if (columns.user === undefined || columns.item === undefined) {
    throw new Error(`${fn}: columns must give user and item, got ${show(columns)}`);
  }
  const ids = options.ids ?? 'auto';
  if (ids !== 'auto' && ids !== 'string') throw new Error(`${fn}: ids must be 'auto' or 'string', got ${show(ids)}`);
  const delim = new Uint8Array(Buffer.from(delimiter, 'utf8'));
  const comment = options.comment ? Buffer.from(options.comment, 'utf8') : null;
  const hasRating = columns.rating !== undefined;
  const hasTime = columns.timestamp !== undefined;

  // Column positions (resolved from the header when names are used).
  let colU = -1;
  let colI = -1;
  let colR = -1;
  let colT = -1;
  const resolveNumbers = () => {
    colU = columns.user as number;
    colI = columns.item as number;
    colR = hasRating ? (columns.rating as number) : -1;
    colT = hasTime ? (columns.timestamp as number) : -1;
  };
  let needHeader = !!options.header;
  if (!needHeader) resolveNumbers();
  let fields = makeFields(Math.max(colU, colI, colR, colT, 0) + 1);
  let need = fields.starts.length;

  const users = new IdAssigner();
  const items = new IdAssigner();
  const builder = new InteractionBuilder(hasTime, hasRating);
  const skipBad = !!options.skipBadLines;
  let skipped = 0;
  const examples: string[] = [];

  const bad = (buf: Buffer, s: number, e: number, lineNo: number, reason: string): void => {
    const text = utf8(buf, s, Math.min(e, s + 200));
    const where = `${file}:${lineNo}: ${reason}: ${JSON.stringify(text)}`;
    if (!skipBad) throw new Error(`${fn}: ${where}`);
    skipped++;
    if (examples.length < 5) examples.push(where);
  };

  const onHeader = (buf: Buffer, s: number, e: number): void => {
    const all = makeFields(4096);
    splitFields(buf, s, e, delim, all);
    let names = Array.from({ length: all.count }, (_, f) => fieldText(buf, all, f).trim());
    if (internals.header) names = internals.header(names, file);
    const find = (role: 'user' | 'item' | 'rating' | 'timestamp'): number => {
      const c = columns[role];
      if (c === undefined) return -1;
      if (typeof c === 'number') return c;
      const at = names.indexOf(c);
      if (at < 0) throw new Error(`${fn}: column ${JSON.stringify(c)} (${role}) must be in the header of ${file}, got [${names.map((x) => JSON.stringify(x)).join(', ')}]`);
      return at;
    };
    colU = find('user');
    colI = find('item');
    colR = find('rating');
    colT = find('timestamp');
    fields = makeFields(Math.max(colU, colI, colR, colT) + 1);
    need = fields.starts.length;
  };

  const idOf = (assign: IdAssigner, buf: Buffer, f: number): number => {
    const s = fields.starts[f];
    const e = fields.ends[f];
    if (ids === 'auto' && fields.quoted[f] !== 2) {
      const v = parseIntId(buf, s, e);
      if (v >= 0) return assign.int(v);
    }
    return assign.str(fieldText(buf, fields, f));
  };

  const onLine = (buf: Buffer, s: number, e: number, lineNo: number): void => {
    if (comment && buf.subarray(s, s + comment.length).equals(comment)) return;
    if (needHeader) {
      needHeader = false;
      onHeader(buf, s, e);
      return;
    }
    splitFields(buf, s, e, delim, fields);
    if (fields.error) return bad(buf, s, e, lineNo, fields.error);
    if (fields.count < need) return bad(buf, s, e, lineNo, `expected at least ${need} fields separated by ${JSON.stringify(delimiter)}, got ${fields.count}`);
    if (fields.ends[colU] === fields.starts[colU]) return bad(buf, s, e, lineNo, 'user id is empty');
    if (fields.ends[colI] === fields.starts[colI]) return bad(buf, s, e, lineNo, 'item id is empty');
    let rating = 0;
    let time = 0;
    if (colR >= 0) {
      rating = parseNumber(buf, fields.starts[colR], fields.ends[colR]);
      if (rating !== rating) return bad(buf, s, e, lineNo, `rating must be a finite number, got ${JSON.stringify(latin1(buf, fields.starts[colR], fields.ends[colR]))}`);
    }
    if (colT >= 0) {
      time = parseNumber(buf, fields.starts[colT], fields.ends[colT]);
      if (time !== time) return bad(buf, s, e, lineNo, `timestamp must be a finite number, got ${JSON.stringify(latin1(buf, fields.starts[colT], fields.ends[colT]))}`);
    }
    builder.push(idOf(users, buf, colU), idOf(items, buf, colI), rating, time);
  };

  await readLines(file, fn, onLine, { onProgress: options.onProgress, onEstimate: (n) => builder.reserve(n) });
  if (needHeader && options.header) {
    throw new Error(`${fn}: ${file} must start with a header line naming the columns, got an empty file`);
  }
  if (builder.length === 0 && !options.allowEmpty) {
    throw new Error(`${fn}: ${file} must contain at least one interaction, got none${skipped ? ` (${skipped} bad lines skipped)` : ''} (pass allowEmpty: true to accept an empty dataset)`);
  }
  const interactions = builder.finish(users.map.size, items.map.size);
  return { interactions, users: users.map, items: items.map, stats: computeStats(interactions, skipped, examples) };
}
