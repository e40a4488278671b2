/**
 * `startServer` from parsed command lines, as `pnpm serve` / `memrec-serve` run it: a primary on
 * `--redis` and a read replica started with `--replica-of` and the same `--redis`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '@memrec/test-helpers';
import { parseServeArgs } from './cli-options';
import { startServer } from './serve';

const KEY = 'serve-test-key-1';
const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
let redis: Awaited<ReturnType<typeof startRedis>>;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'memrec-serve-'));
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('runs a primary with --redis and a read replica with --replica-of that follows it, refuses feedback and answers as the primary does', async () => {
  const common = ['--api-key', KEY, '--port', '0', '--backend', 'cpu', '--redis', `${redis.url}/memrec:events`];
  const lines: string[] = [];
  const primary = await startServer(parseServeArgs(['--data-dir', dir, ...common, '--train', 'synthetic', '--synthetic', '30,40,600', '--model-options', '{"dim":4,"slots":2,"batchSize":64}', '--epochs', '1', '--checkpoint-every', '10'], {}), (l) => lines.push(l));
  expect(lines.some((l) => /ready on http:\/\/127\.0\.0\.1:\d+ \(primary, log offset 0\)/.test(l))).toBe(true);
  const events = Array.from({ length: 12 }, (_, k) => ({ eventId: `e${k}`, user: String(k % 7), item: String((k * 5) % 40) }));
  const sent = await fetch(`${primary.address}/v1/feedback`, { method: 'POST', headers, body: JSON.stringify({ events }) });
  expect(sent.status).toBe(202);
  expect(await sent.json()).toEqual({ accepted: 12, duplicates: 0, offset: 12 });
  await primary.engine.drain();
  expect(primary.engine.lastCheckpointOffset).toBe(12); // the stream id of offset 12 is in the checkpoint

  const replica = await startServer(parseServeArgs(['--replica-of', dir, ...common], {}), (l) => lines.push(l));
  expect(lines.some((l) => /ready on http:\/\/127\.0\.0\.1:\d+ \(read replica, log offset 12\)/.test(l))).toBe(true);
  const more = Array.from({ length: 5 }, (_, k) => ({ eventId: `f${k}`, user: '3', item: String(k + 1) }));
  expect((await fetch(`${primary.address}/v1/feedback`, { method: 'POST', headers, body: JSON.stringify({ events: more }) })).status).toBe(202);
  const refused = await fetch(`${replica.address}/v1/feedback`, { method: 'POST', headers, body: JSON.stringify({ events: more }) });
  expect(refused.status).toBe(403);
  // the replica reads the primary's write (minOffset) and answers with the primary's list
  const fromReplica = await fetch(`${replica.address}/v1/recommend/3?n=5&minOffset=17`, { headers });
  expect(fromReplica.status).toBe(200);
  await primary.engine.drain();
  const fromPrimary = await fetch(`${primary.address}/v1/recommend/3?n=5`, { headers });
  expect(await fromReplica.json()).toEqual(await fromPrimary.json());
  const stats = (await (await fetch(`${replica.address}/v1/stats`, { headers })).json()) as { eventsApplied: number };
  expect(stats.eventsApplied).toBe(17);
  await replica.stop();
  await primary.stop();
  expect(primary.engine.lastCheckpointOffset).toBe(17); // stop: a checkpoint at the applied offset
});
