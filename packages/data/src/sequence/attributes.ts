import { IdMap, type RawId } from '@memrec/core';
import { checkOptionKeys, show } from '@memrec/core/internal';

/**
 * Item attributes (side information) in CSR form: item i's attribute ids are
 * `attributes[offsets[i] .. offsets[i + 1])`, ascending; `names` maps attribute ids to their
 * names. Items of the catalogue without an attribute have an empty row.
 */
export interface ItemAttributes {
  numItems: number;
  numAttributes: number;
  /** `[numItems + 1]`. */
  offsets: Int32Array;
  attributes: Int32Array;
  names: IdMap;
  /** Lines whose item is not in the catalogue (skipped). */
  unknownItems: number;
}

/** The 19 genres of MovieLens 100K's `u.item`, in the order of its flag columns (the release's README). */
export const MOVIELENS_GENRES: readonly string[] = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

/** The dense id of a raw item id written in a file: as a number when the map holds numbers, else as a string. */
function denseItem(items: IdMap, raw: string): number | undefined {
  const asNumber = Number(raw);
  if (raw !== '' && Number.isFinite(asNumber) && items.has(asNumber)) return items.get(asNumber);
  return items.get(raw as RawId);
}

function build(items: IdMap, pairs: number[], names: IdMap, unknownItems: number): ItemAttributes {
  const numItems = items.size;
  const offsets = new Int32Array(numItems + 1);
  const sets: Set<number>[] = Array.from({ length: numItems }, () => new Set<number>());
  for (let k = 0; k < pairs.length; k += 2) sets[pairs[k]].add(pairs[k + 1]);
  for (let i = 0; i < numItems; i++) offsets[i + 1] = offsets[i] + sets[i].size;
  const attributes = new Int32Array(offsets[numItems]);
  for (let i = 0; i < numItems; i++) attributes.set(Int32Array.from(sets[i]).sort(), offsets[i]);
  return { numItems, numAttributes: names.size, offsets, attributes, names, unknownItems };
}

/**
 * The genres of MovieLens 100K's `u.item` (`id|title|release|video release|IMDb URL|19 genre
 * flags`, `|`-separated) as item attributes over the dense item ids of `items` (the map the
 * ratings loader returned). Attribute ids follow {@link MOVIELENS_GENRES}. Movies that are not in
 * `items` are counted and skipped. A malformed line is an error naming the line.
 *
 * @example
 * ```ts
 * const ml = await loadMovieLens('100k', { dir });
 * const genres = movieLensGenres(readFileSync(join(dir, 'u.item'), 'latin1'), ml.items);
 * genres.attributes.subarray(genres.offsets[0], genres.offsets[1]); // the first item's genres
 * ```
 */
export function movieLensGenres(text: string, items: IdMap): ItemAttributes {
  const fn = 'movieLensGenres';
  if (typeof text !== 'string') throw new Error(`${fn}: text must be a string, got ${show(text)}`);
  const names = IdMap.from(MOVIELENS_GENRES);
  const pairs: number[] = [];
  let unknown = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, k) => {
    if (line.trim() === '') return;
    const f = line.split('|');
    if (f.length !== 5 + MOVIELENS_GENRES.length) throw new Error(`${fn}: line ${k + 1} must have ${5 + MOVIELENS_GENRES.length} '|'-separated fields, got ${f.length}: ${show(line.slice(0, 60))}`);
    const item = denseItem(items, f[0]);
    if (item === undefined) {
      unknown++;
      return;
    }
    for (let g = 0; g < MOVIELENS_GENRES.length; g++) {
      const flag = f[5 + g];
      if (flag !== '0' && flag !== '1') throw new Error(`${fn}: line ${k + 1} field ${6 + g} (${MOVIELENS_GENRES[g]}) must be 0 or 1, got ${show(flag)}`);
      if (flag === '1') pairs.push(item, g);
    }
  });
  return build(items, pairs, names, unknown);
}

/** Options of {@link itemAttributes}. */
export interface ItemAttributesOptions {
  /** Field separator; default `,`. */
  delimiter?: string;
  /** Skip the first line; default false. */
  header?: boolean;
}

/**
 * Item attributes from a generic `item<delimiter>attribute` text, one pair a line (an item may
 * have many lines), over the dense item ids of `items`. Attribute names get dense ids in order of
 * first appearance. Lines whose item is not in `items` are counted and skipped; a line without
 * two fields is an error naming the line.
 *
 * @example
 * ```ts
 * const a = itemAttributes('item,attribute\n10,rock\n10,live\n11,jazz\n', data.items, { header: true });
 * a.numAttributes; // 3
 * ```
 */
export function itemAttributes(text: string, items: IdMap, options: ItemAttributesOptions = {}): ItemAttributes {
  const fn = 'itemAttributes';
  checkOptionKeys(fn, options, ['delimiter', 'header']);
  if (typeof text !== 'string') throw new Error(`${fn}: text must be a string, got ${show(text)}`);
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length === 0) throw new Error(`${fn}: delimiter must be a non-empty string, got ${show(delimiter)}`);
  const names = new IdMap();
  const pairs: number[] = [];
  let unknown = 0;
  const lines = text.split(/\r?\n/);
  for (let k = options.header ? 1 : 0; k < lines.length; k++) {
    const line = lines[k];
    if (line.trim() === '') continue;
    const f = line.split(delimiter);
    if (f.length !== 2 || f[0].trim() === '' || f[1].trim() === '') throw new Error(`${fn}: line ${k + 1} must be item${delimiter}attribute, got ${show(line.slice(0, 60))}`);
    const item = denseItem(items, f[0].trim());
    if (item === undefined) {
      unknown++;
      continue;
    }
    pairs.push(item, names.add(f[1].trim()));
  }
  return build(items, pairs, names, unknown);
}
