/**
 * The Redis queue as users run it: the built CLI (`dist/cli.js`) as coordinator and as worker
 * processes, against a real redis-server on a free port (nothing mocked).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type TestRedis } from '@memrec/test-helpers';
import type { Results } from '../report/types';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>;
}

const started: ChildProcess[] = [];

/** Starts the built CLI; `onStderr` sees stderr as it grows. */
function start(args: string[], onStderr?: (text: string) => void): Proc {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stderr = '';
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    onStderr?.(stderr);
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout }));
  });
  return { child, stderr: () => stderr, done };
}

/** Stops a worker the way an operator does (SIGTERM: it finishes its cell, then exits 0). */
async function stopWorker(w: Proc): Promise<void> {
  w.child.kill('SIGTERM');
  expect(await w.done).toMatchObject({ code: 0 });
}

const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
/** What must not depend on where a cell ran: every metric, per-block metric, loss curve, summary and paired test. */
const outcomeOf = (r: Results) => ({
  runs: r.runs.map((x) => ({ model: x.model, seed: x.seed, protocol: x.protocol, metrics: x.metrics, streamBlocks: x.streamBlocks, loss: x.loss, curve: x.curve })),
  summary: r.summary,
  comparisons: r.comparisons,
  card: { ...r.card, versions: undefined },
});
const ranLines = (text: string) => text.split('\n').filter((l) => / ran in [\d.]+ s on /.test(l));

let redis: TestRedis;
let dir: string;
let config: string;
beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`queue.process.test: ${cli} must exist (run pnpm build first), got no file`);
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'memrec-queue-'));
  config = join(dir, 'small.json');
  writeFileSync(config, JSON.stringify({ synthetic: { numUsers: 200, numItems: 150, numEvents: 6000 }, epochs: 2 }));
});
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(async () => {
  await redis?.stop();
});

