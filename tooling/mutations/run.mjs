#!/usr/bin/env node
/**
 * Mutation check: do the tests catch the bugs that matter most in a recommender benchmark?
 *
 * Copies the working tree (tracked files and untracked files that git does not ignore) into a
 * temporary folder, with `node_modules` linked, never touching the working tree. Then, for each
 * mutation below: applies its literal search / replace edits to one file of the copy, runs only
 * the jest files that should catch it, restores the file, and records whether a test failed and
 * which. Prints a table; exits 1 when a mutation survives, when a mutation's code no longer
 * compiles or runs (it would test nothing), or when the tests fail without any mutation.
 *
 *   pnpm test:mutations                      # every mutation
 *   pnpm test:mutations --only bpr-swap      # one (or several: --only a,b)
 *   pnpm test:mutations --check              # only check that every search string is found
 *   pnpm test:mutations --keep               # keep the temporary copy (its path is printed)
 *
 * A search string must occur exactly once in its file, so an edit elsewhere in the source makes
 * the mutation fail loudly instead of silently testing nothing: keep the strings short and
 * distinctive, and update them when the code they quote changes.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The deliberate bugs. `edits` apply in order to `file`; `tests` are the jest files run for it.
 * @type {{ id: string, what: string, file: string, edits: { search: string, replace: string }[], tests: string[] }[]}
 */
