import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggedEvent } from '../events';
import { FileLog } from './file-log';
import type { LogRecord } from './record';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'memrec-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ev = (k: number): LoggedEvent => ({ eventId: `e${k}`, user: `u${k % 3}`, item: `i${k}`, timestamp: k });
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => ev(a + k));

async function readAll(log: FileLog, from = 0): Promise<LogRecord[]> {
  const reader = await log.read(from);
  const out = await reader.next();
  await reader.close();
  return out;
}

describe('FileLog', () => {
  it('gives each append its offsets and reads the events back in order after reopening', async () => {
    const log = await FileLog.open(dir);
    expect(await log.append(range(0, 3))).toEqual({ first: 0, end: 3 });
    expect(await log.append(range(3, 5))).toEqual({ first: 3, end: 5 });
    await log.close();
    const again = await FileLog.open(dir, { warn: () => { throw new Error('no warning expected'); } });
    expect(again.end).toBe(5);
    const records = await readAll(again);
    expect(records.map((r) => r.first)).toEqual([0, 3]);
    expect(records.flatMap((r) => r.events)).toEqual(range(0, 5));
    await again.close();
  });

  it('writes appends made while a sync runs with one sync, one record per append, each caller keeping its own offsets', async () => {
    const log = await FileLog.open(dir);
    const results = await Promise.all([log.append(range(0, 2)), log.append(range(2, 3)), log.append(range(3, 7)), log.append([])]);
    // the first append starts a sync; the next two wait for it and are written together
    expect(results).toEqual([{ first: 0, end: 2 }, { first: 2, end: 3 }, { first: 3, end: 7 }, { first: 0, end: 0 }]);
    const records = await readAll(log);
    expect(records.map((r) => [r.first, r.events.length])).toEqual([[0, 2], [2, 1], [3, 4]]);
    expect(records.flatMap((r) => r.events)).toEqual(range(0, 7));
    await log.close();
  });

  it('cuts a torn last record with a warning naming the segment and the bytes cut, then appends after the last whole record', async () => {
    const log = await FileLog.open(dir);
    await log.append(range(0, 2));
    await log.append(range(2, 4));
    await log.close();
    const seg = join(dir, '00000000000000000000.log');
    const full = statSync(seg).size;
    truncateSync(seg, full - 5); // a crash in the middle of writing the second record
    const warnings: string[] = [];
    const again = await FileLog.open(dir, { warn: (l) => warnings.push(l) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^FileLog\.open: segment ".*00000000000000000000\.log" ends with a torn record at byte \d+ of \d+ \(an incomplete record\); cut \d+ bytes, the log ends at offset 2$/);
    expect(again.end).toBe(2);
    expect(await again.append(range(2, 3))).toEqual({ first: 2, end: 3 });
    expect((await readAll(again)).flatMap((r) => r.events)).toEqual(range(0, 3));
    await again.close();
  });

  it('cuts a last record whose bytes were corrupted (checksum mismatch)', async () => {
    const log = await FileLog.open(dir);
    await log.append(range(0, 2));
    await log.append(range(2, 4));
    await log.close();
    const seg = join(dir, '00000000000000000000.log');
    const bytes = readFileSync(seg);
    bytes[bytes.length - 3] ^= 0x20;
    writeFileSync(seg, bytes);
    const warnings: string[] = [];
    const again = await FileLog.open(dir, { warn: (l) => warnings.push(l) });
    expect(warnings[0]).toMatch(/torn record at byte \d+ of \d+ \(checksum mismatch \(stored \d+, computed \d+\)\)/);
    expect(again.end).toBe(2);
    await again.close();
  });

  it('rolls segments, reads across them, and truncates only segments wholly before an offset', async () => {
    const log = await FileLog.open(dir, { segmentBytes: 300 });
    for (let k = 0; k < 10; k++) await log.append(range(k * 2, k * 2 + 2));
    const names = readdirSync(dir).sort();
    expect(names.length).toBeGreaterThan(2);
    expect((await readAll(log)).flatMap((r) => r.events)).toEqual(range(0, 20));
    const bases = names.map((n) => Number(n.slice(0, 20)));
    const cut = bases[2]; // keep the segment that starts at this offset and every later one
    expect(await log.truncateBefore(cut + 1)).toBe(2);
    expect(log.start).toBe(cut);
    expect((await readAll(log, cut)).flatMap((r) => r.events)).toEqual(range(cut, 20));
    await expect(log.read(0)).rejects.toThrow(`FileLogReader.open: from must be an offset still in the log at ${JSON.stringify(dir)}, got 0 (the log starts at ${cut})`);
    expect(await log.truncateBefore(1e9)).toBe(names.length - 3); // never the segment being written
    expect(readdirSync(dir)).toHaveLength(1);
    await log.close();
  });

  it('refuses to read from an offset inside a record or past the end', async () => {
    const log = await FileLog.open(dir);
    await log.append(range(0, 3));
    await expect(log.read(1)).rejects.toThrow('FileLogReader.open: from must be a record boundary, got 1 (a record spans it; the next boundary is 3)');
    await expect(log.read(9)).rejects.toThrow("FileLogReader.open: from must be at most the log's end offset 3, got 9");
    await log.close();
  });

  it('lets a follower poll records that the writer appends later', async () => {
    const log = await FileLog.open(dir, { segmentBytes: 200 });
    await log.append(range(0, 2));
    const follower = await log.read(0, { follower: true });
    expect((await follower.next()).map((r) => r.first)).toEqual([0]);
    expect(await follower.next()).toEqual([]);
    for (let k = 1; k < 6; k++) await log.append(range(k * 2, k * 2 + 2));
    expect((await follower.next()).flatMap((r) => r.events)).toEqual(range(2, 12));
    await follower.close();
    await log.close();
  });
});
