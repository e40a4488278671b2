import { show, checkOptionKeys } from '@memrec/core/internal';
import { computeStats, type LoadedDataset } from '../types';
import { fieldText, latin1, makeFields, parseIntId, parseNumber, splitFields, utf8 } from './bytes';
import { IdAssigner, InteractionBuilder } from './builder';
import { LineSplitter } from './lines';

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

/** A delimited-text parser fed with byte chunks: see {@link delimitedParser}. */
export interface DelimitedParser {
  /** Parses the lines completed by this chunk; a malformed line throws (unless skipped). */
  push(chunk: Uint8Array): void;
  /** Ends the input and returns the dataset. */
  finish(): LoadedDataset;
  /** Bytes pushed so far. */
  readonly bytes: number;
  /** Lines seen so far. */
  readonly lines: number;
  /** Pre-sizes the columns for about `n` interactions (an estimate; they grow as needed). */
  reserve(n: number): void;
}

/**
 * The delimited-text parser under {@link parseDelimited} and `loadDelimited`
 * (`@memrec/data/node`): feed it the input's bytes in chunks of any size, then call `finish`.
 * `source` names the input in error messages (`source:line: reason: "text"`). Browser-safe.
 *
 * @example
 * ```ts
 * const p = delimitedParser({ columns: { user: 0, item: 1 } }, {}, 'inline');
 * p.push(new TextEncoder().encode('u1,a\nu2,'));
 * p.push(new TextEncoder().encode('b\n'));
 * p.finish().stats.numInteractions; // 2
 * ```
 */
export function delimitedParser(options: DelimitedOptions, internals: DelimitedInternals = {}, source = 'input'): DelimitedParser {
  const file = source;
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
  const delim = new TextEncoder().encode(delimiter);
  const comment = options.comment ? new TextEncoder().encode(options.comment) : null;
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

  const bad = (buf: Uint8Array, s: number, e: number, lineNo: number, reason: string): void => {
    const text = utf8(buf, s, Math.min(e, s + 200));
    const where = `${file}:${lineNo}: ${reason}: ${JSON.stringify(text)}`;
    if (!skipBad) throw new Error(`${fn}: ${where}`);
    skipped++;
    if (examples.length < 5) examples.push(where);
  };

  const onHeader = (buf: Uint8Array, s: number, e: number): void => {
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

  const idOf = (assign: IdAssigner, buf: Uint8Array, f: number): number => {
    const s = fields.starts[f];
    const e = fields.ends[f];
    if (ids === 'auto' && fields.quoted[f] !== 2) {
      const v = parseIntId(buf, s, e);
      if (v >= 0) return assign.int(v);
    }
    return assign.str(fieldText(buf, fields, f));
  };

  const onLine = (buf: Uint8Array, s: number, e: number, lineNo: number): void => {
    if (comment && startsWith(buf, s, e, comment)) return;
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

  const split = new LineSplitter(fn, file, onLine);
  return {
    push: (chunk) => split.push(chunk),
    get bytes() {
      return split.bytes;
    },
    get lines() {
      return split.lineNo;
    },
    reserve: (n) => builder.reserve(n),
    finish(): LoadedDataset {
      split.end();
      if (needHeader && options.header) {
        throw new Error(`${fn}: ${file} must start with a header line naming the columns, got an empty file`);
      }
      if (builder.length === 0 && !options.allowEmpty) {
        throw new Error(`${fn}: ${file} must contain at least one interaction, got none${skipped ? ` (${skipped} bad lines skipped)` : ''} (pass allowEmpty: true to accept an empty dataset)`);
      }
      const interactions = builder.finish(users.map.size, items.map.size);
      return { interactions, users: users.map, items: items.map, stats: computeStats(interactions, skipped, examples) };
    },
  };
}

/** Options of {@link parseDelimited}: those of delimited files, plus a name and size for the input. */
export interface ParseDelimitedOptions extends DelimitedOptions {
  /** Names the input in error messages (default `'input'`), e.g. the picked file's name. */
  source?: string;
  /** The input's size in bytes, passed to `onProgress` as the total (default 0: unknown). */
  totalBytes?: number;
}

/**
 * Parses interactions from delimited text (CSV, TSV, `::`, any separator) held in memory or
 * arriving as a stream of byte chunks: a string, a `Uint8Array`, an (async) iterable of
 * `Uint8Array`s, or a `ReadableStream` (a browser `File`'s `stream()`). Browser-safe: what
 * `loadDelimited` (`@memrec/data/node`) does for a file path, for a page or a Web Worker.
 * Same rules and errors: quoted fields (RFC 4180, within one line), integer ids parsed from
 * bytes, a malformed line fails with `source:line: reason: "text"` unless `skipBadLines`.
 *
 * @example
 * ```ts
 * import { parseDelimited } from '@memrec/data';
 * const d = await parseDelimited('userId,movieId,rating\n1,31,2.5\n1,1029,3\n', {
 *   header: true,
 *   columns: { user: 'userId', item: 'movieId', rating: 'rating' },
 * });
 * d.stats.numInteractions; // 2
 * ```
 */
export async function parseDelimited(
  input: string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  options: ParseDelimitedOptions,
): Promise<LoadedDataset> {
  const fn = 'parseDelimited';
  if (options == null || typeof options !== 'object') throw new Error(`${fn}: options must be an object with columns, got ${show(options)}`);
  const { source = 'input', totalBytes = 0, ...rest } = options;
  if (typeof source !== 'string') throw new Error(`${fn}: options.source must be a string, got ${show(source)}`);
  if (typeof totalBytes !== 'number' || !(totalBytes >= 0)) throw new Error(`${fn}: options.totalBytes must be a number >= 0, got ${show(totalBytes)}`);
  const parser = delimitedParser(rest, { fn }, source);
  const feed = (chunk: Uint8Array): void => {
    if (!(chunk instanceof Uint8Array)) throw new Error(`${fn}: input chunks must be Uint8Arrays, got ${show(chunk)}`);
    parser.push(chunk);
    rest.onProgress?.(parser.bytes, totalBytes);
  };
  if (typeof input === 'string') feed(new TextEncoder().encode(input));
  else if (input instanceof Uint8Array) feed(input);
  else if (input != null && typeof (input as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (input as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        feed(value);
      }
    } finally {
      reader.releaseLock();
    }
  } else if (input != null && (Symbol.asyncIterator in Object(input) || Symbol.iterator in Object(input))) {
    for await (const chunk of input as AsyncIterable<Uint8Array>) feed(chunk);
  } else {
    throw new Error(`${fn}: input must be a string, a Uint8Array, an iterable of Uint8Arrays or a ReadableStream, got ${show(input)}`);
  }
  return parser.finish();
}

function startsWith(buf: Uint8Array, s: number, e: number, prefix: Uint8Array): boolean {
  if (e - s < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[s + k] !== prefix[k]) return false;
  return true;
}
