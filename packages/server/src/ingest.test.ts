import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@memrec/core';
import type { LoggedEvent } from './events';
import { Ingestor } from './ingest';
import { openService, type ServiceOptions } from './service';

const quiet = { info: () => undefined, warn: () => undefined };
const first: ServiceOptions['first'] = { train: { source: 'synthetic', numUsers: 30, numItems: 40, numEvents: 300, seed: 3 }, model: 'itempop' };
const ev = (k: number): LoggedEvent => ({ eventId: `lag-${k}`, user: `u${k % 13}`, item: `i${k % 17}` });

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: false });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'memrec-ingest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Ingestor', () => {
  it('makes feedback wait while the trainer is more than maxLag events behind the log, then logs it; every event is applied once, in log order', async () => {
    const svc = await openService({ dataDir: dir, first, maxBatch: 10, ...quiet });
    const rec = svc.engine.rec;
    const ingest = rec.ingest.bind(rec);
    const slices: string[] = [];
    rec.ingest = async (events) => {
      slices.push(String(events[0].user));
      await new Promise((resolve) => setTimeout(resolve, 5)); // a slow trainer: 5 ms a slice of 10
      return ingest(events);
    };
    await svc.log.append(Array.from({ length: 100 }, (_, k) => ev(k)));
    const ingestor = new Ingestor(svc.log, svc.engine, { maxLag: 30, lagWaitMs: 10000 });
    const lagBefore = svc.engine.received - svc.engine.applied;
    const r = await ingestor.accept([ev(100), ev(101)]);
    // it was logged only once the trainer had applied all but 30 of the events before it
    expect(lagBefore).toBeGreaterThan(30);
    expect(r).toEqual({ accepted: 2, duplicates: 0, offset: 102 });
    expect(svc.engine.applied).toBeGreaterThanOrEqual(70);
    // with room (lag <= maxLag) there is no wait: logged while the trainer still has 30 to go
    await svc.engine.waitFor(102 - 30, 10000);
    expect(await ingestor.accept([ev(102)])).toEqual({ accepted: 1, duplicates: 0, offset: 103 });
    expect(await ingestor.accept([ev(5)])).toEqual({ accepted: 0, duplicates: 1, offset: 103 });
    await svc.engine.drain();
    expect(svc.engine.applied).toBe(103);
    expect(svc.engine.rec.eventsIngested).toBe(103);
    expect(slices.length).toBe(12); // ten slices of the first record, then the two requests
    await svc.close();
  });

  it('logs anyway after lagWaitMs, and checks its options', async () => {
    const svc = await openService({ dataDir: dir, first, ...quiet });
    const rec = svc.engine.rec;
    const ingest = rec.ingest.bind(rec);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    rec.ingest = async (events) => {
      await gate; // the trainer is stuck until released
      return ingest(events);
    };
    await svc.log.append(Array.from({ length: 50 }, (_, k) => ev(k)));
    const t0 = performance.now();
    const r = await new Ingestor(svc.log, svc.engine, { maxLag: 10, lagWaitMs: 50 }).accept([ev(50)]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(r).toEqual({ accepted: 1, duplicates: 0, offset: 51 });
    release();
    await svc.engine.drain();
    expect(svc.engine.applied).toBe(51);
    expect(() => new Ingestor(svc.log, svc.engine, { maxLag: -1 })).toThrow('Ingestor: options.maxLag must be an integer >= 0, got -1');
    expect(() => new Ingestor(svc.log, svc.engine, { maxLag: 1.5 })).toThrow('Ingestor: options.maxLag must be an integer >= 0, got 1.5');
    expect(() => new Ingestor(svc.log, svc.engine, { lagWaitMs: Number.NaN })).toThrow('Ingestor: options.lagWaitMs must be a finite number >= 0, got NaN');
    await svc.close();
  });
});
