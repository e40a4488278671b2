import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../engine';
import { idProblem, type LoggedEvent } from '../events';
import type { Ingestor } from '../ingest';
import type { EventLog } from '../log/types';
import type { SessionRecommender } from '../session';
import type { RouteDoc } from './openapi';
import { feedbackBody, readyQuery, recommendParams, recommendQuery, responses, sessionBody } from './schemas';

/** The loaded model and its log, as the handlers use them. */
export interface Loaded {
  engine: Engine;
  log: EventLog | null;
  logEnd: () => number;
  ingest: Ingestor | null;
  sessions: SessionRecommender;
}

/** What the handlers use: the loaded model (null while the server still recovers). */
export interface RouteContext {
  current(): Loaded | null;
  readWaitMs: number;
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
export type Route = RouteDoc & { handler: Handler };

const fail = (reply: FastifyReply, request: FastifyRequest, statusCode: number, error: string, message: string) =>
  reply.code(statusCode).send({ statusCode, error, message: `${request.method} ${request.routeOptions.url}: ${message}` });

/** Checks what the schema cannot: ids up to 256 UTF-8 bytes, finite numbers. */
function eventProblem(events: Partial<LoggedEvent>[], ids: ('eventId' | 'user' | 'item')[]): string | null {
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
    for (const f of ids) {
      const p = idProblem(`body.events[${k}].${f}`, e[f]);
      if (p) return p;
    }
    for (const f of ['timestamp', 'rating'] as const) {
      const v = e[f];
      if (v !== undefined && !Number.isFinite(v)) return `body.events[${k}].${f} must be a finite number, got ${String(v)}`;
    }
  }
  return null;
}

/** The route table: handlers and the schemas that validate them and make the OpenAPI document. */
export function routes(ctx: RouteContext): Route[] {
  // every route but health and the document is refused (503) by the app while nothing is loaded
  const now = () => ctx.current() as Loaded;
  return [
    {
      method: 'GET', url: '/v1/health/live', summary: 'Liveness: 200 once the server listens.', public: true,
      schema: { response: { 200: responses.health[200] } },
      handler: async () => ({ status: 'live' }),
    },
    {
      method: 'GET', url: '/v1/health/ready', summary: 'Readiness: 200 only when the model has applied every logged event (or all but maxLag), else 503.', public: true,
      schema: { querystring: readyQuery, response: responses.health },
      handler: async (request, reply) => {
        const { maxLag } = request.query as { maxLag: number };
        const c = ctx.current();
        if (!c) return fail(reply, request, 503, 'Service Unavailable', 'the model must be loaded, got a server still recovering (checkpoint and log replay)');
        const { engine } = c;
        const end = c.logEnd();
        if (engine.error) return fail(reply, request, 503, 'Service Unavailable', `the trainer must be running, got an error: ${engine.error.message}`);
        if (end - engine.applied > maxLag) return fail(reply, request, 503, 'Service Unavailable', `the model must have applied every logged event (lag <= ${maxLag}), got ${engine.applied} of ${end} applied`);
        return { status: 'ready', offset: end, applied: engine.applied };
      },
    },
    {
      method: 'POST', url: '/v1/feedback', summary: 'Logs feedback events durably (fsync) before answering 202; the trainer applies them in log order.',
      schema: { body: feedbackBody, response: responses.feedback },
      handler: async (request, reply) => {
        const c = now();
        if (!c.ingest) return fail(reply, request, 403, 'Forbidden', 'this server must be the primary to take feedback, got a read replica (send feedback to the primary)');
        const { events } = request.body as { events: LoggedEvent[] };
        const problem = eventProblem(events, ['eventId', 'user', 'item']);
        if (problem) return fail(reply, request, 400, 'Bad Request', problem);
        return reply.code(202).send(await c.ingest.accept(events));
      },
    },
    {
      method: 'GET', url: '/v1/recommend/:user', summary: 'Top-n items for a user (never one the user interacted with unless excludeSeen=false); an unknown user gets the cold-start list.',
      schema: { params: recommendParams, querystring: recommendQuery, response: responses.recommend },
      handler: async (request, reply) => {
        const t0 = performance.now();
        const { engine } = now();
        const { user } = request.params as { user: string };
        const { n, excludeSeen, minOffset } = request.query as { n: number; excludeSeen: boolean; minOffset?: number };
        const p = idProblem('params.user', user);
        if (p) return fail(reply, request, 400, 'Bad Request', p);
        if (minOffset !== undefined && engine.applied < minOffset && !(await engine.waitFor(minOffset, ctx.readWaitMs))) {
          return fail(reply, request, 503, 'Service Unavailable', `minOffset ${minOffset} must be applied within ${ctx.readWaitMs} ms, got ${engine.applied} applied`);
        }
        const r = await engine.recommend(user, n, excludeSeen);
        const items = r.items.map((s) => ({ item: String(s.item), score: s.score }));
        engine.metrics.observeLatency((performance.now() - t0) / 1000);
        return { user, items, coldStart: r.coldStart, offset: r.offset };
      },
    },
    {
      method: 'POST', url: '/v1/session/recommend', summary: 'Recommendations for an anonymous session from its recent events; nothing is stored.',
      schema: { body: sessionBody, response: responses.session },
      handler: async (request, reply) => {
        const { events, n, excludeSeen } = request.body as { events: { item: string; timestamp?: number }[]; n: number; excludeSeen: boolean };
        const problem = eventProblem(events, ['item']);
        if (problem) return fail(reply, request, 400, 'Bad Request', problem);
        const r = await now().sessions.recommend(events, n, excludeSeen);
        return { items: r.items.map((s) => ({ item: String(s.item), score: s.score })), offset: r.offset };
      },
    },
    {
      method: 'GET', url: '/v1/stats', summary: 'Counters: feedback events logged and applied since the data folder was created, users, items, last checkpoint offset.',
      schema: { response: responses.stats },
      handler: async () => {
        const { engine, logEnd } = now();
        const end = logEnd();
        return { eventsLogged: end, eventsApplied: engine.applied, offset: end, users: engine.rec.numUsers, items: engine.rec.numItems, lastCheckpointOffset: engine.lastCheckpointOffset };
      },
    },
    {
      method: 'GET', url: '/metrics', summary: 'Prometheus text: events logged/applied, apply lag, recommend latency histogram, prequential HR@10.',
      schema: { response: responses.text },
      handler: async (_request, reply) => {
        void reply.type('text/plain; version=0.0.4');
        const { engine, logEnd } = now();
        return engine.metrics.render({ eventsLogged: logEnd(), eventsApplied: engine.applied, lastCheckpointOffset: engine.lastCheckpointOffset });
      },
    },
    {
      method: 'GET', url: '/openapi.json', summary: 'This document.',
      schema: {},
      handler: async () => ({}),
    },
  ];
}
