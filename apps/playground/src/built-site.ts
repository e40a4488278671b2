import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The playground's folder and its build output. */
export const PLAYGROUND = path.join(__dirname, '..');
export const DIST = path.join(PLAYGROUND, 'dist');

/**
 * Builds the site with Vite when `dist/index.html` is missing (a lone `jest` run; `pnpm test`
 * builds it through turbo first).
 *
 * @example
 * ```ts
 * beforeAll(ensureBuilt);
 * ```
 */
export function ensureBuilt(): void {
  if (fs.existsSync(path.join(DIST, 'index.html'))) return;
  const vite = require.resolve('vite/bin/vite.js', { paths: [PLAYGROUND] });
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: PLAYGROUND, stdio: 'inherit' });
}
