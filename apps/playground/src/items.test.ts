import { ML100K_GENRES, parseMovieLensItems } from './items';

describe('parseMovieLensItems', () => {
  it('reads titles and the genre flags of u.item (CRLF too)', () => {
    const flags = (on: number[]) => ML100K_GENRES.map((_, g) => (on.includes(g) ? '1' : '0')).join('|');
    const text = `1|Toy Story (1995)|01-Jan-1995||http://x|${flags([3, 4, 5])}\r\n2|GoldenEye (1995)|01-Jan-1995||http://y|${flags([1, 2, 16])}\n\n`;
    expect(parseMovieLensItems(text)).toEqual({
      '1': { title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'] },
      '2': { title: 'GoldenEye (1995)', genres: ['Action', 'Adventure', 'Thriller'] },
    });
  });

  it('names the file and line of a short line', () => {
    expect(() => parseMovieLensItems('1|Toy Story|x\n', 'u.item')).toThrow('parseMovieLensItems: u.item:1: expected 24 fields separated by "|", got 3: "1|Toy Story|x"');
  });
});
