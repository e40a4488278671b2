/**
 * How users consume memrec: each publishable package is packed with `pnpm pack`, then
 * installed ALONE into an empty project (only its own tarball and the memrec tarballs it
 * depends on are unpacked; third-party dependencies it declares are linked from the
 * workspace's store, so nothing is fetched from the network), and imported from ESM and CJS
 * (the package and each subpath of its `exports` map).
 * A missing `files` entry, a broken `exports` map, a `workspace:` range left in a published
 * manifest or an undeclared dependency fails here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const packagesDir = join(root, 'packages');

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}

/** The import specifiers of a package: its name, plus one per subpath of its `exports` map. */
function specifiers(manifest: Manifest): string[] {
  const keys = Object.keys(manifest.exports ?? { '.': null }).filter((k) => k !== './package.json');
  return keys.map((k) => (k === '.' ? manifest.name : `${manifest.name}/${k.slice(2)}`));
}

/** Every file path named anywhere in an `exports` map. */
function exportedFiles(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value == null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(exportedFiles);
}

const publishable = readdirSync(packagesDir)
  .map((d) => join(packagesDir, d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
  .filter((p) => !p.manifest.private);

let work: string;
const tarballs = new Map<string, string>();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'memrec-install-'));
  const packs = join(work, 'packs');
  mkdirSync(packs);
  for (const p of publishable) {
    if (!existsSync(join(p.dir, 'dist'))) throw new Error(`install test: ${p.manifest.name} must be built first (pnpm build)`);
    const out = execFileSync('pnpm', ['pack', '--pack-destination', packs], { cwd: p.dir, encoding: 'utf8' });
    const file = out.trim().split('\n').pop() as string;
    tarballs.set(p.manifest.name, file.startsWith('/') ? file : join(packs, file));
  }
}, 120000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Unpacks a tarball into node_modules/<name>, then its memrec deps, and links third-party deps. */
function install(project: string, name: string, done = new Set<string>()): void {
  if (done.has(name)) return;
  done.add(name);
  const target = join(project, 'node_modules', name);
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarballs.get(name) as string, '-C', target, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as Manifest;
  const deps = { ...manifest.dependencies, ...manifest.peerDependencies };
  for (const [dep, range] of Object.entries(deps)) {
    expect({ dep, range }).toEqual({ dep, range: expect.not.stringMatching(/^workspace:/) });
    if (dep.startsWith('@memrec/')) {
      install(project, dep, done);
      continue;
    }
    const link = join(project, 'node_modules', dep);
    if (existsSync(link)) continue;
    // the real directory of the dependency in the workspace store (its own deps sit beside it)
    const from = realpathSync(join(packageDir(name), 'node_modules', dep));
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(from, link, 'dir');
  }
}

function packageDir(name: string): string {
  return (publishable.find((p) => p.manifest.name === name) as { dir: string }).dir;
}

describe.each(publishable.map((p) => p.manifest.name))('%s installs alone and imports', (name) => {
  let project: string;
  beforeAll(() => {
    project = join(work, name.replace('/', '__'));
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
    install(project, name);
  });

  const manifest = (publishable.find((p) => p.manifest.name === name) as { manifest: Manifest }).manifest;

  if (name === '@memrec/core') {
    it('exports the ./internal and ./node subpaths', () => {
      expect(specifiers(manifest)).toEqual(['@memrec/core', '@memrec/core/internal', '@memrec/core/node']);
    });
  }

  it.each(specifiers(manifest))('%s from ESM', (specifier) => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import('${specifier}'); console.log(Object.keys(m).length);`], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(Number(out.trim().split('\n').pop())).toBeGreaterThan(0);
  });

  it.each(specifiers(manifest))('%s from CJS', (specifier) => {
    const out = execFileSync(process.execPath, ['-e', `const m = require('${specifier}'); console.log(Object.keys(m).length);`], { cwd: project, encoding: 'utf8' });
    expect(Number(out.trim().split('\n').pop())).toBeGreaterThan(0);
  });

  if (name === '@memrec/models') {
    it('trains NMRN online from the installed tarballs under plain node (ESM), with no tensors left', () => {
      const script = [
        "import * as tf from '@tensorflow/tfjs-core';",
        "import { initBackend } from '@memrec/core';",
        "import { Nmrn, OnlineRecommender } from '@memrec/models';",
        "await initBackend({ backend: 'cpu', log: false });",
        'const events = Array.from({ length: 400 }, (_, k) => ({ user: `u${k % 20}`, item: `i${(k * 7) % 30}`, timestamp: k }));',
        "const rec = await OnlineRecommender.train(new Nmrn({ dim: 4, slots: 2, sampler: 'uniform', epochs: 1, batchSize: 64 }), events);",
        "await rec.ingest([{ user: 'u1', item: 'new-item', timestamp: 1000 }]);",
        "const top = rec.recommend('u1', 3);",
        'const copy = await OnlineRecommender.fromBytes(rec.toBytes());',
        'const same = JSON.stringify(copy.recommend(\'u1\', 3)) === JSON.stringify(top);',
        'rec.dispose(); copy.dispose();',
        'console.log(JSON.stringify({ n: top.length, same, tensors: tf.memory().numTensors }));',
      ].join('\n');
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
      expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ n: 3, same: true, tensors: 0 });
    });
  }

  it('ships every file its exports map names', () => {
    const dir = join(project, 'node_modules', name);
    const missing = exportedFiles(manifest.exports).filter((f) => !existsSync(join(dir, f)));
    expect(missing).toEqual([]);
  });

  it('ships types and no workspace-only files', () => {
    const dir = join(project, 'node_modules', name);
    const files = readdirSync(join(dir, 'dist'));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']));
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['README.md', 'dist', 'package.json']));
    expect(readdirSync(dir).filter((f) => f === 'src' || f === 'node_modules')).toEqual([]);
  });
});
