/**
 * The built package must train under plain `node` (jest's module system hides whether
 * tfjs-core's gradients get registered). Runs dist/index.js (ESM) and dist/index.cjs (CJS)
 * in child processes, takes one BPR training step and checks the loss went down.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(__dirname, '..', 'dist');

const body = (backend: string) => `
  const t = new SparseEmbedding({ rows: 20, dim: 8, optimizer: { kind: 'sgd', learningRate: 0.5 }, seed: 1 });
  const choice = await initBackend({ backend: '${backend}', log: false });
  const u = Int32Array.from([0, 1, 2, 3]), i = Int32Array.from([4, 5, 6, 7]), j = Int32Array.from([8, 9, 10, 11]);
  const loss = (a, b, c) => tf.mean(tf.softplus(tf.neg(tf.sum(tf.mul(a, tf.sub(b, c)), 1))));
  const run = () => { const [a, b, c] = [t.lookup(u), t.lookup(i), t.lookup(j)]; const l = loss(a, b, c); const v = l.dataSync()[0]; tf.dispose([a, b, c, l]); return v; };
  const before = run();
  const [a, b, c] = [t.lookup(u), t.lookup(i), t.lookup(j)];
  const g = tf.grads(loss)([a, b, c]);
  t.applyGradients(Int32Array.from([...u, ...i, ...j]), tf.concat(g));
  const after = run();
  console.log(JSON.stringify({ backend: choice.backend, before, after, registered: gradientsRegistered() }));
`;

function runNode(args: string[]): { backend: string; before: number; after: number; registered: boolean } {
  const out = execFileSync(process.execPath, args, { cwd: join(__dirname, '..'), encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

describe('built package under plain node', () => {
  beforeAll(() => {
    if (!existsSync(join(dist, 'index.js'))) throw new Error('built.test: dist/index.js must exist, run `pnpm build` first');
  });

  it.each(['wasm', 'cpu'])('ESM entry trains one step on %s', (backend) => {
    const script = `import * as tf from '@tensorflow/tfjs-core'; import { SparseEmbedding, initBackend, gradientsRegistered } from '${join(dist, 'index.js')}'; ${body(backend)}`;
    const r = runNode(['--input-type=module', '-e', script]);
    expect(r.registered).toBe(true);
    expect(r.backend).toBe(backend);
    expect(r.after).toBeLessThan(r.before);
  });

  it('rank-2 matMul gradients on wasm (explicit transposes) equal those on cpu (transpose flags), all flag combinations', () => {
    const script = `import * as tf from '@tensorflow/tfjs-core'; import { initBackend } from '${join(dist, 'index.js')}';
      const grads = async (backend) => {
        await initBackend({ backend, log: false });
        const out = [];
        for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
          const a = tf.tensor2d(Array.from({ length: 12 }, (_, k) => Math.sin(k + 1)), ta ? [4, 3] : [3, 4]);
          const b = tf.tensor2d(Array.from({ length: 20 }, (_, k) => Math.cos(k + 2)), tb ? [5, 4] : [4, 5]);
          const gs = tf.grads((x, y) => tf.sum(tf.square(tf.matMul(x, y, ta, tb))))([a, b]);
          out.push(...gs.map((g) => Array.from(g.dataSync())));
          tf.dispose([a, b, ...gs]);
        }
        return { backend: tf.getBackend(), out };
      };
      const w = await grads('wasm');
      const c = await grads('cpu');
      let maxDiff = 0;
      w.out.forEach((g, k) => g.forEach((v, j) => { maxDiff = Math.max(maxDiff, Math.abs(v - c.out[k][j])); }));
      console.log(JSON.stringify({ backends: [w.backend, c.backend], arrays: w.out.length, maxDiff }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop() as string) as { backends: string[]; arrays: number; maxDiff: number };
    expect(r.backends).toEqual(['wasm', 'cpu']);
    expect(r.arrays).toBe(8);
    expect(r.maxDiff).toBeLessThan(1e-4);
  });

  it("keeps the faster matMul gradient after initBackend('auto') loads backend packages that re-register tfjs's own", () => {
    const script = `import { initBackend, matMulGradientInstalled } from '${join(dist, 'index.js')}';
      const atLoad = matMulGradientInstalled();
      await initBackend({ backend: 'auto', log: false });
      console.log(JSON.stringify({ atLoad, afterInit: matMulGradientInstalled() }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ atLoad: true, afterInit: true });
  });

  it('CJS entry trains one step', () => {
    const script = `const tf = require('@tensorflow/tfjs-core'); const { SparseEmbedding, initBackend, gradientsRegistered } = require('${join(dist, 'index.cjs')}'); (async () => { ${body('cpu')} })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = runNode(['-e', script]);
    expect(r.registered).toBe(true);
    expect(r.after).toBeLessThan(r.before);
  });
});

describe('built entries and package metadata', () => {
  const read = (file: string) => readFileSync(join(dist, file), 'utf8');
  /** The file and the chunks it imports, transitively. */
  const closure = (file: string, seen = new Set<string>()): Set<string> => {
    seen.add(file);
    for (const m of read(file).matchAll(/["']\.\/(chunk-[\w-]+\.c?js)["']/g)) if (!seen.has(m[1])) closure(m[1], seen);
    return seen;
  };

  it('sideEffects lists exactly the built modules that register gradients', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { sideEffects: string[] };
    const registering = readdirSync(dist)
      .filter((f) => /\.c?js$/.test(f) && read(f).includes('registerGradient('))
      .map((f) => `./dist/${f}`);
    expect(registering.sort()).toEqual(['./dist/index.cjs', './dist/index.js']);
    expect([...manifest.sideEffects].sort()).toEqual(registering.sort());
  });

  it.each(['index.js', 'index.cjs'])('the main entry %s and its chunks do not import node:fs', (entry) => {
    const files = [...closure(entry)];
    expect(files.length).toBeGreaterThan(1); // the entry and the chunks it shares with ./internal
    for (const f of files) expect({ f, fs: /["'](node:)?fs["']/.test(read(f)) }).toEqual({ f, fs: false });
    expect(/["'](node:)?fs["']/.test(read(entry.replace('index', 'node')))).toBe(true); // the check can see an import
  });

  it('ESM: ./internal shares the generator state of the main entry', () => {
    const script = `import { seededRng } from '${join(dist, 'index.js')}'; import { rngState, nextRandom } from '${join(dist, 'internal.js')}';
      const a = seededRng(7), b = seededRng(7); const s = rngState(b);
      console.log(JSON.stringify({ has: s !== undefined, same: s !== undefined && nextRandom(s) === a() }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ has: true, same: true });
  });

  it('CJS: ./internal shares the generator state of the main entry', () => {
    const script = `const { seededRng } = require('${join(dist, 'index.cjs')}'); const { rngState, nextRandom } = require('${join(dist, 'internal.cjs')}');
      const a = seededRng(7), b = seededRng(7); const s = rngState(b);
      console.log(JSON.stringify({ has: s !== undefined, same: s !== undefined && nextRandom(s) === a() }));`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ has: true, same: true });
  });
});