describe('pnpm bench --queue with pnpm bench worker (a real redis-server)', () => {
  it('a grid of 2 models x 2 seeds on 2 worker processes gives the local run\'s results to the last digit (a worker sent SIGTERM mid-cell finishes it); submitted again, it runs no cell twice', async () => {
    const grid = ['--config', config, '--models', 'bprmf,pop', '--seeds', '1,2', '--protocol', 'stream', '--backend', 'wasm', '--quiet'];
    const url = `${redis.url}/equal`;
    // SIGTERM to the first worker as soon as it starts a cell: it finishes that cell, then exits 0
    let termed = false;
    const first: Proc = start(['worker', '--queue', url], (text) => {
      if (!termed && /train: started/.test(text)) {
        termed = true;
        first.child.kill('SIGTERM');
      }
    });
    const workers = [first, start(['worker', '--queue', url])];
    const [local, queued] = await Promise.all([start([...grid, '--workers', '2', '--out', join(dir, 'local')]).done, start([...grid, '--queue', url, '--out', join(dir, 'queued')]).done]);
    expect(local.code).toBe(0);
    expect(queued.code).toBe(0);
    const again = await start([...grid, '--queue', url, '--out', join(dir, 'again')]).done;
    expect(again.code).toBe(0);
    expect(await first.done).toMatchObject({ code: 0 });
    expect(ranLines(first.stderr())).toHaveLength(1);
    await stopWorker(workers[1]);
    const [a, b] = [read(join(dir, 'local')), read(join(dir, 'queued'))];
    expect(outcomeOf(b)).toEqual(outcomeOf(a));
    expect(b.comparisons.length).toBeGreaterThan(0); // paired tests over users: per-user values came through Redis
    expect(b.backend).toBe('wasm');
    expect(b.queue?.cells.map((c) => `${c.variant}/${c.seed}`).sort()).toEqual(['bprmf/1', 'bprmf/2', 'pop/1', 'pop/2']);
    expect(existsSync(join(dir, 'queued', 'index.html'))).toBe(true);
    expect(readFileSync(join(dir, 'queued', 'results.md'), 'utf8')).toContain(`- queue: ${url}, grid ${b.queue?.grid}`);
    // the second submission added no job: the 4 cells ran once, and its report is the first one's
    expect(ranLines(workers.map((w) => w.stderr()).join('\n'))).toHaveLength(4);
    expect(outcomeOf(read(join(dir, 'again')))).toEqual(outcomeOf(b));
  });

  it('a worker killed with SIGKILL in the middle of a cell: the other worker runs the cell again, the report has every cell once', async () => {
    const url = `${redis.url}/kill`;
    // bprmf for 10 epochs (about a second): the cell is still training when its worker is killed
    const grid = ['--config', config, '--models', 'bprmf', '--epochs', '10', '--seeds', '1,2', '--protocol', 'stream', '--backend', 'wasm', '--queue', url, '--quiet'];
    let killed = '';
    const doomed: Proc = start(['worker', '--queue', url, '--stall-seconds', '2'], (text) => {
      const m = /^(stream \| bprmf \| seed \d): train: started/m.exec(text);
      if (m && !killed) {
        killed = m[1];
        doomed.child.kill('SIGKILL');
      }
    });
    const coordinator = start([...grid, '--out', join(dir, 'killed')]);
    const deadline = await doomed.done;
    expect(deadline.signal).toBe('SIGKILL');
    const survivor = start(['worker', '--queue', url, '--stall-seconds', '2']);
    expect((await coordinator.done).code).toBe(0);
    await stopWorker(survivor);
    const r = read(join(dir, 'killed'));
    expect(r.runs.map((x) => `${x.model}/${x.seed}`)).toEqual(['bprmf/1', 'bprmf/2']);
    expect(r.failedCells).toBeUndefined();
    expect(r.queue?.cells).toHaveLength(2);
    expect(ranLines(doomed.stderr())).toHaveLength(0);
    expect(ranLines(survivor.stderr()).map((l) => l.replace(/^cell (.*): ran in .*$/, '$1')).sort()).toEqual(['stream | bprmf | seed 1', 'stream | bprmf | seed 2']);
    expect(killed).not.toBe('');
  });

  it('a worker whose copy of the data differs refuses the cell, and the cell is reported with that error', async () => {
    const url = `${redis.url}/checksum`;
    const mine = join(dir, 'mine.csv');
    const theirs = join(dir, 'theirs.csv');
    writeFileSync(mine, 'u,i,t\n1,1,1\n2,1,2\n1,2,3\n2,2,4\n');
    writeFileSync(theirs, 'u,i,t\n1,1,1\n2,1,2\n1,2,3\n2,3,4\n');
    const worker = start(['worker', '--queue', url, '--file', theirs]);
    const res = await start(['--dataset', 'csv', '--file', mine, '--header', '--columns', 'user=u,item=i,timestamp=t', '--models', 'pop', '--seeds', '1', '--protocol', 'stream', '--backend', 'wasm', '--queue', url, '--attempts', '1', '--out', join(dir, 'refused')]).done;
    await stopWorker(worker);
    expect(res.code).toBe(1);
    const last = res.stderr.trim().split('\n').pop() as string;
    expect(last).toMatch(/^memrec-bench: memrec-bench --queue: every cell of the grid must not fail, got 1 failed, e\.g\. stream \| pop \| seed 1: memrec-bench worker \S+: refuses cell stream \| pop \| seed 1: its dataset csv must have checksum sha256:[0-9a-f]{64} \(the coordinator's\), got sha256:[0-9a-f]{64} on this machine/);
    expect(ranLines(worker.stderr())).toHaveLength(0);
  });

  it('tune --queue runs the trials on the queue\'s workers and writes the local search\'s trials and best.json', async () => {
    const url = `${redis.url}/tune`;
    const base = join(dir, 'tune.json');
    writeFileSync(base, JSON.stringify({ synthetic: { numUsers: 80, numItems: 50, numEvents: 3000 }, protocol: 'leave-last-out', seeds: [3] }));
    const space = join(dir, 'space.json');
    writeFileSync(space, JSON.stringify({ bprmf: { dim: [4, 8], learningRate: [0.02, 0.05] } }));
    const search = ['tune', '--model', 'bprmf', '--config', base, '--set', 'bprmf.epochs=5', '--space', space, '--trials', '3', '--backend', 'wasm', '--quiet'];
    const worker = start(['worker', '--queue', url]);
    const [local, queued] = await Promise.all([start([...search, '--out', join(dir, 'tune-local')]).done, start([...search, '--queue', url, '--out', join(dir, 'tune-queued')]).done]);
    await stopWorker(worker);
    expect(local.code).toBe(0);
    expect(queued.code).toBe(0);
    const trials = (d: string) => readFileSync(join(dir, d, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => {
      const { seconds: _s, ...t } = JSON.parse(l) as { seconds: number };
      return t;
    });
    expect(trials('tune-queued')).toEqual(trials('tune-local'));
    expect(trials('tune-queued')).toHaveLength(3);
    expect(readFileSync(join(dir, 'tune-queued', 'best.json'), 'utf8')).toBe(readFileSync(join(dir, 'tune-local', 'best.json'), 'utf8'));
    expect(ranLines(worker.stderr())).toHaveLength(3);
  });
});