export const MUTATIONS = [
  {
    id: 'full-seen',
    what: 'full ranking ranks the training items too (no seen-item exclusion)',
    file: 'packages/eval/src/full.ts',
    edits: [{ search: 'exclude: (r) => seen.itemsOf(chunk[r])', replace: 'exclude: () => new Int32Array(0)' }],
    tests: ['packages/eval/src/full.test.ts'],
  },
  {
    id: 'ndcg-discount',
    what: 'NDCG discount off by one: 1 / log2(p + 3) for 0-based p (metrics.ndcg)',
    file: 'packages/eval/src/metrics.ts',
    edits: [{ search: 'dcg += 1 / Math.log2(p + 2)', replace: 'dcg += 1 / Math.log2(p + 3)' }],
    tests: ['packages/eval/src/metrics.test.ts'],
  },
  {
    id: 'ndcg-discount-evaluators',
    what: "NDCG discount off by one in the evaluators' accumulator",
    file: 'packages/eval/src/accumulator.ts',
    edits: [{ search: 'dcg += 1 / Math.log2(pos[h] + 2)', replace: 'dcg += 1 / Math.log2(pos[h] + 3)' }],
    tests: ['packages/eval/src/full.test.ts', 'packages/eval/src/sampled.test.ts', 'packages/eval/src/stream.test.ts'],
  },
  {
    id: 'bpr-swap',
    what: 'BPR with positive and negative swapped: softplus(pos - neg)',
    file: 'packages/losses/src/bpr.ts',
    edits: [{ search: 'softplus(sub(neg2, pos2))', replace: 'softplus(sub(pos2, neg2))' }],
    tests: ['packages/losses/src/bpr.test.ts', 'packages/losses/src/train.test.ts'],
  },
  {
    id: 'nmrn-write-first',
    what: "NMRN writes the batch into memory before reading it (the step sees its own positives)",
    file: 'packages/models/src/nmrn.ts',
    edits: [
      { search: 'const score = kv.scorerFor(users);', replace: 'kv.write(batchUsers, batchPos);\n    const score = kv.scorerFor(users);' },
      { search: 'kv.write(batchUsers, batchPos); // every event', replace: '// every event' },
    ],
    tests: ['packages/models/src/nmrn.test.ts', 'packages/models/src/models.test.ts'],
  },
  {
    id: 'stream-cold',
    what: "streaming evaluation scores cold events (ignores the evaluable mask)",
    file: 'packages/eval/src/stream.ts',
    edits: [{ search: 'const mask = options.evaluable?.[b];', replace: 'const mask = undefined as Uint8Array | undefined;' }],
    tests: ['packages/eval/src/stream.test.ts'],
  },
  {
    id: 'rank-weight-sampler',
    what: 'rank weight always 1 (the sampler drops log(floor((N - 1) / k) + 1))',
    file: 'packages/samplers/src/rank-weight.ts',
    edits: [{ search: 'weights[g] = this.weightFor(draws[g]);', replace: 'weights[g] = 1;' }],
    tests: ['packages/samplers/src/rank-weight.test.ts'],
  },
  {
    id: 'rank-weight-nmrn',
    what: "NMRN's hinge drops the rank weights (all 1)",
    file: 'packages/models/src/nmrn.ts',
    edits: [{ search: 'weights: rw.weights }', replace: 'weights: undefined }' }],
    tests: ['packages/models/src/nmrn.test.ts', 'packages/models/src/models.test.ts'],
  },
  {
    id: 'rank-ties-simd',
    what: "full ranking's SIMD count ignores the tie rule (an equal key with a lower id is not counted ahead)",
    file: 'packages/eval/src/row-ranker.ts',
    edits: [{ search: 'const below = nextDown(t);', replace: 'const below = t;' }],
    tests: ['packages/eval/src/row-ranker.test.ts', 'packages/eval/src/topk.test.ts'],
  },
  {
    id: 'topk-ties-simd',
    what: "the SIMD top k puts a later equal key ahead of an earlier one (ties to the higher id)",
    file: 'packages/eval/src/rank-kernels.ts',
    edits: [{ search: 'i32.shl  f32.load  local.get v  f32.ge  br_if $placed', replace: 'i32.shl  f32.load  local.get v  f32.gt  br_if $placed' }],
    tests: ['packages/eval/src/rank-kernels.test.ts', 'packages/eval/src/row-ranker.test.ts'],
  },
  {
    id: 'topk-tau-high',
    what: "the SIMD top k's bound tau is one rank too high (the k-th best key can be missed)",
    file: 'packages/eval/src/rank-kernels.ts',
    edits: [{ search: 'local.get c  local.get k  i32.ge_s  select', replace: 'local.get c  local.get k  i32.gt_s  select' }],
    tests: ['packages/eval/src/rank-kernels.test.ts', 'packages/eval/src/row-ranker.test.ts'],
  },
  {
    id: 'server-recommend-behind-batch',
    what: 'the server answers recommend requests taken during a micro-batch only after the next micro-batch',
    file: 'packages/server/src/engine.ts',
    edits: [{ search: '    if (this.pending.length === 0) return;\n    this.answerPending();\n    await new Promise((resolve) => setImmediate(resolve));\n  }', replace: '    if (this.pending.length === 0) return;\n  }' }],
    tests: ['packages/server/src/service.test.ts'],
  },
  {
    id: 'server-checkpoint-forgets-ids',
    what: 'a server checkpoint saves no event ids (a retried id is applied again after a restart)',
    file: 'packages/server/src/engine.ts',
    edits: [{ search: 'const idHashes = this.ids.toHashes(queued);', replace: 'const idHashes = new Uint32Array(0);' }],
    tests: ['packages/server/src/dedupe.test.ts'],
  },
  {
    id: 'playground-train-then-test',
    what: 'the playground learns from an event before ranking it (train-then-test)',
    file: 'apps/playground/src/session.ts',
    edits: [
      {
        search: '      if (this.known.users[u] && this.known.items[i]) {',
        replace: '      for (const m of this.models.values()) await m.observe({ users: Int32Array.of(u), items: Int32Array.of(i), numUsers: this.data.numUsers, numItems: this.data.numItems });\n      if (this.known.users[u] && this.known.items[i]) {',
      },
    ],
    tests: ['apps/playground/src/session.test.ts'],
  },
  {
    id: 'irgan-no-importance-weight',
    what: "IRGAN's generator step drops the importance weight P_G / pn of items drawn from the mixture with the positives",
    file: 'packages/samplers/src/irgan.ts',
    edits: [{ search: 'const w = lambda > 0 ? (p[i] / total) / ((this.cum[i] - (i > 0 ? this.cum[i - 1] : 0)) / this.cum[N - 1]) : 1;', replace: 'const w = 1;' }],
    tests: ['packages/samplers/src/irgan.test.ts'],
  },
  {
    id: 'cfnade-no-tanh-derivative',
    what: "CF-NADE's backward pass skips the derivative of tanh (1 - h^2) on the hidden layer",
    file: 'packages/models/src/cf-nade-math.ts',
    edits: [{ search: 'const da = dh[j] * (1 - h[j] * h[j]);', replace: 'const da = dh[j];' }],
    tests: ['packages/models/src/cf-nade.test.ts'],
  },
  {
    id: 'ksr-write-first',
    what: 'KSR writes streamed items into the memory before the step reads it (the step sees its own target)',
    file: 'packages/models/src/ksr.ts',
    edits: [
      { search: 'const cont = this.states.continuing(users, times, 0);', replace: 'this.writeItems(users, items);\n      const cont = this.states.continuing(users, times, 0);' },
      { search: '      this.writeItems(users, items);\n      await tick();', replace: '      await tick();' },
    ],
    tests: ['packages/models/src/ksr.test.ts'],
  },
  {
    id: 'ksr-softmax-grad',
    what: "KSR's attention backward pass drops the softmax's coupling term (dl = w (dw - sum w dw))",
    file: 'packages/models/src/ksr.ts',
    edits: [{ search: 'const dl = w[r * S + a] * (dw[a] - mean);', replace: 'const dl = w[r * S + a] * dw[a];' }],
    tests: ['packages/models/src/ksr.test.ts'],
  },
];

