import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST as dist, ensureBuilt } from './built-site';

// Budgets, gzip -9 bytes, the .wasm files excluded. Measured when set: main chunk 24.8 KB
// (the page and uPlot; the models, TensorFlow.js and the parser load in the workers), every
// chunk together 382.7 KB.
const MAIN_BUDGET = 40 * 1024;
const ALL_JS_BUDGET = 500 * 1024;

describe('playground bundle', () => {
  beforeAll(ensureBuilt);

  it('keeps the main chunk and all JavaScript within budget, and reports their gzip sizes', () => {
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    const main = /<script type="module" crossorigin src="\.\/(assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
    expect(main).toBeDefined();
    const gz = (f: string) => gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
    const js = fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.endsWith('.js'));
    const sizes = Object.fromEntries(js.map((f) => [f, gz(path.join('assets', f))]));
    const mainSize = gz(main as string);
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    console.log(`playground bundle (gzip -9): main chunk ${(mainSize / 1024).toFixed(1)} KB (budget ${MAIN_BUDGET / 1024} KB), all JavaScript ${(total / 1024).toFixed(1)} KB in ${js.length} files (budget ${ALL_JS_BUDGET / 1024} KB); .wasm excluded`);
    expect(mainSize).toBeLessThanOrEqual(MAIN_BUDGET);
    expect(total).toBeLessThanOrEqual(ALL_JS_BUDGET);
    // the page's own chunk holds no TensorFlow.js: training and parsing stay in the workers
    expect(fs.readFileSync(path.join(dist, main as string), 'utf8')).not.toMatch(/tfjs|registerKernel/);
    // the wasm backend's binaries are served by the site
    expect(fs.readdirSync(path.join(dist, 'assets')).filter((f) => /^tfjs-backend-wasm.*\.wasm$/.test(f))).toHaveLength(3);
  });
});
