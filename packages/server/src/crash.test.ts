/**
 * Kill -9 trials: a child `memrec-serve` takes concurrent feedback and is killed at a seeded
 * random moment; after a restart on the same data folder every acknowledged event is in the
 * log exactly once and applied, and the model state (checksum of the checkpoint SIGTERM writes)
 * equals a clean replay of the same log from the first model.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, randInt, seededRng } from '@memrec/core';
import { fnv1a32 } from '@memrec/core/internal';
import { CheckpointStore } from './checkpoints';
import { FileLogReader } from './log/file-reader';
import { openService } from './service';
import { startChild } from './test-child';

const KEY = 'crash-test-key';
const EVERY = 25;
const TRIALS = 20;
let root: string;
const common = (dir: string) => ['--data-dir', dir, '--api-key', KEY, '--port', '0', '--backend', 'cpu', '--checkpoint-every', String(EVERY)];

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
  root = mkdtempSync(join(tmpdir(), 'memrec-crash-'));
  const base = join(root, 'base');
  const child = await startChild([...common(base), '--train', 'synthetic', '--synthetic', '40,60,800', '--model-options', '{"dim":4,"slots":2,"epochs":1,"batchSize":64}']);
  child.proc.kill('SIGTERM');
  expect((await child.exited).code).toBe(0);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function readLog(dir: string): Promise<string[]> {
  const reader = await FileLogReader.open(join(dir, 'log'), 0);
  const ids = (await reader.next()).flatMap((r) => r.events.map((e) => e.eventId));
  await reader.close();
  return ids;
}

interface TrialResult {
  acked: Set<string>;
  stats: { eventsLogged: number; eventsApplied: number };
  exitCode: number | null;
  logged: string[];
  checkpointOffset: number | undefined;
  savedChecksum: number;
  cleanChecksum: number;
  cleanApplied: number;
  torn: boolean;
}

async function runTrial(trial: number): Promise<TrialResult> {
  const rng = seededRng(9000 + trial);
  const dir = join(root, `t${trial}`);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  cpSync(join(root, 'base', 'checkpoints', 'ckpt-00000000000000000000.memrec'), join(dir, 'checkpoints', 'ckpt-00000000000000000000.memrec'));
  const child = await startChild(common(dir));
  const acked = new Set<string>();
  let next = 0;
  let killed = false;
  let firstAck: () => void = () => undefined;
  const acknowledged = new Promise<void>((res) => (firstAck = res));
  const client = async () => {
    while (!killed) {
      const n = 1 + randInt(rng, 12);
      const events = Array.from({ length: n }, () => {
        // about one in six repeats an earlier id: a retry the server must count as a duplicate
        const id = next > 0 && rng() < 0.16 ? `ev${randInt(rng, next)}` : `ev${next++}`;
        return { eventId: id, user: `u${randInt(rng, 50)}`, item: `i${randInt(rng, 70)}`, timestamp: 1e9 + next };
      });
      try {
        const r = await fetch(`${child.address}/v1/feedback`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
        if (r.status === 202) {
          for (const e of events) acked.add(e.eventId);
          firstAck();
        }
      } catch {
        return; // the server died mid-request: not acknowledged
      }
    }
  };
  const clients = [client(), client(), client()];
  await acknowledged;
  await new Promise((res) => setTimeout(res, randInt(rng, 250))); // a seeded moment during ingest
  child.proc.kill('SIGKILL');
  killed = true;
  await child.exited;
  await Promise.all(clients);

  const again = await startChild(common(dir));
  const torn = /torn record/.test(again.stderr());
  const stats = (await (await fetch(`${again.address}/v1/stats`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as TrialResult['stats'];
  again.proc.kill('SIGTERM');
  const exitCode = (await again.exited).code;
  const logged = await readLog(dir);
  const saved = new CheckpointStore(join(dir, 'checkpoints')).loadLatest();
  // the clean run: the first model and the same log, replayed in this process
  const clean = join(dir, 'clean');
  mkdirSync(join(clean, 'checkpoints'), { recursive: true });
  cpSync(join(root, 'base', 'checkpoints', 'ckpt-00000000000000000000.memrec'), join(clean, 'checkpoints', 'ckpt-00000000000000000000.memrec'));
  cpSync(join(dir, 'log'), join(clean, 'log'), { recursive: true });
  const replayed = await openService({ dataDir: clean, info: () => undefined, warn: () => undefined });
  const cleanChecksum = fnv1a32(replayed.engine.rec.toBytes());
  const cleanApplied = replayed.engine.applied;
  replayed.engine.rec.dispose();
  await replayed.log.close();
  rmSync(dir, { recursive: true, force: true });
  return { acked, stats, exitCode, logged, checkpointOffset: saved?.checkpoint.offset, savedChecksum: fnv1a32(saved?.checkpoint.recommender ?? new Uint8Array()), cleanChecksum, cleanApplied, torn };
}

const results = new Map<number, TrialResult>();
beforeAll(async () => {
  // two trials at a time (each mostly waits on its child processes)
  let k = 0;
  const worker = async () => {
    while (k < TRIALS) {
      const t = k++;
      results.set(t, await runTrial(t));
    }
  };
  await Promise.all([worker(), worker()]);
  const lines = [...results.entries()].sort((a, b) => a[0] - b[0]).map(([t, r]) => `  trial ${t}: ${r.acked.size} acknowledged, ${r.stats.eventsLogged} logged${r.torn ? ', torn tail cut' : ''}, state checksum ${r.savedChecksum.toString(16)} (clean replay ${r.cleanChecksum.toString(16)})`);
  console.log(`crash trials:\n${lines.join('\n')}`);
}, 900000); // 40-60 s on 2 cores shared with other work; more when the whole suite shares them

it.each(Array.from({ length: TRIALS }, (_, k) => k))('trial %i: after kill -9 and restart, every acknowledged event is applied exactly once and the state equals a clean replay', (trial) => {
  const r = results.get(trial) as TrialResult;
  expect(r.acked.size).toBeGreaterThan(0);
  expect(r.stats.eventsApplied).toBe(r.stats.eventsLogged);
  expect(r.exitCode).toBe(0); // SIGTERM: checkpoint, exit 0
  expect(r.logged.length).toBe(r.stats.eventsLogged);
  expect(new Set(r.logged).size).toBe(r.logged.length); // no id logged twice
  const inLog = new Set(r.logged);
  for (const id of r.acked) expect(inLog.has(id)).toBe(true);
  expect(r.checkpointOffset).toBe(r.stats.eventsLogged);
  expect(r.cleanApplied).toBe(r.stats.eventsLogged);
  expect(r.savedChecksum).toBe(r.cleanChecksum);
});