/** Applies `edits` to `text`; each search string must occur exactly once. Throws naming the file otherwise. */
export function applyEdits(text, edits, file) {
  let out = text;
  for (const { search } of edits) {
    const count = out.split(search).length - 1;
    if (count !== 1) throw new Error(`test:mutations: ${file} must contain ${JSON.stringify(search)} exactly once, got ${count} (update the mutation to the current source)`);
  }
  for (const { search, replace } of edits) out = out.replace(search, () => replace);
  return out;
}

function parseArgs(argv) {
  const args = { only: null, check: false, keep: false };
  for (let a = 0; a < argv.length; a++) {
    if (argv[a] === '--only') args.only = (argv[++a] ?? '').split(',').filter(Boolean);
    else if (argv[a] === '--check') args.check = true;
    else if (argv[a] === '--keep') args.keep = true;
    else throw new Error(`test:mutations: unknown argument ${JSON.stringify(argv[a])} (use --only ID[,ID], --check, --keep)`);
  }
  if (args.only) {
    const unknown = args.only.filter((id) => !MUTATIONS.some((m) => m.id === id));
    if (unknown.length) throw new Error(`test:mutations: --only must name mutations among ${MUTATIONS.map((m) => m.id).join(', ')}, got ${unknown.join(', ')}`);
  }
  return args;
}

