/**
 * A real redis-server for tests: started on a free port, stopped after. Nothing mocked: tests
 * of the Redis queue and logs talk to Debian's redis-server (installed by `.ci/setup-tests.sh`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** The redis-server binary (`REDIS_SERVER` overrides Debian's path). */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * A TCP port nobody listens on at the moment of the call (the OS picks it).
 *
 * @example
 * ```ts
 * const port = await freePort(); // e.g. 40231
 * ```
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running test Redis: its `redis://127.0.0.1:PORT` URL and how to stop it. */
export interface TestRedis {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/**
 * Starts redis-server on a free port (no persistence, `maxmemory-policy noeviction`, extra
 * `args` appended) and resolves once it accepts connections; fails loudly when the binary is
 * not installed or the server exits.
 *
 * @example
 * ```ts
 * let redis: TestRedis;
 * beforeAll(async () => { redis = await startRedis(); });
 * afterAll(() => redis.stop());
 * ```
 */
export async function startRedis(args: string[] = []): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`startRedis: ${REDIS_SERVER} must exist (Debian's redis-server; bash .ci/setup-tests.sh installs it), got nothing there`);
  }
  const port = await freePort();
  const proc: ChildProcess = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`startRedis: redis-server must be ready within 10 s, got:\n${out}`)), 10000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`startRedis: redis-server exited with code ${code}:\n${out}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        proc.removeAllListeners('exit');
        if (proc.exitCode !== null) return resolve();
        proc.on('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
