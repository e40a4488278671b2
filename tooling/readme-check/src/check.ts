/**
 * Type-checks README code blocks with the TypeScript compiler under `--strict` (module
 * nodenext, so top-level await works and imports resolve through the packages' `exports`
 * maps to their built `dist` types) and runs the complete ones with plain `node`.
 *
 * Each block gets its own folder under `workDir`; `workDir` must sit where Node's
 * `node_modules` lookup reaches the packages (this package's `node_modules` links them).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import type { CodeBlock } from './blocks';

export interface PreparedBlock {
  block: CodeBlock;
  /** `file:line`, the block's place in its README. */
  where: string;
  dir: string;
  /** The file the compiler checks (`main.mts` / `main.mjs`). */
  checked: string;
  /** The file `node` runs (`main.mjs`). */
  runnable: string;
  preludeLines: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  ms: number;
  stdout: string;
  stderr: string;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: ['node'],
  allowJs: true,
  checkJs: true,
  skipLibCheck: true,
  noEmit: true,
};

/** A folder name for a block: its README's path and line, e.g. `packages-core-README.md-20`. */
export function blockId(block: CodeBlock, root: string): string {
  return `${relative(root, block.file).replace(/[\\/]/g, '-')}-${block.line}`;
}

/** Writes each block into `workDir/<id>/`: the checked source and, for TS, its transpiled `.mjs`. */
export function prepare(blocks: CodeBlock[], root: string, workDir: string): PreparedBlock[] {
  return blocks.map((block) => {
    const dir = join(workDir, blockId(block, root));
    mkdirSync(dir, { recursive: true });
    const preludeLines = block.prelude === '' ? 0 : block.prelude.split('\n').length;
    const source = (preludeLines > 0 ? `${block.prelude}\n` : '') + block.code + '\n';
    const checked = join(dir, block.lang === 'ts' ? 'main.mts' : 'main.mjs');
    const runnable = join(dir, 'main.mjs');
    writeFileSync(checked, source);
    if (block.lang === 'ts' && !block.fragment) {
      const js = ts.transpileModule(block.code, {
        fileName: 'main.mts',
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      }).outputText;
      writeFileSync(runnable, js);
    }
    return { block, where: `${relative(root, block.file)}:${block.line}`, dir, checked, runnable, preludeLines };
  });
}

/**
 * Type-checks every prepared block in one program; returns the errors of each block, keyed by
 * `where`, as `README.md:LINE: message` (line numbers in the README; `(prelude)` for errors in
 * a fragment's prelude).
 */
export function typeCheck(prepared: PreparedBlock[], typeRoots: string[]): Map<string, string[]> {
  const program = ts.createProgram(prepared.map((p) => p.checked), { ...COMPILER_OPTIONS, typeRoots });
  const byFile = new Map(prepared.map((p) => [p.checked, p]));
  const out = new Map<string, string[]>(prepared.map((p) => [p.where, []]));
  const global: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const p = d.file ? byFile.get(d.file.fileName) : undefined;
    if (!p || !d.file || d.start === undefined) {
      global.push(`${d.file?.fileName ?? 'options'}: ${text}`);
      continue;
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line; // 0-based in the checked file
    const place = line < p.preludeLines ? `${p.where} (prelude line ${line + 1})` : `${p.block.file}:${p.block.line + line - p.preludeLines}`;
    out.get(p.where)?.push(`${place}: TS${d.code}: ${text}`);
  }
  if (global.length > 0) throw new Error(`typeCheck: errors outside the blocks:\n${global.join('\n')}`);
  return out;
}

/** Runs `file` with plain `node` in `cwd`; kills it after `timeoutMs`. */
export function runNode(file: string, cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, ms: Date.now() - start, stdout, stderr });
    });
  });
}

/** Runs `tasks` with at most `limit` in flight; results in input order. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
