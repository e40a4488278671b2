import { runCli } from '../cli/main';
import { resolveConfig } from '../cli/options';
import { createProgress } from '../cli/progress';
import { runQueued } from './coordinator';
import { runQueueWorker } from './worker';
import { cellConfig, gridCells, hashId } from './cells';
import { decodeValue, encodeValue, packValue, unpackValue } from './codec';
import { parseQueueUrl } from './connection';

describe('queue building blocks', () => {
  it('encodes typed arrays bit for bit and non-finite numbers, nested anywhere', () => {
    const value = { a: Float64Array.of(0.1 + 0.2, -0, 5e-324, NaN), b: [Int32Array.of(-7, 2 ** 31 - 1), { c: Float32Array.of(1 / 3) }], n: [Infinity, -Infinity, NaN, 1.5], u: Uint8Array.of(0, 255), s: 'x' };
    const back = decodeValue<typeof value>(encodeValue(value));
    expect(back).toEqual(value);
    expect(back.a).toBeInstanceOf(Float64Array);
    expect(Object.is(back.a[1], -0)).toBe(true); // sign of zero kept: the bytes travel, not the text
    expect(back.b[0]).toBeInstanceOf(Int32Array);
    expect((back.b[1] as { c: Float32Array }).c[0]).toBe(Math.fround(1 / 3));
    expect(unpackValue(packValue(value))).toEqual(value);
    const hits = { 'hr@10': Float64Array.from({ length: 10000 }, (_, k) => (k % 3 === 0 ? 1 : 0)) };
    expect(packValue(hits).length).toBeLessThan(encodeValue(hits).length / 10); // per-user 0/1 values pack small
  });

  it('parses redis://HOST:PORT[/PREFIX] and names the URL when it is not one', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/grid-a')).toMatchObject({ host: '10.0.0.5', port: 6380, prefix: 'grid-a' });
    expect(parseQueueUrl('redis://:s3cret@h')).toMatchObject({ host: 'h', port: 6379, prefix: 'memrec', password: 's3cret' });
    expect(() => parseQueueUrl('localhost:6379')).toThrow('memrec-bench: --queue must start with redis://, got "localhost:6379"');
    expect(() => parseQueueUrl('redis://h:1/a:b')).toThrow('memrec-bench: --queue PREFIX (the URL\'s path) must hold only letters, digits, _, - and ., got "a:b" in "redis://h:1/a:b"');
    expect(() => parseQueueUrl('not a url')).toThrow('memrec-bench: --queue must be a URL redis://HOST:PORT[/PREFIX], got "not a url"');
  });

  it('gives a cell the same id for the same content only: not the output folder, but the seed, model, every option of the run and the data', () => {
    const cfg = resolveConfig({ models: 'bprmf,pop', seeds: '1,2', protocol: 'stream' });
    const ids = gridCells(cfg, 'sha256:a').map((c) => c.id);
    expect(new Set(ids).size).toBe(4);
    expect(gridCells({ ...cfg, out: 'runs/elsewhere', quiet: true, workers: 1 }, 'sha256:a').map((c) => c.id)).toEqual(ids);
    expect(gridCells(cfg, 'sha256:b').map((c) => c.id).filter((id) => ids.includes(id))).toEqual([]);
    // the whole run configuration is part of every cell (what a cell computes may read any of it)
    expect(gridCells(resolveConfig({ models: 'bprmf,pop', seeds: '1,2', protocol: 'stream', set: ['bprmf.dim=8'] }), 'sha256:a').map((c) => c.id).filter((id) => ids.includes(id))).toEqual([]);
    expect(gridCells(resolveConfig({ models: 'bprmf,pop', seeds: '1,2,3', protocol: 'stream' }), 'sha256:a')).toHaveLength(6);
    expect(cellConfig(cfg).out).toBeUndefined();
    expect(hashId({ b: 1, a: [2, { d: 3, c: 4 }] })).toBe(hashId({ a: [2, { c: 4, d: 3 }], b: 1 }));
  });

  it('fails fast, naming the URL, when no Redis answers: coordinator and worker', async () => {
    const url = 'redis://127.0.0.1:1/none';
    const quiet = createProgress({ quiet: true });
    await expect(runQueued(resolveConfig({ models: 'pop', seeds: '1' }), url, quiet)).rejects.toThrow(/^memrec-bench --queue: --queue must reach a Redis server, got no answer at "redis:\/\/127\.0\.0\.1:1\/none" \(.*ECONNREFUSED.*\)$/);
    await expect(runQueueWorker(url, { entry: 'unused.js', concurrency: 1, stallSeconds: 30, lanes: [quiet] })).rejects.toThrow(/^memrec-bench worker: --queue must reach a Redis server, got no answer at "redis:\/\/127\.0\.0\.1:1\/none" \(.*ECONNREFUSED.*\)$/);
  });

  it('refuses --queue together with --workers, and --attempts without --queue', async () => {
    await expect(runCli(['node', 'memrec-bench', '--models', 'pop', '--queue', 'redis://127.0.0.1:1', '--workers', '2'])).rejects.toThrow('memrec-bench: --queue and --workers must not be given together (start `pnpm bench worker --queue URL` processes instead), got --workers "2"');
    await expect(runCli(['node', 'memrec-bench', '--models', 'pop', '--attempts', '2'])).rejects.toThrow('memrec-bench: --attempts needs --queue, got --attempts "2" alone');
  });
});
