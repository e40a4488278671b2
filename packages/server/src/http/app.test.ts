import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { FastifyInstance } from 'fastify';
import { initBackend } from '@memrec/core';
import { fnv1a32 } from '@memrec/core/internal';
import { openService, type Service } from '../service';
import { buildApp } from './app';

const KEY = 'test-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };
let dir: string;
let svc: Service;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
  dir = mkdtempSync(join(tmpdir(), 'memrec-app-'));
  svc = await openService({
    dataDir: dir,
    first: { train: { source: 'synthetic', numUsers: 30, numItems: 40, numEvents: 600, seed: 3 }, modelOptions: { dim: 4, slots: 2, epochs: 1, batchSize: 64 } },
    checkpointEvery: 1000,
    prequentialEvery: 1,
    info: () => undefined,
  });
  app = buildApp({ serving: { engine: svc.engine, log: svc.log, logEnd: () => svc.log.end }, apiKey: KEY, bodyLimit: 2 << 20, readWaitMs: 300 });
  // a real socket throughout (fastify's inject needs an ESM-only dependency that jest's CJS mode cannot load)
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(0);
});

interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, string>;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}
async function call(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const r = await fetch(`${base}${url}`, { method, headers, body });
  const text = await r.text();
  return { statusCode: r.status, body: text, headers: Object.fromEntries(r.headers), json: () => JSON.parse(text) };
}
const post = (url: string, payload: unknown, headers: Record<string, string> = auth) =>
  call('POST', url, { 'content-type': 'application/json', ...headers }, typeof payload === 'string' ? payload : JSON.stringify(payload));
const get = (url: string, headers: Record<string, string> = auth) => call('GET', url, headers);
const ev = (k: number, user = `u${k % 5}`) => ({ eventId: `e${k}`, user, item: `i${k % 9}`, timestamp: 2e9 + k });

