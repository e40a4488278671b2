/**
 * `pnpm bench:perf server`: the HTTP service (`@memrec/server`) under load, in this process, with
 * autocannon as the load generator in child processes (one per load). The server runs NMRN (uniform negatives, the library's other
 * defaults) trained on a synthetic stream (2,000 users x 1,000 items x 20,000 events, one epoch),
 * the file log in a temporary folder, checkpoints every 100,000 events.
 *  - `ingest_events_per_second`: 8 connections POST /v1/feedback with 100 new events each for
 *    10 s; events logged (fsync'd) and applied by NMRN, divided by the time from the start until
 *    the trainer has applied the last one (so the figure is what NMRN sustains, not just the log).
 *  - `recommend_p50_ms` / `recommend_p99_ms`: 32 connections GET /v1/recommend/:user (known
 *    users, n=10) for 10 s while the 8 ingest connections keep posting; autocannon's latencies.
 *  - `session_recommend_p50_ms` / `session_recommend_p99_ms`: 8 connections POST
 *    /v1/session/recommend (5 random known items, n=10) for 10 s, nothing else running.
 *  - `checkpoint_ms`: one checkpoint of the served model, start to end (encode, atomic write,
 *    reload); the encode and the reload hold the event loop, the write does not.
 *  - `recovery_seconds`: 1,000,000 events (records of 100) logged after the last checkpoint,
 *    then a restart: seconds from start until the model has replayed every one.
 *  - `old_ids_refused`: after the recovery, the first 100 event ids of the ingest phase (more
 *    than 1,000,000 events old, their log segments truncated) are posted again: how many are
 *    counted as duplicates (all 100 when duplicate detection covers the whole history).
 * Each load generator is started and has loaded its modules before any load of a phase begins
 * (its stdout says READY, its stdin says go), so that starting node and autocannon, on the same
 * two cores, is not measured as the server's latency.
 * `--quick` runs 2 s phases and 100,000 events of recovery.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randInt, seededRng } from '@memrec/core';
import { encodeRecord, parseServeArgs, startServer, type LoggedEvent, type RunningServer } from '@memrec/server';
import type { PerfContext, PerfResult } from './types';

const KEY = 'perf-key-0123456789';
/** apps/bench (this file is bundled into apps/bench/dist/perf.js): where the load generator resolves autocannon. */
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const USERS = 2000;
const ITEMS = 1000;

function args(dir: string, ctx: PerfContext, extra: string[] = []): string[] {
  return ['--data-dir', dir, '--api-key', KEY, '--port', '0', '--backend', ctx.backend, '--checkpoint-every', '100000', ...extra];
}

/**
 * The load generator's program: autocannon in a child process of its own (on the server's event
 * loop, the generator's own work would be counted as server latency). Reads its settings as JSON
 * from argv, prints autocannon's result as JSON.
 */
const LOAD_PROGRAM = `
const autocannon = require('autocannon');
const { randInt, seededRng } = require('@memrec/core');
const o = JSON.parse(process.argv[1]);
const rng = seededRng(o.seed);
let n = 0;
const request = o.kind === 'ingest'
  ? { method: 'POST', path: '/v1/feedback', headers: { authorization: 'Bearer ' + o.key, 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ events: Array.from({ length: 100 }, () => ({ eventId: 'p' + o.seed + '-' + n++, user: String(randInt(rng, o.users)), item: String(randInt(rng, o.items)) })) }) }) }
  : o.kind === 'session'
  ? { method: 'POST', path: '/v1/session/recommend', headers: { authorization: 'Bearer ' + o.key, 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ events: Array.from({ length: 5 }, () => ({ item: String(randInt(rng, o.items)) })), n: 10 }) }) }
  : { method: 'GET', headers: { authorization: 'Bearer ' + o.key }, setupRequest: (req) => ({ ...req, path: '/v1/recommend/' + randInt(rng, o.users) + '?n=10' }) };
// loaded: say so, and start only when the parent says go (stdin), so that the start-up of the
// generators (node, autocannon's modules) is not inside the measured window
process.stdout.write('READY\\n');
process.stdin.once('data', () => autocannon({ url: o.url, connections: o.connections, duration: o.seconds, requests: [request] }, (err, res) => {
  if (err) { console.error(err.message); process.exit(1); }
  process.stdout.write(JSON.stringify({ latency: res.latency, requests: res.requests, non2xx: res.non2xx }));
}));
`;

