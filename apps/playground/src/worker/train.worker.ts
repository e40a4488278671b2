/**
 * The training worker: picks the TensorFlow.js backend, builds the stream, trains the models
 * and plays the stream at the requested speed, reporting its state to the page after each
 * slice of events. Everything heavy runs here, so the page stays responsive.
 */
import { IdMap, initBackend } from '@memrec/core';
import { syntheticStream, type LoadedDataset } from '@memrec/data';
import type { FromTrainer, ToTrainer, TrainerState } from '../protocol';
import { Session, type ModelName } from '../session';
import { WASM_PATHS } from './wasm-paths';

const port = self as unknown as { postMessage(m: FromTrainer, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToTrainer>) => void) | null };
const post = (m: FromTrainer, transfer?: Transferable[]) => port.postMessage(m, transfer);

let session: Session | null = null;
let playing = false;
let speed = Infinity;
let user = -1;
let model: ModelName = 'NMRN';
let timer: ReturnType<typeof setTimeout> | null = null;
let credit = 0;
let lastTick = 0;
let busy = false;
const queue: ToTrainer[] = [];
let rate = { t: 0, n: 0, value: 0 };
let importedName: string | null = null;

function fail(e: unknown): void {
  post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}

async function datasetOf(msg: Extract<ToTrainer, { type: 'init' }>): Promise<LoadedDataset> {
  const s = msg.source;
  if (s.kind === 'synthetic') return syntheticStream({ seed: msg.seed, numUsers: s.users, numItems: s.items, numEvents: s.events });
  const d = s.data;
  const interactions = { users: d.users, items: d.items, numUsers: d.numUsers, numItems: d.numItems, ...(d.timestamps ? { timestamps: d.timestamps } : {}) };
  const users = IdMap.fromJSON(d.rawUsers);
  const items = IdMap.fromJSON(d.rawItems);
  return { interactions, users, items, stats: { numUsers: d.numUsers, numItems: d.numItems, numInteractions: d.users.length, density: 0, numPairs: 0, skippedLines: 0, skippedExamples: [] } };
}

function state(): TrainerState | null {
  if (!session) return null;
  const s = session;
  const k = s.trainSize + s.processed - 1;
  const lastEvent = s.processed > 0 ? { user: s.users.toRaw(s.data.users[k]), item: s.items.toRaw(s.data.items[k]) } : null;
  const rawUser = s.users.toRaw(user);
  return {
    type: 'state',
    processed: s.processed,
    total: s.processed + s.remaining,
    playing,
    metrics: s.metrics(),
    user,
    rawUser,
    model,
    top: s.recommend(model, user, 10),
    imported: s.importedRecommend(rawUser, 10),
    importedName: s.importedRecommend(rawUser, 1) ? importedName : null,
    attention: Array.from(s.attention(user)),
    userEvents: (s.models.get('NMRN') as { seenItems(u: number): Int32Array }).seenItems(user).length,
    lastEvent,
    eventsPerSecond: rate.value,
  };
}
function report(): void {
  const st = state();
  if (st) post(st);
}

async function tick(): Promise<void> {
  timer = null;
  if (!session || !playing) return;
  const now = performance.now();
  const sliceEnd = now + 40;
  if (Number.isFinite(speed)) {
    credit = Math.min(credit + ((now - lastTick) / 1000) * speed, Math.max(1, speed / 5));
  }
  lastTick = now;
  let n = 0;
  while (session.remaining > 0 && performance.now() < sliceEnd && (!Number.isFinite(speed) || credit >= 1)) {
    await session.step(1);
    n++;
    if (Number.isFinite(speed)) credit -= 1;
  }
  rate.n += n;
  if (now - rate.t > 1000) {
    rate = { t: now, n: 0, value: Math.round((rate.n * 1000) / Math.max(1, now - rate.t)) };
  }
  if (session.remaining === 0) playing = false;
  report();
  if (playing) timer = setTimeout(() => void run(tick), Number.isFinite(speed) ? 16 : 0);
}

async function handle(msg: ToTrainer): Promise<void> {
  switch (msg.type) {
    case 'init': {
      // webgl and webgpu are offered, not bundled into the worker: a package loads only when asked
      // for (initBackend then says in its line whether the browser has it)
      if (msg.backend === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
      if (msg.backend === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
      const choice = await initBackend({ backend: msg.backend, wasmPaths: WASM_PATHS, log: false });
      post({ type: 'backend', backend: choice.backend, line: choice.line });
      const dataset = await datasetOf(msg);
      session = await Session.create(dataset, {
        trainRatio: msg.trainRatio,
        seed: msg.seed,
        bprEpochs: msg.bprEpochs,
        onProgress: (m, phase, done, total) => post({ type: 'progress', model: m, phase, done, total }),
      });
      const users = session.activeUsers(20).map((id) => ({ id, raw: session!.users.toRaw(id), events: 0 }));
      user = users[0]?.id ?? 0;
      post({ type: 'ready', users, total: session.remaining, trainSize: session.trainSize, numItems: dataset.interactions.numItems, numUsers: dataset.interactions.numUsers });
      speed = msg.speed > 0 ? msg.speed : Infinity;
      playing = msg.playing;
      lastTick = performance.now();
      rate = { t: lastTick, n: 0, value: 0 };
      report();
      if (playing) timer = setTimeout(() => void run(tick), 0);
      return;
    }
    case 'play':
      if (!session || playing || session.remaining === 0) return;
      playing = true;
      lastTick = performance.now();
      credit = 0;
      timer = setTimeout(() => void run(tick), 0);
      return;
    case 'pause':
      playing = false;
      if (timer) clearTimeout(timer);
      timer = null;
      report();
      return;
    case 'step':
      if (!session) return;
      await session.step(msg.n);
      report();
      return;
    case 'speed':
      speed = msg.eventsPerSecond > 0 ? msg.eventsPerSecond : Infinity;
      credit = 0;
      return;
    case 'watch':
      user = msg.user;
      model = msg.model;
      report();
      return;
    case 'export': {
      if (!session) return;
      const bytes = session.exportModel(msg.model);
      post({ type: 'exported', model: msg.model, bytes }, [bytes.buffer]);
      return;
    }
    case 'import': {
      if (!session) return;
      importedName = await session.importModel(msg.bytes);
      post({ type: 'imported', name: importedName });
      report();
      return;
    }
  }
}

/** Runs one job at a time (messages and slices of events never interleave). */
async function run(job: () => Promise<void>): Promise<void> {
  if (busy) {
    await new Promise((r) => setTimeout(r, 0));
    return run(job);
  }
  busy = true;
  try {
    await job();
  } catch (e) {
    fail(e);
  } finally {
    busy = false;
  }
}

port.onmessage = (e) => {
  queue.push(e.data);
  void run(async () => {
    const msg = queue.shift();
    if (msg) await handle(msg);
  });
};