describe('the HTTP API', () => {
  it('answers health without a key and every other route only with the right key', async () => {
    expect((await get('/v1/health/live', {})).json()).toEqual({ status: 'live' });
    expect((await get('/v1/health/ready', {})).statusCode).toBe(200);
    for (const url of ['/v1/stats', '/metrics', '/openapi.json', '/v1/recommend/u1']) {
      const none = await get(url, {});
      expect(none.statusCode).toBe(401);
      expect(none.json().message).toMatch(/the Authorization header must be "Bearer <API key>", got nothing$/);
      expect((await get(url, { authorization: 'Bearer wrong-key-123' })).json().message).toMatch(/got a wrong key$/);
    }
    expect((await post('/v1/feedback', { events: [ev(1)] }, { authorization: 'Basic abc' })).statusCode).toBe(401);
    expect((await post('/v1/feedback', { events: [ev(1)] }, {})).statusCode).toBe(401);
    expect((await post('/v1/session/recommend', { events: [{ item: 'i1' }] }, {})).statusCode).toBe(401);
    expect(svc.log.end).toBe(0);
  });

  it('logs feedback, counts a repeated eventId as a duplicate and never applies it twice, and reads its own writes', async () => {
    const r1 = await post('/v1/feedback', { events: [ev(1), ev(2), ev(1)] });
    expect(r1.statusCode).toBe(202);
    expect(r1.json()).toEqual({ accepted: 2, duplicates: 1, offset: 2 });
    const r2 = await post('/v1/feedback', { events: [ev(2), ev(3, 'brand-new-user')] });
    expect(r2.json()).toEqual({ accepted: 1, duplicates: 1, offset: 3 });
    const rec = await get('/v1/recommend/brand-new-user?n=3&minOffset=3');
    expect(rec.statusCode).toBe(200);
    expect(rec.json()).toMatchObject({ user: 'brand-new-user', coldStart: false, offset: 3 });
    expect(svc.engine.rec.eventsIngested).toBe(3);
    const stats = (await get('/v1/stats')).json();
    expect(stats).toEqual({ eventsLogged: 3, eventsApplied: 3, offset: 3, users: svc.engine.rec.numUsers, items: svc.engine.rec.numItems, lastCheckpointOffset: 0 });
    const late = await get('/v1/recommend/u1?minOffset=99');
    expect(late.statusCode).toBe(503);
    expect(late.json().message).toBe('GET /v1/recommend/:user: minOffset 99 must be applied within 300 ms, got 3 applied');
  });

  it('never recommends an item the user interacted with unless excludeSeen=false; an unknown user gets the cold-start list', async () => {
    const seen = Array.from({ length: 9 }, (_, k) => ev(100 + k, 'heavy'));
    await post('/v1/feedback', { events: seen.slice(0, 6) });
    const r = await get(`/v1/recommend/heavy?n=20&minOffset=${svc.log.end}`);
    const items = (r.json().items as { item: string }[]).map((x) => x.item);
    expect(items).toHaveLength(20);
    for (const e of seen.slice(0, 6)) expect(items).not.toContain(e.item);
    const all = (await get('/v1/recommend/heavy?n=1000&excludeSeen=false')).json().items as { item: string }[];
    for (const e of seen.slice(0, 6)) expect(all.map((x) => x.item)).toContain(e.item);
    const cold = (await get('/v1/recommend/nobody?n=4')).json();
    expect(cold.coldStart).toBe(true);
    expect(cold.items).toEqual(svc.engine.rec.coldStart(4).map((s) => ({ item: String(s.item), score: s.score })));
  });

  it.each([
    ['malformed JSON', '{"events": [', 400, /^POST \/v1\/feedback: body must be valid JSON, got invalid JSON/],
    ['NaN timestamp (not JSON)', '{"events":[{"eventId":"a","user":"u","item":"i","timestamp":NaN}]}', 400, /body must be valid JSON/],
    ['a NaN timestamp as a string', { events: [{ eventId: 'a', user: 'u', item: 'i', timestamp: 'NaN' }] }, 400, 'POST /v1/feedback: body.events[0].timestamp must be a number, got "NaN"'],
    ['an infinite timestamp', '{"events":[{"eventId":"a","user":"u","item":"i","timestamp":1e999}]}', 400, 'POST /v1/feedback: body.events[0].timestamp must be a number, got Infinity'],
    ['a number user', { events: [{ eventId: 'a', user: 7, item: 'i' }] }, 400, 'POST /v1/feedback: body.events[0].user must be a string, got 7'],
    ['an empty item', { events: [{ eventId: 'a', user: 'u', item: '' }] }, 400, 'POST /v1/feedback: body.events[0].item must be a non-empty string, got ""'],
    ['a missing eventId', { events: [{ user: 'u', item: 'i' }] }, 400, 'POST /v1/feedback: body.events[0].eventId is required, got nothing'],
    ['an unknown field', { events: [{ eventId: 'a', user: 'u', item: 'i', extra: 1 }] }, 400, 'POST /v1/feedback: body.events[0] must not have the field "extra", got one'],
    ['no events', { events: [] }, 400, 'POST /v1/feedback: body.events must hold at least 1 item(s), got an array of 0'],
    ['events not an array', { events: 'x' }, 400, 'POST /v1/feedback: body.events must be a array, got "x"'],
    ['a user id over 256 bytes (multi-byte characters)', { events: [{ eventId: 'a', user: 'é'.repeat(129), item: 'i' }] }, 400, /^POST \/v1\/feedback: body\.events\[0\]\.user must be a non-empty string of at most 256 UTF-8 bytes, got a string of 258 bytes/],
    ['a user id over 256 characters', { events: [{ eventId: 'a', user: 'x'.repeat(257), item: 'i' }] }, 400, /^POST \/v1\/feedback: body\.events\[0\]\.user must be at most 256 UTF-8 bytes, got a string of 257 bytes/],
    ['10,001 events', { events: Array.from({ length: 10001 }, (_, k) => ({ eventId: `b${k}`, user: 'u', item: 'i' })) }, 413, 'POST /v1/feedback: body.events must hold at most 10000 items, got an array of 10001'],
    ['a body over the byte limit', { events: [{ eventId: 'a', user: 'u', item: 'i', pad: 'x'.repeat(3 << 20) }] }, 413, `POST /v1/feedback: body must be at most ${2 << 20} bytes, got more`],
  ])('refuses %s with a clear message and logs nothing', async (_what, payload, status, message) => {
    const before = svc.log.end;
    const r = await post('/v1/feedback', payload);
    expect(r.statusCode).toBe(status);
    if (typeof message === 'string') expect(r.json().message).toBe(message);
    else expect(r.json().message).toMatch(message);
    expect(svc.log.end).toBe(before);
  });

  it('is ready only when every logged event is applied (or all but maxLag)', async () => {
    await svc.engine.drain();
    const rec = svc.engine.rec;
    const ingest = rec.ingest.bind(rec);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    rec.ingest = async (events) => {
      await gate; // the trainer is busy with this record
      return ingest(events);
    };
    try {
      const sent = await post('/v1/feedback', { events: [ev(500), ev(501)] });
      expect(sent.statusCode).toBe(202);
      const end = svc.log.end;
      const busy = await get('/v1/health/ready', {});
      expect(busy.statusCode).toBe(503);
      expect(busy.json().message).toBe(`GET /v1/health/ready: the model must have applied every logged event (lag <= 0), got ${end - 2} of ${end} applied`);
      expect((await get('/v1/health/ready?maxLag=2', {})).statusCode).toBe(200);
    } finally {
      release();
      rec.ingest = ingest;
    }
    await svc.engine.drain();
    expect((await get('/v1/health/ready', {})).json()).toEqual({ status: 'ready', offset: svc.log.end, applied: svc.log.end });
  });

  it('refuses bad query values with the field and value', async () => {
    expect((await get('/v1/recommend/u1?n=0')).json().message).toBe('GET /v1/recommend/:user: query.n must be >= 1, got 0');
    expect((await get('/v1/recommend/u1?n=abc')).json().message).toBe('GET /v1/recommend/:user: query.n must be an integer, got "abc"');
    expect((await get('/v1/recommend/u1?bogus=1')).json().message).toBe('GET /v1/recommend/:user: query must not have the field "bogus", got one');
  });

  it('recommends for an anonymous session from the served model without copying or changing it, storing nothing', async () => {
    await svc.engine.drain();
    const rec = svc.engine.rec;
    const before = { bytes: fnv1a32(rec.toBytes()), end: svc.log.end, users: rec.numUsers, items: rec.numItems };
    const session = [{ item: 'i1' }, { item: 'i2' }, { item: 'never-seen-item' }];
    const r = await post('/v1/session/recommend', { events: session, n: 5 });
    expect(r.statusCode).toBe(200);
    const items = (r.json().items as { item: string }[]).map((x) => x.item);
    expect(items).toHaveLength(5);
    expect(items).not.toContain('i1');
    expect(items).not.toContain('i2');
    // the served model's own read-only session scoring, not a copy of it
    expect(r.json()).toEqual({ items: rec.recommendSession(['i1', 'i2', 'never-seen-item'], 5).map((s) => ({ item: String(s.item), score: s.score })), offset: svc.engine.applied });
    expect(svc.engine.rec).toBe(rec);
    expect(fnv1a32(rec.toBytes())).toBe(before.bytes);
    expect({ end: svc.log.end, users: rec.numUsers, items: rec.numItems }).toEqual({ end: before.end, users: before.users, items: before.items });
  });

  it.each([
    ['no events', { events: [] }, 400, 'POST /v1/session/recommend: body.events must hold at least 1 item(s), got an array of 0'],
    ['an empty item', { events: [{ item: '' }] }, 400, 'POST /v1/session/recommend: body.events[0].item must be a non-empty string, got ""'],
    ['an item over 256 bytes', { events: [{ item: 'é'.repeat(129) }] }, 400, /^POST \/v1\/session\/recommend: body\.events\[0\]\.item must be a non-empty string of at most 256 UTF-8 bytes, got a string of 258 bytes/],
    ['n = 0', { events: [{ item: 'i1' }], n: 0 }, 400, 'POST /v1/session/recommend: body.n must be >= 1, got 0'],
    ['1,001 events', { events: Array.from({ length: 1001 }, () => ({ item: 'i1' })) }, 413, 'POST /v1/session/recommend: body.events must hold at most 1000 items, got an array of 1001'],
  ])('refuses a session with %s with a clear message', async (_what, payload, status, message) => {
    const r = await post('/v1/session/recommend', payload);
    expect(r.statusCode).toBe(status);
    if (typeof message === 'string') expect(r.json().message).toBe(message);
    else expect(r.json().message).toMatch(message);
  });

  it('serves Prometheus metrics and an OpenAPI document made from the route schemas', async () => {
    expect(svc.engine.rec.knowsUser('1')).toBe(true); // a user of the training data: prequential HR@10 can try it
    await post('/v1/feedback', { events: [{ eventId: 'known-1', user: '1', item: '2' }] });
    const m = await get('/metrics');
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toContain(`memrec_events_logged_total ${svc.log.end}\n`);
    expect(m.body).toMatch(/memrec_recommend_latency_seconds_count [1-9]\d*\n/);
    expect(m.body).toMatch(/memrec_prequential_hit_rate_at_10 (0|1|0\.\d+)\n/);
    const doc = (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths).sort()).toEqual(['/metrics', '/openapi.json', '/v1/feedback', '/v1/health/live', '/v1/health/ready', '/v1/recommend/{user}', '/v1/session/recommend', '/v1/stats']);
    expect(doc.paths['/v1/feedback'].post.requestBody.content['application/json'].schema.properties.events.maxItems).toBe(10000);
    expect(doc.paths['/v1/health/live'].get.security).toEqual([]);
  });


  it('while the model is still loading: live 200, ready 503, and every keyed route 503', async () => {
    const loading = buildApp({ serving: () => null, apiKey: KEY });
    const address = await loading.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect((await fetch(`${address}/v1/health/live`)).status).toBe(200);
      const ready = await fetch(`${address}/v1/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { message: string }).message).toBe('GET /v1/health/ready: the model must be loaded, got a server still recovering (checkpoint and log replay)');
      const fb = await fetch(`${address}/v1/feedback`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ events: [ev(1)] }) });
      expect(fb.status).toBe(503);
      expect(((await fb.json()) as { message: string }).message).toBe('POST /v1/feedback: the model must be loaded, got a server still recovering (checkpoint and log replay)');
      expect((await fetch(`${address}/v1/stats`, { headers: auth })).status).toBe(503);
      expect((await fetch(`${address}/v1/stats`)).status).toBe(401);
    } finally {
      await loading.close();
    }
  });
});
