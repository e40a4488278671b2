/** Test helper (not exported): runs the built `memrec-serve` as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CLI = join(__dirname, '..', 'dist', 'cli.js');

export interface Child {
  proc: ChildProcess;
  address: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `memrec-serve ARGS` and resolves once it is ready (its stderr names the address). */
export function startChild(args: string[], env: Record<string, string> = {}): Promise<Child> {
  if (!existsSync(CLI)) throw new Error(`server tests: ${CLI} must exist: build first (pnpm build, or pnpm test which builds)`);
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`memrec-serve did not listen within 30 s; stderr:\n${err}`));
    }, 30000);
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /ready on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, address: m[1], stderr: () => err, exited });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`memrec-serve exited (code ${code}, signal ${signal}) before listening; stderr:\n${err}`));
    });
  });
}
