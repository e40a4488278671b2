import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { loadMovieLens } from './movielens';

const UDATA = '196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n';
const good = Buffer.from(zipSync({ 'ml-100k': { 'u.data': strToU8(UDATA), 'README': strToU8('fixture') } }));
const corrupt = Buffer.from(good);
corrupt[corrupt.length >> 1] ^= 0xff;
/** The same release as re-published with one rating changed: a valid zip with other bytes. */
const changed = Buffer.from(zipSync({ 'ml-100k': { 'u.data': strToU8(UDATA.replace('242\t3', '242\t4')), 'README': strToU8('fixture') } }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Every file under `dir` (relative path -> SHA-256), to show that a call left the cache as it was. */
function snapshot(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, rel))) {
    const path = join(rel, name);
    if (statSync(join(dir, path)).isDirectory()) Object.assign(out, snapshot(dir, path));
    else out[path] = sha(readFileSync(join(dir, path)));
  }
  return out;
}

let server: Server;
let base = '';
let requests = 0;
const served: Record<string, Buffer> = {};
beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    const body = served[req.url ?? ''];
    if (!body) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-length', body.length);
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('loadMovieLens', () => {
  it('downloads into the cache, verifies, unzips, records the hash, then reuses the cache', async () => {
    served['/good/ml-100k.zip'] = good;
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    const phases = new Set<string>();
    const d = await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/good`, sha256: sha(good), md5: md5(good), onProgress: (p) => phases.add(p.phase) });
    expect(d.stats.numInteractions).toBe(3);
    expect(d.users.rawIds()).toEqual([196, 186, 22]);
    expect([...phases].sort()).toEqual(['download', 'parse', 'unzip']);
    expect(readdirSync(cacheDir).sort()).toEqual(['ml-100k', 'ml-100k.zip', 'ml-100k.zip.sha256']);
    const before = requests;
    const again = await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/good`, download: false });
    expect(again.stats.numInteractions).toBe(3);
    expect(requests).toBe(before);
  });

  it('records the hash of an unpinned first download (trust on first use)', async () => {
    served['/tofu/ml-100k.zip'] = good;
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/tofu`, md5: null });
    expect(readFileSync(join(cacheDir, 'ml-100k.zip.sha256'), 'utf8').trim()).toBe(sha(good));
  });

  it('a later download must match the SHA-256 recorded on first use: a file changed at the mirror is an error and the cache is untouched', async () => {
    served['/mirror/ml-100k.zip'] = good;
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    const record = join(cacheDir, 'ml-100k.zip.sha256');
    await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/mirror`, md5: null });
    expect(readFileSync(record, 'utf8')).toBe(`${sha(good)}\n`);
    // the release is evicted from the cache (its record stays), and the mirror now serves other bytes
    rmSync(join(cacheDir, 'ml-100k'), { recursive: true });
    rmSync(join(cacheDir, 'ml-100k.zip'));
    served['/mirror/ml-100k.zip'] = changed;
    const before = snapshot(cacheDir);
    expect(before).toEqual({ 'ml-100k.zip.sha256': sha(Buffer.from(`${sha(good)}\n`)) });
    const err = await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/mirror`, md5: null }).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `loadMovieLens: checksum of ${base}/mirror/ml-100k.zip must be SHA-256 ${sha(good)} (recorded on first use in ${record}), got ${sha(changed)} (download removed)`,
    );
    expect(snapshot(cacheDir)).toEqual(before);
    // the mirror restored: the recorded hash matches again
    served['/mirror/ml-100k.zip'] = good;
    expect((await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/mirror`, md5: null })).stats.numInteractions).toBe(3);
  });

  it.each([
    { name: 'a byte flipped', bytes: corrupt },
    { name: 'replaced by another valid zip', bytes: changed },
  ])('a cached zip is checked against its recorded SHA-256 before it is unzipped ($name)', async ({ bytes }) => {
    served['/cached/ml-100k.zip'] = good;
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    const zip = join(cacheDir, 'ml-100k.zip');
    await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/cached`, md5: null });
    // the extracted file is gone, so the next call unzips the cached zip, which has changed on disk
    rmSync(join(cacheDir, 'ml-100k'), { recursive: true });
    writeFileSync(zip, bytes);
    const before = requests;
    await expect(loadMovieLens('100k', { cacheDir, baseUrl: `${base}/cached`, md5: null })).rejects.toThrow(
      `loadMovieLens: cached ${zip} must have SHA-256 ${sha(good)} (recorded on first use in ${zip}.sha256), got ${sha(bytes)} (not unzipped; delete it to download again)`,
    );
    expect(requests).toBe(before); // nothing downloaded
    expect(existsSync(join(cacheDir, 'ml-100k'))).toBe(false); // nothing unzipped
    expect(sha(readFileSync(zip))).toBe(sha(bytes)); // the evidence is left in place
    // deleted as the message says: downloaded again, verified, loaded
    rmSync(zip);
    expect((await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/cached`, md5: null })).stats.numInteractions).toBe(3);
  });

  it('unzips an intact cached zip without downloading, also with download: false', async () => {
    served['/intact/ml-100k.zip'] = good;
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/intact`, md5: null });
    rmSync(join(cacheDir, 'ml-100k'), { recursive: true });
    const before = requests;
    const d = await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/intact`, download: false });
    expect(d.users.rawIds()).toEqual([196, 186, 22]);
    expect(requests).toBe(before);
  });

  it('rejects a corrupt download with a checksum error and leaves nothing in the cache', async () => {
    served['/bad/ml-100k.zip'] = corrupt;
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    await expect(loadMovieLens('100k', { cacheDir, baseUrl: `${base}/bad`, sha256: sha(good) })).rejects.toThrow(
      `checksum of ${base}/bad/ml-100k.zip must be SHA-256 ${sha(good)}, got ${sha(corrupt)}`,
    );
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it("checks every download against the publisher's MD5 and leaves nothing in the cache on a mismatch", async () => {
    served['/pub/ml-100k.zip'] = good; // a fixture, not the publisher's ml-100k.zip
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    await expect(loadMovieLens('100k', { cacheDir, baseUrl: `${base}/pub` })).rejects.toThrow(
      `checksum of ${base}/pub/ml-100k.zip must be MD5 0e33842e24a9c977be4e0107933c0723 (the publisher's), got ${md5(good)}`,
    );
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('rejects an unpinned file that is not a zip and leaves nothing in the cache', async () => {
    served['/junk/ml-100k.zip'] = Buffer.from('<html>not found</html>');
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    await expect(loadMovieLens('100k', { cacheDir, baseUrl: `${base}/junk`, md5: null })).rejects.toThrow(/must contain ml-100k\/u.data|is not a valid zip/);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('says what to download and where when offline or when download is off', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    await expect(loadMovieLens('1m', { cacheDir, download: false })).rejects.toThrow(
      `download https://files.grouplens.org/datasets/movielens/ml-1m.zip and unzip it into ${cacheDir}`,
    );
    const offline = (() => Promise.reject(new Error('getaddrinfo ENOTFOUND'))) as unknown as typeof fetch;
    await expect(loadMovieLens('1m', { cacheDir, fetch: offline })).rejects.toThrow(/ENOTFOUND\)\. Offline\? Download https:\/\/files.grouplens.org\/datasets\/movielens\/ml-1m.zip by hand/);
    expect(readdirSync(cacheDir)).toEqual([]);
    await expect(loadMovieLens('404' as never)).rejects.toThrow('loadMovieLens: variant must be one of 100k, 1m, 10m, 20m, 25m, latest-small, got "404"');
  });

  it('reads a local folder and explains a missing file', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'memrec-ml-'));
    served['/dir/ml-100k.zip'] = good;
    await loadMovieLens('100k', { cacheDir, baseUrl: `${base}/dir`, md5: null });
    expect((await loadMovieLens('100k', { dir: cacheDir })).stats.numInteractions).toBe(3);
    expect((await loadMovieLens('100k', { dir: join(cacheDir, 'ml-100k') })).stats.numInteractions).toBe(3);
    expect(existsSync(join(cacheDir, 'nothing'))).toBe(false);
    await expect(loadMovieLens('25m', { dir: cacheDir })).rejects.toThrow('dir must contain ratings.csv or ml-25m/ratings.csv');
  });
});
