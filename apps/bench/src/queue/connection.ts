import { Redis } from 'ioredis';

/** A `--queue` URL taken apart: where Redis is and the key prefix of the bench's queues. */
export interface QueueTarget {
  /** The URL as given (named in every error). */
  url: string;
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Key prefix of every queue key (`memrec` unless the URL's path names one). */
  prefix: string;
}

/** Oldest Redis the queue runs on: BullMQ's documented minimum. */
export const MIN_REDIS_VERSION = '6.2.0';

/**
 * Parses `redis://[USER:PASSWORD@]HOST:PORT[/PREFIX]` (PREFIX: letters, digits, `_`, `-`, `.`;
 * default `memrec`), the value of `--queue`.
 *
 * @example
 * ```ts
 * parseQueueUrl('redis://10.0.0.5:6379/grid-a'); // { host: '10.0.0.5', port: 6379, prefix: 'grid-a', ... }
 * ```
 */
export function parseQueueUrl(url: string): QueueTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`memrec-bench: --queue must be a URL redis://HOST:PORT[/PREFIX], got ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'redis:') throw new Error(`memrec-bench: --queue must start with redis://, got ${JSON.stringify(url)}`);
  const path = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (path !== '' && !/^[A-Za-z0-9_.-]+$/.test(path)) {
    throw new Error(`memrec-bench: --queue PREFIX (the URL's path) must hold only letters, digits, _, - and ., got ${JSON.stringify(path)} in ${JSON.stringify(url)}`);
  }
  if (u.hostname === '') throw new Error(`memrec-bench: --queue must name a host (redis://HOST:PORT[/PREFIX]), got ${JSON.stringify(url)}`);
  return {
    url,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    prefix: path || 'memrec',
  };
}

/**
 * ioredis options of a target, as BullMQ's workers need them (commands wait for reconnection).
 *
 * @example
 * ```ts
 * new Queue('cells', { connection: redisOptions(parseQueueUrl(url)), prefix: 'memrec' });
 * ```
 */
export function redisOptions(t: QueueTarget): { host: string; port: number; username?: string; password?: string; maxRetriesPerRequest: null } {
  return { host: t.host, port: t.port, ...(t.username ? { username: t.username } : {}), ...(t.password ? { password: t.password } : {}), maxRetriesPerRequest: null };
}

function versionAtLeast(v: string, min: string): boolean {
  const [a, b] = [v.split('.').map(Number), min.split('.').map(Number)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/**
 * Connects once to the target and fails fast (no retry) when no Redis answers there, when it
 * is older than {@link MIN_REDIS_VERSION}, or when its `maxmemory-policy` would evict queue keys
 * (anything but `noeviction`). Returns the server's version. Run by the coordinator and every
 * worker before they create a queue.
 *
 * @example
 * ```ts
 * await checkRedis(parseQueueUrl('redis://127.0.0.1:6379'), 'memrec-bench --queue'); // '7.0.15'
 * ```
 */
export async function checkRedis(t: QueueTarget, who: string, timeoutMs = 5000): Promise<string> {
  const client = new Redis({ ...redisOptions(t), maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, lazyConnect: true, connectTimeout: timeoutMs });
  let cause: Error | undefined;
  client.on('error', (e: Error) => (cause ??= e)); // the socket's own error (ECONNREFUSED, ...), reported below
  try {
    try {
      await client.connect();
      await client.ping();
    } catch (e) {
      throw new Error(`${who}: --queue must reach a Redis server, got no answer at ${JSON.stringify(t.url)} (${(cause ?? (e as Error)).message})`);
    }
    const info = await client.info('server');
    const version = /redis_version:([\d.]+)/.exec(info)?.[1] ?? '0';
    if (!versionAtLeast(version, MIN_REDIS_VERSION)) {
      throw new Error(`${who}: the Redis server at ${JSON.stringify(t.url)} must be version ${MIN_REDIS_VERSION} or newer, got ${version}`);
    }
    let policy: string | undefined;
    try {
      policy = ((await client.config('GET', 'maxmemory-policy')) as string[])[1];
    } catch {
      policy = undefined; // CONFIG may be disabled (managed Redis): nothing to check then
    }
    if (policy !== undefined && policy !== 'noeviction') {
      throw new Error(`${who}: the Redis server at ${JSON.stringify(t.url)} must have maxmemory-policy noeviction (an evicted job loses a cell), got ${policy}; run CONFIG SET maxmemory-policy noeviction`);
    }
    return version;
  } finally {
    client.disconnect();
  }
}
