/**
 * The built CLI (`dist/cli.js`, made by `pnpm build`) as a user runs it, in a child process:
 * Ctrl-C to the parent stops the workers and leaves no report; an error after the wasm backend
 * has loaded is the project's one-line message, not a stack from the backend's own handlers.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the built CLI; `onStderr` sees stderr as it grows and may signal the process. Resolves
 * on 'close': every holder of the stderr pipe (the workers inherit it) has exited.
 */
function runBuilt(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('memrec-bench as a process', () => {
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`cli.process.test: ${cli} must exist (run pnpm build first), got no file`);
  });

  it('stops its workers on SIGINT to the parent alone: exit 130, one line, no stack, no report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-sigint-'));
    const config = join(dir, 'run.json');
    // long enough (NMRN, 50 epochs) that no job finishes before the interrupt
    writeFileSync(config, JSON.stringify({ synthetic: { numUsers: 300, numItems: 200, numEvents: 20000 }, epochs: 50 }));
    const out = join(dir, 'run');
    let sent = false;
    const res = await runBuilt(
      ['--config', config, '--models', 'nmrn', '--seeds', '1,2', '--protocol', 'leave-last-out', '--eval', 'full', '--workers', '2', '--backend', 'wasm', '--out', out],
      (text, child) => {
        if (!sent && /train: started/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    expect(sent).toBe(true);
    expect(res).toMatchObject({ code: 130, signal: null });
    expect(res.stderr.split('\n').filter((l) => /interrupt/i.test(l))).toEqual(['memrec-bench: interrupted, no report written']);
    expect(res.stderr).not.toMatch(/EPIPE|Error|\n\s+at |tf-backend-wasm/);
    expect(readdirSync(out)).toEqual([]); // no results.json, no chart, no checkpoint
  });

  it('prints an error raised after the wasm backend loads as one memrec-bench line, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memrec-fatal-'));
    const file = join(dir, 'events.csv');
    writeFileSync(file, 'uid,iid,ts\nu1,i1,1\nu2,i1,2\n');
    const res = await runBuilt(['--dataset', 'csv', '--file', file, '--columns', 'user=uid,item=item_id,timestamp=ts', '--models', 'pop', '--seeds', '1', '--workers', '1', '--backend', 'wasm', '--out', join(dir, 'run')]);
    expect(res).toMatchObject({ code: 1, signal: null });
    expect(res.stderr).toContain('backend: wasm'); // the error comes after the backend loaded
    expect(res.stderr.trim().split('\n').pop()).toBe(`memrec-bench: loadDelimited: column "item_id" (item) must be in the header of ${file}, got ["uid", "iid", "ts"]`);
    expect(res.stderr).not.toMatch(/tf-backend-wasm|\n\s+at /);
    expect(existsSync(join(dir, 'run', 'results.json'))).toBe(false);
  });
});
