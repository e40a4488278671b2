#!/usr/bin/env node
/**
 * Serves the built playground (apps/playground/dist) on 127.0.0.1 and prints its URL.
 * No dependencies: node:http with the right content types (`.wasm` as application/wasm, so
 * the browser compiles it while it downloads).
 *
 *   node apps/playground/serve.mjs [--port N] [--dir DIR]   (port 0, the default, picks a free one)
 *
 * @example
 * ```sh
 * pnpm playground   # builds, then: playground: http://127.0.0.1:41235/
 * ```
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Starts a static server for `dir` on 127.0.0.1:`port` (0: a free port) and resolves to its
 * URL and a `close` function.
 */
export function serveStatic(dir, port = 0) {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) {
    return Promise.reject(new Error(`serveStatic: dir must hold a built site (index.html), got ${JSON.stringify(root)}; run pnpm playground:build first`));
  }
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      ok({ url: `http://127.0.0.1:${p}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const k = args.indexOf(name);
    return k >= 0 ? args[k + 1] : dflt;
  };
  const port = Number(opt('--port', process.env.PORT ?? '0'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`playground: --port must be an integer in [0, 65535], got ${JSON.stringify(opt('--port'))}`);
    process.exit(2);
  }
  const dir = opt('--dir', join(fileURLToPath(new URL('.', import.meta.url)), 'dist'));
  serveStatic(dir, port).then(
    ({ url }) => console.log(`playground: ${url}`),
    (e) => {
      console.error(`playground: ${e.message}`);
      process.exit(1);
    },
  );
}
