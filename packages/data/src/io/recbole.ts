import { show, checkOptionKeys } from '@memrec/core/internal';
import type { LoadedDataset } from '../types';
import { loadDelimited } from './delimited-file';

const TYPES = new Set(['token', 'token_seq', 'float', 'float_seq']);

/** Options of {@link loadRecBoleInter}. */
export interface RecBoleOptions {
  /** Field names (without `:type`); defaults follow RecBole: user_id, item_id, rating, timestamp. */
  fields?: { user?: string; item?: string; rating?: string; timestamp?: string };
  skipBadLines?: boolean;
  allowEmpty?: boolean;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Loads a RecBole atomic `.inter` file: tab-separated with a typed header such as
 * `user_id:token	item_id:token	rating:float	timestamp:float`. Rating and timestamp are read
 * when the header has them; user and item must be `token` fields, rating and timestamp `float`.
 *
 * @example
 * ```ts
 * const d = await loadRecBoleInter('ml-100k/ml-100k.inter');
 * d.interactions.timestamps; // Float64Array
 * ```
 */
export async function loadRecBoleInter(file: string, options: RecBoleOptions = {}): Promise<LoadedDataset> {
  const fn = 'loadRecBoleInter';
  checkOptionKeys(fn, options, ['fields', 'skipBadLines', 'allowEmpty', 'onProgress']);
  const f = { user: 'user_id', item: 'item_id', rating: 'rating', timestamp: 'timestamp', ...options.fields };
  // The header decides which optional columns exist, so peek at it through the header hook.
  let names: string[] = [];
  const header = (raw: string[], path: string): string[] => {
    names = raw.map((h, k) => {
      const at = h.lastIndexOf(':');
      if (at <= 0) throw new Error(`${fn}: header field ${k + 1} of ${path} must be name:type, got ${JSON.stringify(h)}`);
      const type = h.slice(at + 1);
      if (!TYPES.has(type)) throw new Error(`${fn}: header field ${JSON.stringify(h)} of ${path} must have a type in {token, token_seq, float, float_seq}, got ${JSON.stringify(type)}`);
      const name = h.slice(0, at);
      const want = name === f.user || name === f.item ? 'token' : name === f.rating || name === f.timestamp ? 'float' : null;
      if (want && type !== want) throw new Error(`${fn}: field ${JSON.stringify(name)} of ${path} must be of type ${want}, got ${JSON.stringify(type)}`);
      return name;
    });
    return names;
  };
  const first = await readHeaderNames(file, fn);
  const has = (n: string) => first.some((h) => h.slice(0, h.lastIndexOf(':')) === n);
  if (!has(f.user) || !has(f.item)) {
    throw new Error(`${fn}: header of ${file} must have ${f.user}:token and ${f.item}:token, got ${show(first)}`);
  }
  return loadDelimited(
    file,
    {
      delimiter: '\t',
      header: true,
      ids: 'string',
      columns: { user: f.user, item: f.item, rating: has(f.rating) ? f.rating : undefined, timestamp: has(f.timestamp) ? f.timestamp : undefined },
      skipBadLines: options.skipBadLines,
      allowEmpty: options.allowEmpty,
      onProgress: options.onProgress,
    },
    { fn, header },
  );
}

/** The raw header fields of a file (reads only its beginning). */
async function readHeaderNames(file: string, fn: string): Promise<string[]> {
  const { open } = await import('node:fs/promises');
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw new Error(`${fn}: file must be a readable file, got ${JSON.stringify(file)} (${(err as Error).message})`);
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let text = buf.subarray(0, bytesRead).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
    return line.replace(/\r$/, '').split('\t').map((h) => h.trim());
  } finally {
    await fh.close();
  }
}