interface LoadResult {
  latency: { p50: number; p99: number };
  requests: { average: number };
  non2xx: number;
}

/** A started load generator: `ready` once its modules are loaded, `go()` starts its load, `done` its result. */
interface Load {
  ready: Promise<void>;
  go: () => void;
  done: Promise<LoadResult>;
}

/** Starts autocannon in a child process: `ingest` (100 new events a POST), `recommend` (GET, known users, n=10) or `session` (POST, 5 known items, n=10). */
function startLoad(server: RunningServer, kind: 'ingest' | 'recommend' | 'session', connections: number, seconds: number, seed: number): Load {
  const settings = JSON.stringify({ kind, url: server.address, connections, seconds, seed, key: KEY, users: USERS, items: ITEMS });
  const child = spawn(process.execPath, ['-e', LOAD_PROGRAM, settings], { cwd: BENCH_DIR, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = new Promise<LoadResult>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.startsWith('READY\n')) {
        out = out.slice('READY\n'.length);
        markReady();
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`perf server: the ${kind} load generator exited with code ${code}: ${err.trim()}`));
      else resolve(JSON.parse(out) as LoadResult);
    });
  });
  // a generator that dies before it is ready rejects `done`: `ready` must not wait forever then
  done.catch(() => markReady());
  return { ready, go: () => child.stdin.end('go\n'), done };
}

/** Runs loads together: every generator is started and loaded first, then all begin at once. */
async function load(server: RunningServer, ...loads: [kind: 'ingest' | 'recommend' | 'session', connections: number, seconds: number, seed: number][]): Promise<LoadResult[]> {
  const started = loads.map(([kind, connections, seconds, seed]) => startLoad(server, kind, connections, seconds, seed));
  await Promise.all(started.map((l) => l.ready));
  for (const l of started) l.go();
  return Promise.all(started.map((l) => l.done));
}

