import type { LoadedDataset } from '../types';
import { delimitedParser, type DelimitedInternals, type DelimitedOptions } from './delimited';
import { streamFile } from './line-reader';

/**
 * Loads interactions from a delimited text file (CSV, TSV, `::`, any separator), streaming the
 * file as bytes. Numbers and integer ids are parsed from bytes directly; quoted fields (RFC 4180,
 * within one line) are supported. A malformed line fails with file, line number and text,
 * unless `skipBadLines` is set. Node only (`@memrec/data/node`); `parseDelimited` from
 * `@memrec/data` parses bytes or a stream the same way, in a browser too.
 *
 * @example
 * ```ts
 * import { loadDelimited } from '@memrec/data/node';
 * const ml = await loadDelimited('ml-100k/u.data', {
 *   delimiter: '\t',
 *   columns: { user: 0, item: 1, rating: 2, timestamp: 3 },
 * });
 * ml.stats.numInteractions; // 100000
 * ```
 */
export async function loadDelimited(file: string, options: DelimitedOptions, internals: DelimitedInternals = {}): Promise<LoadedDataset> {
  const parser = delimitedParser(options, internals, file);
  let estimated = false;
  await streamFile(file, internals.fn ?? 'loadDelimited', undefined, (chunk, total) => {
    parser.push(chunk);
    if (!estimated && parser.lines > 0) {
      estimated = true;
      parser.reserve(Math.ceil((total / parser.bytes) * parser.lines * 1.02) + 16);
    }
    options.onProgress?.(parser.bytes, total);
  });
  return parser.finish();
}
