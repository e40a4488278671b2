/**
 * Every ts/js example in README.md and packages/*\/README.md type-checks under `--strict`
 * against the built packages' types, and every block not marked `fragment` runs with plain
 * `node` (TypeScript transpiled by `ts.transpileModule`) and exits 0. Fragments type-check with
 * the prelude above them (see ./blocks.ts and CONTRIBUTING.md).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { extractBlocks } from './blocks';
import { pool, prepare, runNode, typeCheck, type PreparedBlock, type RunResult } from './check';

const root = join(__dirname, '..', '..', '..');
const work = join(__dirname, '..', '.tmp', 'readmes');
/** Per block: a guard against a hang, not a speed bar. */
const RUN_TIMEOUT_MS = 120000;

const packageDirs = readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)).filter((d) => existsSync(join(d, 'package.json')));
const readmes = [join(root, 'README.md'), ...packageDirs.map((d) => join(d, 'README.md')).filter((f) => existsSync(f))];
const blocks = readmes.flatMap((f) => extractBlocks(f, readFileSync(f, 'utf8')));

let prepared: PreparedBlock[];
let errors: Map<string, string[]>;
const runs = new Map<string, RunResult>();

beforeAll(async () => {
  for (const d of packageDirs) {
    if (!existsSync(join(d, 'dist'))) throw new Error(`readme check: ${d} must be built first (pnpm build)`);
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  prepared = prepare(blocks, root, work);
  const runnable = prepared.filter((p) => !p.block.fragment);
  // the runs start first (child processes), the type-check runs here meanwhile
  const running = pool(
    runnable.map((p) => () => runNode(p.runnable, p.dir, RUN_TIMEOUT_MS, { ...process.env, MEMREC_DATA: join(p.dir, 'data') })),
    Math.max(2, Math.min(4, availableParallelism())),
  );
  const t0 = Date.now();
  errors = typeCheck(prepared, [join(root, 'node_modules', '@types')]);
  const typeCheckMs = Date.now() - t0;
  const results = await running;
  runnable.forEach((p, i) => {
    runs.set(p.where, results[i]);
    writeFileSync(join(p.dir, 'stdout.txt'), results[i].stdout); // kept for reading after a run
    writeFileSync(join(p.dir, 'stderr.txt'), results[i].stderr);
  });
  const timings = Object.fromEntries(runnable.map((p, i) => [p.where, results[i].ms]));
  writeFileSync(join(work, 'timings.json'), JSON.stringify({ typeCheckMs, runs: timings }, null, 2));
}, 300000);

it('every package README has at least one example', () => {
  const without = readmes.filter((f) => !blocks.some((b) => b.file === f)).map((f) => f.slice(root.length + 1));
  expect(without).toEqual([]);
});

it("the root README's compose example is apps/bench/examples/bprmf-with-gan.mjs below its comment lines", () => {
  const file = readFileSync(join(root, 'apps', 'bench', 'examples', 'bprmf-with-gan.mjs'), 'utf8').split('\n');
  const body = file.slice(file.findIndex((l) => !l.startsWith('//'))).join('\n');
  const block = blocks.filter((b) => b.file === readmes[0] && b.code.includes('ganSampler('));
  expect(block.map((b) => `${b.code}\n`)).toEqual([body]);
});

describe.each(blocks.map((b) => [`${b.file.slice(root.length + 1)}:${b.line}${b.fragment ? ' (fragment)' : ''}`, b] as const))('%s', (where) => {
  const key = where.replace(/ \(fragment\)$/, '');
  it('type-checks under --strict', () => {
    expect(errors.get(key)).toEqual([]);
  });
  if (!where.endsWith('(fragment)')) {
    it('runs with plain node and exits 0', () => {
      const r = runs.get(key) as RunResult;
      const failed = r.code !== 0;
      expect({ exitCode: r.code, timedOut: r.timedOut, stderr: failed ? r.stderr.slice(-4000) : '' }).toEqual({ exitCode: 0, timedOut: false, stderr: '' });
    });
  }
});