/** Copies the working tree's files into `dest`, links the root node_modules and copies each workspace's node_modules links. */
function copyRepository(dest) {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 1 << 28 })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const rel of listed) {
    const src = join(ROOT, rel);
    if (!existsSync(src) && !isLink(src)) continue; // deleted in the working tree
    const dst = join(dest, rel);
    mkdirSync(dirname(dst), { recursive: true });
    if (isLink(src)) symlinkSync(readlinkSync(src), dst);
    else if (lstatSync(src).isFile()) copyFileSync(src, dst);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'));
  // Workspace node_modules hold relative links (into ../../node_modules/.pnpm, or to sibling
  // workspaces): copied verbatim, they resolve inside the copy.
  for (const group of ['packages', 'apps', 'tooling']) {
    if (!existsSync(join(ROOT, group))) continue;
    for (const name of readdirSync(join(ROOT, group))) {
      const nm = join(ROOT, group, name, 'node_modules');
      if (existsSync(nm)) cpSync(nm, join(dest, group, name, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    }
  }
}

function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Runs jest on `tests` in `cwd`; returns the failed tests, and the suites that did not run. */
function runJest(cwd, tests, report) {
  rmSync(report, { force: true });
  const jest = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  const res = spawnSync(process.execPath, [jest, '--ci', '--silent', '--json', `--outputFile=${report}`, ...tests], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    maxBuffer: 1 << 28,
  });
  if (!existsSync(report)) throw new Error(`test:mutations: jest wrote no report for ${tests.join(' ')}:\n${(res.stderr || res.stdout).slice(-3000)}`);
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const failed = [];
  const broken = [];
  for (const suite of r.testResults) {
    const file = suite.name.slice(cwd.length + 1);
    const fails = suite.assertionResults.filter((a) => a.status === 'failed');
    for (const a of fails) failed.push(`${file}: ${a.fullName}`);
    if (suite.status === 'failed' && fails.length === 0) broken.push(`${file}: ${(suite.message || 'suite failed to run').split('\n').find((l) => l.trim()) ?? ''}`.trim());
  }
  return { failed, broken, numTests: r.numTotalTests };
}

function table(rows) {
  const head = ['mutation', 'file', 'caught', 'by'];
  const all = [head, ...rows];
  const width = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((v, c) => v.padEnd(width[c])).join(' | ')} |`;
  return [line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const chosen = args.only ? MUTATIONS.filter((m) => args.only.includes(m.id)) : MUTATIONS;
  // Every search string is checked against the working tree first: a stale one fails before anything runs.
  for (const m of chosen) applyEdits(readFileSync(join(ROOT, m.file), 'utf8'), m.edits, m.file);
  if (args.check) {
    console.log(`test:mutations: all ${chosen.length} mutations apply to the current source`);
    return 0;
  }
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'memrec-mutations-'));
  const repo = join(tmp, 'repo');
  const report = join(tmp, 'jest.json');
  try {
    copyRepository(repo);
    console.log(`test:mutations: working tree copied to ${repo}`);
    const files = [...new Set(chosen.flatMap((m) => m.tests))];
    const base = runJest(repo, files, report);
    if (base.failed.length || base.broken.length || base.numTests === 0) {
      console.error(`test:mutations: the tests must pass without mutations, got:\n${[...base.failed, ...base.broken].join('\n') || 'no tests'}`);
      return 1;
    }
    console.log(`test:mutations: baseline green (${base.numTests} tests in ${files.length} files)`);
    const rows = [];
    let bad = 0;
    for (const m of chosen) {
      const path = join(repo, m.file);
      const original = readFileSync(path, 'utf8');
      writeFileSync(path, applyEdits(original, m.edits, m.file));
      let res;
      try {
        res = runJest(repo, m.tests, report);
      } finally {
        writeFileSync(path, original);
      }
      let caught;
      let by;
      if (res.broken.length) {
        caught = 'broken';
        by = `mutated code does not run: ${res.broken[0]}`;
        bad++;
      } else if (res.failed.length) {
        caught = 'yes';
        by = res.failed[0] + (res.failed.length > 1 ? ` (+${res.failed.length - 1} more)` : '');
      } else {
        caught = 'no';
        by = `none of ${res.numTests} tests in ${m.tests.join(', ')}`;
        bad++;
      }
      console.log(`test:mutations: ${m.id}: ${caught}`);
      rows.push([`${m.id}: ${m.what}`, m.file, caught, by]);
    }
    console.log(`\n${table(rows)}\n`);
    console.log(`test:mutations: ${rows.length - bad} of ${rows.length} mutations caught in ${Math.round((Date.now() - started) / 1000)} s`);
    return bad ? 1 : 0;
  } finally {
    if (args.keep) console.log(`test:mutations: copy kept at ${repo}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
  }
}
