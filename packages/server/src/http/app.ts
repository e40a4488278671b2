import { timingSafeEqual } from 'node:crypto';
import Ajv from 'ajv';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Engine } from '../engine';
import { Ingestor } from '../ingest';
import type { EventLog } from '../log/types';
import { SessionRecommender } from '../session';
import { errorHandler } from './errors';
import { routes, type Loaded } from './routes';
import { openApiDocument } from './openapi';

/** The model the app serves: the trainer, the log feedback goes to (null on a read replica) and the log's end offset. */
export interface Serving {
  engine: Engine;
  log: EventLog | null;
  logEnd: () => number;
}

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** What to serve, or a function giving it (null while the server still recovers: 503s). */
  serving: Serving | (() => Serving | null);
  /** Every route but health needs `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Largest request body in bytes (default 16 MiB); larger is a 413. */
  bodyLimit?: number;
  /** Longest wait of `minOffset` in ms (default 5,000); then 503. */
  readWaitMs?: number;
  /** Fastify's logger (default off). */
  logger?: boolean;
  version?: string;
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The Fastify app: health, feedback, recommend, session recommend, stats, Prometheus metrics
 * and the OpenAPI document. Bodies are validated with the route schemas without type
 * coercion; query strings and path parameters are coerced (`?n=5`).
 *
 * @example
 * ```ts
 * const app = buildApp({ serving: { engine: svc.engine, log: svc.log, logEnd: () => svc.log.end }, apiKey: 'secret-key' });
 * await app.listen({ port: 8080 });
 * ```
 */
export function buildApp(options: AppOptions): FastifyInstance {
  if (typeof options.apiKey !== 'string' || options.apiKey.length < 8) throw new Error(`buildApp: options.apiKey must be a string of at least 8 characters, got ${typeof options.apiKey === 'string' ? `${options.apiKey.length} characters` : typeof options.apiKey}`);
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 16 << 20, return503OnClosing: true });
  const bodyAjv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false });
  const otherAjv = new Ajv({ coerceTypes: true, useDefaults: true, removeAdditional: false, allErrors: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : otherAjv).compile(schema));
  app.setErrorHandler(errorHandler);
  app.addHook('onRequest', async (request, reply) => {
    if ((request.routeOptions.config as { public?: boolean } | undefined)?.public) return;
    const header = request.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null;
    if (!m || !sameKey(m[1], options.apiKey)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ statusCode: 401, error: 'Unauthorized', message: `${request.method} ${request.routeOptions.url ?? request.url}: the Authorization header must be "Bearer <API key>", got ${header === undefined ? 'nothing' : m ? 'a wrong key' : 'another scheme'}` });
    }
  });
  const serving = options.serving;
  let loaded: Loaded | null = null;
  const current = (): Loaded | null => {
    if (loaded) return loaded;
    const s = typeof serving === 'function' ? serving() : serving;
    if (!s) return null;
    loaded = { ...s, ingest: s.log ? new Ingestor(s.log, s.engine) : null, sessions: new SessionRecommender(s.engine) };
    return loaded;
  };
  const ctx = { current, readWaitMs: options.readWaitMs ?? 5000 };
  app.addHook('preValidation', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === '/openapi.json' || url?.startsWith('/v1/health/') || current()) return;
    await reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: `${request.method} ${url}: the model must be loaded, got a server still recovering (checkpoint and log replay)` });
  });
  const table = routes(ctx);
  const doc = openApiDocument(table, options.version ?? '0.1.0');
  for (const r of table) {
    const handler = r.url === '/openapi.json' ? async () => doc : r.handler;
    app.route({ method: r.method, url: r.url, schema: r.schema, config: { public: r.public ?? false }, handler });
  }
  return app;
}
