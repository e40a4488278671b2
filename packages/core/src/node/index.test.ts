import { fsyncSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileBytes, writeFileAtomic, writeFileAtomicAsync } from './index';

// fsyncSync becomes a pass-through mock, so that one test can make flushing fail
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return { ...actual, fsyncSync: jest.fn(actual.fsyncSync) };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'memrec-files-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates a file, then replaces it whole, leaving no temporary file', () => {
    const target = join(dir, 'state.bin');
    writeFileAtomic(target, Uint8Array.of(1, 2, 3));
    expect(Array.from(readFileSync(target))).toEqual([1, 2, 3]);
    writeFileAtomic(target, Uint8Array.of(9));
    expect(Array.from(readFileSync(target))).toEqual([9]);
    writeFileAtomic(target, 'héllo');
    expect(readFileSync(target, 'utf8')).toBe('héllo');
    expect(readdirSync(dir)).toEqual(['state.bin']);
  });

  it('writes a subarray exactly (its offset into a larger buffer is respected)', () => {
    const target = join(dir, 'part.bin');
    writeFileAtomic(target, Uint8Array.of(0, 5, 6, 7, 0).subarray(1, 4));
    expect(Array.from(readFileSync(target))).toEqual([5, 6, 7]);
  });

  it('fails with a clear error when the directory is missing, and creates nothing', () => {
    const target = join(dir, 'missing', 'state.bin');
    expect(() => writeFileAtomic(target, Uint8Array.of(1))).toThrow(`writeFileAtomic: path ${JSON.stringify(target)} could not be written, got ENOENT`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves a directory at the target untouched and removes its temporary file', () => {
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'keep');
    expect(() => writeFileAtomic(target, Uint8Array.of(1))).toThrow(`writeFileAtomic: path ${JSON.stringify(target)} could not be written, got E`);
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(join(target, 'keep.txt'), 'utf8')).toBe('keep');
  });

  it('leaves the old file as it was when flushing the new data fails', () => {
    const target = join(dir, 'state.bin');
    writeFileAtomic(target, Uint8Array.of(1, 2, 3));
    jest.mocked(fsyncSync).mockImplementationOnce(() => {
      throw new Error('EIO: i/o error, fsync');
    });
    expect(() => writeFileAtomic(target, Uint8Array.of(4, 5))).toThrow(`writeFileAtomic: path ${JSON.stringify(target)} could not be written, got EIO: i/o error, fsync`);
    expect(Array.from(readFileSync(target))).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['state.bin']);
  });

  it('writes chunks in order, and a producer that fails midway leaves the old file and no temporary file', () => {
    const file = join(dir, 'results.json');
    writeFileAtomic(file, (function* () {
      yield '{"a":';
      yield new TextEncoder().encode('[1,2]}');
    })());
    expect(readFileSync(file, 'utf8')).toBe('{"a":[1,2]}');
    let partial = '';
    function* failing() {
      yield '{"new":';
      yield '[1,2,';
      const tmp = readdirSync(dir).filter((n) => n.endsWith('.tmp'));
      expect(tmp).toHaveLength(1);
      partial = readFileSync(join(dir, tmp[0]), 'utf8');
      throw new Error('producer failed');
    }
    expect(() => writeFileAtomic(file, failing())).toThrow(/writeFileAtomic: path ".*results\.json" could not be written, got producer failed/);
    expect(partial).toBe('{"new":[1,2,');
    expect(readFileSync(file, 'utf8')).toBe('{"a":[1,2]}');
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('validates its arguments', () => {
    expect(() => writeFileAtomic('', Uint8Array.of(1))).toThrow('writeFileAtomic: path must be a non-empty string, got ""');
    expect(() => writeFileAtomic(join(dir, 'x'), 42 as never)).toThrow('writeFileAtomic: bytes must be a Uint8Array, a string or an iterable of them, got 42');
    expect(() => writeFileAtomic(join(dir, 'x'), [1, 2] as never)).toThrow(/writeFileAtomic: path ".*x" could not be written, got each chunk must be a Uint8Array or a string, got 1/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('readFileBytes', () => {
  it('reads the bytes of a file', () => {
    const target = join(dir, 'a.bin');
    writeFileAtomic(target, Uint8Array.of(7, 8));
    const bytes = readFileBytes(target, 'load');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes)).toEqual([7, 8]);
  });

  it('names the caller and the path when the file is missing or a directory', () => {
    const missing = join(dir, 'nope.bin');
    expect(() => readFileBytes(missing, 'Nmrn.load')).toThrow(`Nmrn.load: path ${JSON.stringify(missing)} must name an existing file, got nothing there`);
    expect(() => readFileBytes(dir, 'Nmrn.load')).toThrow(`Nmrn.load: path ${JSON.stringify(dir)} must name a file, got a directory or another kind of entry`);
    expect(() => readFileBytes(42 as never, 'Nmrn.load')).toThrow('Nmrn.load: path must be a non-empty string, got 42');
  });
});

describe('writeFileAtomicAsync', () => {
  async function* chunks(parts: string[], failAfter = Infinity): AsyncGenerator<string> {
    let k = 0;
    for (const p of parts) {
      if (k++ === failAfter) throw new Error('source failed');
      yield p;
    }
  }

  it('writes async chunks, then renames; a failing source or check leaves the old file and no temporary file', async () => {
    const file = join(dir, 'data.zip');
    await writeFileAtomicAsync(file, chunks(['ab', 'cd']));
    expect(readFileSync(file, 'utf8')).toBe('abcd');
    await expect(writeFileAtomicAsync(file, chunks(['x', 'y'], 1))).rejects.toThrow(/^source failed$/);
    const seen: string[] = [];
    await expect(
      writeFileAtomicAsync(file, chunks(['new']), {
        beforeRename: () => {
          seen.push(readdirSync(dir).find((n) => n.endsWith('.tmp')) ?? 'none');
          throw new Error('checksum mismatch');
        },
      }),
    ).rejects.toThrow(/^checksum mismatch$/);
    expect(seen[0]).toMatch(/^\.data\.zip\..*\.tmp$/); // the check runs while the data sits in the temporary file
    expect(readFileSync(file, 'utf8')).toBe('abcd');
    expect(readdirSync(dir)).toEqual(['data.zip']);
    await expect(writeFileAtomicAsync(join(dir, 'missing', 'x'), chunks(['a']))).rejects.toThrow(/writeFileAtomicAsync: path ".*missing\/x" could not be written, got ENOENT/);
    await expect(writeFileAtomicAsync(file, 5 as never)).rejects.toThrow('writeFileAtomicAsync: chunks must be an iterable or async iterable of Uint8Arrays or strings, got 5');
  });
});
