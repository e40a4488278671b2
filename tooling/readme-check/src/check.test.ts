import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeBlock } from './blocks';
import { pool, prepare, runNode, typeCheck } from './check';

const root = join(__dirname, '..', '..', '..');
// inside this package, so that `node_modules` lookup reaches the linked workspace packages
const work = join(__dirname, '..', '.tmp', `check-test-${process.pid}`);
const typeRoots = [join(root, 'node_modules', '@types')];

const block = (line: number, code: string, more: Partial<CodeBlock> = {}): CodeBlock => ({
  file: join(root, 'R.md'),
  line,
  lang: 'ts',
  fragment: false,
  prelude: '',
  code,
  ...more,
});

beforeAll(() => mkdirSync(work, { recursive: true }));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('typeCheck', () => {
  let errors: Map<string, string[]>;

  beforeAll(() => {
    const blocks = [
      block(10, "const a = 1;\nconst n: number = 'one';"),
      block(20, 'export const twice = (x) => x * 2;', { lang: 'js' }),
      block(30, "import { SparseEmbedding } from '@memrec/core';\nnew SparseEmbedding({ rows: 'many', dim: 4 });"),
      block(40, 'console.log(train.numUsers.toFixed(0));', { fragment: true, prelude: "import type { Interactions } from '@memrec/core';\ndeclare const train: Interactions;" }),
      block(50, 'console.log(k);', { fragment: true, prelude: 'declare const k: NoSuchType;' }),
      block(60, "import * as tf from '@tensorflow/tfjs-core';\nimport { initBackend } from '@memrec/core';\nawait initBackend({ backend: 'cpu', log: false });\ntf.scalar(1).print();"),
    ];
    errors = typeCheck(prepare(blocks, root, work), typeRoots);
  }, 60000);

  it('reports a --strict error at its README line', () => {
    expect(errors.get('R.md:10')).toEqual([`${join(root, 'R.md')}:11: TS2322: Type 'string' is not assignable to type 'number'.`]);
  });

  it('checks JavaScript blocks too (implicit any is an error)', () => {
    expect(errors.get('R.md:20')).toEqual([`${join(root, 'R.md')}:20: TS7006: Parameter 'x' implicitly has an 'any' type.`]);
  });

  it("checks calls against the built packages' types", () => {
    expect(errors.get('R.md:30')).toHaveLength(1);
    expect(errors.get('R.md:30')?.[0]).toMatch(new RegExp(`^${join(root, 'R.md')}:31: TS2322: Type 'string' is not assignable to type 'number'`));
  });

  it("type-checks a fragment with its prelude's declarations", () => {
    expect(errors.get('R.md:40')).toEqual([]);
  });

  it('names an error in a prelude as such', () => {
    expect(errors.get('R.md:50')).toEqual(["R.md:50 (prelude line 1): TS2304: Cannot find name 'NoSuchType'."]);
  });

  it('accepts top-level await and tfjs imports', () => {
    expect(errors.get('R.md:60')).toEqual([]);
  });
});

describe('runNode', () => {
  it('runs a TypeScript block with its types stripped', async () => {
    const [p] = prepare([block(70, 'const x: number = 20;\nconsole.log(x + 1);')], root, work);
    const r = await runNode(p.runnable, p.dir, 30000);
    expect({ code: r.code, stdout: r.stdout, timedOut: r.timedOut }).toEqual({ code: 0, stdout: '21\n', timedOut: false });
  }, 40000);

  it('resolves the workspace packages from a block folder', async () => {
    const [p] = prepare([block(80, "import { seededRng } from '@memrec/core';\nconsole.log(typeof seededRng(1)());")], root, work);
    const r = await runNode(p.runnable, p.dir, 30000);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: 'number\n' });
  }, 40000);

  it('reports a block that throws as a non-zero exit with its message', async () => {
    const [p] = prepare([block(90, "throw new Error('broken example');")], root, work);
    const r = await runNode(p.runnable, p.dir, 30000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken example');
  }, 40000);

  it('kills a block that runs past the timeout', async () => {
    const [p] = prepare([block(100, 'setInterval(() => {}, 1000);')], root, work);
    const r = await runNode(p.runnable, p.dir, 1000);
    expect({ timedOut: r.timedOut, signal: r.signal }).toEqual({ timedOut: true, signal: 'SIGKILL' });
  }, 40000);
});

describe('pool', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let active = 0;
    let peak = 0;
    const task = (v: number, ms: number) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, ms));
      active--;
      return v;
    };
    const out = await pool([task(1, 30), task(2, 5), task(3, 20), task(4, 1), task(5, 10)], 2);
    expect({ out, peak }).toEqual({ out: [1, 2, 3, 4, 5], peak: 2 });
  });
});