export async function run(ctx: PerfContext): Promise<PerfResult> {
  const phase = ctx.quick ? 2 : 10;
  const root = mkdtempSync(join(tmpdir(), 'memrec-perf-server-'));
  const rows: PerfResult['rows'] = [];
  const figures: Record<string, number> = {};
  try {
    ctx.log('server: training NMRN on the synthetic stream');
    const dir = join(root, 'primary');
    const server = await startServer(parseServeArgs(args(dir, ctx, ['--train', 'synthetic', '--synthetic', `${USERS},${ITEMS},20000`, '--epochs', '1']), {}), ctx.log);
    const engine = server.engine;

    // 1. ingest alone
    const before = engine.applied;
    const t0 = performance.now();
    const [ingest] = await load(server, ['ingest', 8, phase, 1]);
    await engine.drain();
    const seconds = (performance.now() - t0) / 1000;
    const applied = engine.applied - before;
    figures.ingest_events_per_second = applied / seconds;
    rows.push({ what: 'POST /v1/feedback, 100 events a request, 8 connections (logged with fsync, applied by NMRN)', value: Math.round(applied / seconds), unit: 'events/s', note: `${ingest.non2xx} non-2xx, log wait p99 ${ingest.latency.p99} ms` });

    // 2. recommend under ingest
    const [reco] = await load(server, ['recommend', 32, phase, 7], ['ingest', 8, phase, 2]);
    figures.recommend_p50_ms = reco.latency.p50;
    figures.recommend_p99_ms = reco.latency.p99;
    rows.push({ what: 'GET /v1/recommend/:user n=10, 32 connections, while 8 connections ingest', value: `${reco.latency.p50} / ${reco.latency.p99}`, unit: 'ms p50 / p99', note: `${Math.round(reco.requests.average)} requests/s, ${reco.non2xx} non-2xx` });
    await engine.drain();

    // 3. anonymous sessions, read-only scoring of the served model
    const [sess] = await load(server, ['session', 8, phase, 5]);
    figures.session_recommend_p50_ms = sess.latency.p50;
    figures.session_recommend_p99_ms = sess.latency.p99;
    rows.push({ what: 'POST /v1/session/recommend, 5 items, n=10, 8 connections', value: `${sess.latency.p50} / ${sess.latency.p99}`, unit: 'ms p50 / p99', note: `${Math.round(sess.requests.average)} requests/s, ${sess.non2xx} non-2xx` });

    // 4. one checkpoint, start to end
    const c0 = performance.now();
    await engine.checkpoint();
    figures.checkpoint_ms = performance.now() - c0;
    rows.push({ what: `one checkpoint at offset ${engine.applied} (encode, atomic write, reload)`, value: Math.round(figures.checkpoint_ms), unit: 'ms', note: 'encode and reload hold the event loop' });
    await server.stop(); // checkpoints at the applied offset (none needed: just written)

    // 5. recovery: N events logged after the last checkpoint, then a restart
    const total = ctx.quick ? 100_000 : 1_000_000;
    const { FileLog } = await import('@memrec/server');
    const log = await FileLog.open(join(dir, 'log'));
    let at = log.end;
    await log.close();
    ctx.log(`server: writing ${total} events after the last checkpoint (offset ${at})`);
    const g = seededRng(11);
    const segment = (await import('node:fs')).readdirSync(join(dir, 'log')).sort().pop() as string;
    for (let done = 0; done < total; ) {
      const chunk: Buffer[] = [];
      for (let r = 0; r < 100 && done < total; r++, done += 100) {
        const events: LoggedEvent[] = Array.from({ length: 100 }, (_, k) => ({ eventId: `r${at + k}`, user: String(randInt(g, USERS)), item: String(randInt(g, ITEMS)) }));
        chunk.push(encodeRecord({ first: at, events }));
        at += 100;
      }
      appendFileSync(join(dir, 'log', segment), Buffer.concat(chunk));
    }
    ctx.log('server: restarting (recovery)');
    const again = await startServer(parseServeArgs(args(dir, ctx, ['--checkpoint-every', String(total * 2)]), {}), ctx.log);
    const rec = again.start as NonNullable<RunningServer['start']>;
    figures.recovery_seconds = rec.seconds;
    rows.push({ what: `recovery: checkpoint at ${rec.checkpointOffset}, then ${rec.replayed.toLocaleString('en-US')} logged events replayed`, value: rec.seconds.toFixed(1), unit: 's', note: `${Math.round(rec.replayed / rec.seconds)} events/s` });

    // 6. the oldest ids again: the ingest phase's first 100 (the load generator's ids p1-0, p1-1, ...)
    const retry = Array.from({ length: 100 }, (_, k) => ({ eventId: `p1-${k}`, user: '0', item: '0' }));
    const sent = await fetch(`${again.address}/v1/feedback`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: retry }) });
    const dup = (await sent.json()) as { duplicates: number; offset: number };
    figures.old_ids_refused = dup.duplicates;
    rows.push({ what: `the first 100 ingested event ids posted again, ${dup.offset.toLocaleString('en-US')} events later`, value: dup.duplicates, unit: 'duplicates of 100', note: `${(again.engine.ids.bytes / again.engine.ids.size).toFixed(1)} bytes an id for ${again.engine.ids.size.toLocaleString('en-US')} ids` });
    await again.stop();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { rows, figures };
}
