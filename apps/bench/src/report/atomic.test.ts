import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-atomic-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaces the file whole and leaves no temporary file', async () => {
    const file = path.join(dir, 'a.txt');
    fs.writeFileSync(file, 'old');
    await writeFileAtomic(file, (function* () { yield 'new '; yield 'content'; })());
    expect(fs.readFileSync(file, 'utf8')).toBe('new content');
    expect(fs.readdirSync(dir)).toEqual(['a.txt']);
  });

  it('keeps the old file intact when the content fails midway', async () => {
    const file = path.join(dir, 'results.json');
    fs.writeFileSync(file, '{"old":true}');
    let partial = '';
    async function* chunks() {
      yield '{"new":';
      yield '[1,2,';
      // By now the first chunks sit in a temporary file beside the target.
      const tmp = fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));
      expect(tmp).toHaveLength(1);
      partial = fs.readFileSync(path.join(dir, tmp[0]), 'utf8');
      throw new Error('producer failed');
    }
    await expect(writeFileAtomic(file, chunks())).rejects.toThrow('producer failed');
    expect(partial).toBe('{"new":[1,2,');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"old":true}');
    expect(fs.readdirSync(dir)).toEqual(['results.json']);
  });

  it('names itself and the argument on a bad path', async () => {
    await expect(writeFileAtomic('', 'x')).rejects.toThrow('writeFileAtomic: file must be a non-empty path, got ""');
    await expect(writeFileAtomic(path.join(dir, 'missing', 'a.txt'), 'x')).rejects.toThrow(/ENOENT/);
  });
});
