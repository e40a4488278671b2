import type { ItemInfo } from './protocol';

/** MovieLens 100K's 19 genres, in the order of `u.item`'s flag columns (`u.genre`). */
export const ML100K_GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

/**
 * Titles and genres from MovieLens 100K's `u.item` (`id|title|date|video date|url|19 genre
 * flags`, Latin-1). Lines that do not have the 24 fields fail with the line number.
 *
 * @example
 * ```ts
 * parseMovieLensItems('1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0');
 * // { '1': { title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'] } }
 * ```
 */
export function parseMovieLensItems(text: string, source = 'u.item'): ItemInfo {
  const out: ItemInfo = {};
  const lines = text.split('\n');
  lines.forEach((raw, k) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const f = line.split('|');
    if (f.length < 5 + ML100K_GENRES.length) {
      throw new Error(`parseMovieLensItems: ${source}:${k + 1}: expected ${5 + ML100K_GENRES.length} fields separated by "|", got ${f.length}: ${JSON.stringify(line.slice(0, 120))}`);
    }
    const genres = ML100K_GENRES.filter((_, g) => f[5 + g] === '1');
    out[f[0]] = { title: f[1], genres };
  });
  return out;
}
