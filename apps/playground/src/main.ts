/**
 * The playground page: wires the controls to the training worker (models, stream, backend)
 * and the parsing worker (picked files), and draws what the training worker reports: the
 * followed user's top 10, NMRN's memory attention, and the prequential curves. Exposes its
 * state on `window.__memrec` for tests.
 */
import type { RawId } from '@memrec/core';
import type { DatasetMessage, FromParser, FromTrainer, ItemInfo, ToParser, ToTrainer, TrainerState } from './protocol';
import { MODEL_NAMES, type ModelName } from './names';
import type { ModelMetrics, ShownItem } from './session';
import { MetricChart } from './ui/chart';
import { HeatMap } from './ui/heatmap';
import './style.css';

/** What the page exposes for tests and the console (`window.__memrec`). */
export interface PageState {
  backend: string;
  backendLine: string;
  ready: boolean;
  eventsProcessed: number;
  models: Record<string, { 'hr@10': number; 'ndcg@10': number }>;
  imported: string | null;
  errors: string[];
}

declare global {
  interface Window {
    __memrec: PageState;
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground: element #${id} must exist in index.html, got none`);
  return el as T;
};
const params = new URLSearchParams(location.search);
const SPEEDS = [1, 5, 20, 100, 500, 2000, 0]; // events per second; 0 = as fast as possible

const page: PageState = { backend: '', backendLine: '', ready: false, eventsProcessed: 0, models: {}, imported: null, errors: [] };
window.__memrec = page;

let trainer: Worker | null = null;
let dataset: { data: DatasetMessage; info: ItemInfo | null } | null = null;
let info: ItemInfo | null = null;
let playing = true;
let lastUser: number | null = null;
const heat = new HeatMap($<HTMLCanvasElement>('heat'), 40);
const hr = new MetricChart($('chart-hr'), 'HR@10', MODEL_NAMES);
const nd = new MetricChart($('chart-ndcg'), 'NDCG@10', MODEL_NAMES);

// URL parameters preset the controls (tests and shared links): users, items, events, train, seed, speed, backend
for (const [key, id] of [['users', 'users'], ['items', 'items'], ['events', 'events'], ['train', 'train'], ['seed', 'seed']] as const) {
  const v = params.get(key);
  if (v !== null) $<HTMLInputElement>(id).value = v;
}
if (params.get('speed') === 'max') $<HTMLInputElement>('speed').value = '6';
else if (params.get('speed') !== null) $<HTMLInputElement>('speed').value = String(Math.max(0, SPEEDS.indexOf(Number(params.get('speed')))));
if (params.get('backend')) $<HTMLSelectElement>('backend-choice').value = params.get('backend') as string;
if (params.get('source') === 'file') {
  $<HTMLSelectElement>('source').value = 'file';
  $('file-opts').hidden = false;
  $('synthetic-opts').hidden = true;
}

function showError(message: string): void {
  page.errors.push(message);
  const el = $('error');
  el.hidden = false;
  el.textContent = message;
}

function num(id: string): number {
  return Number($<HTMLInputElement>(id).value);
}

function speed(): number {
  return SPEEDS[num('speed')] ?? 0;
}

function label(item: RawId): string {
  const i = info?.[String(item)];
  return i ? i.title : `item ${item}`;
}

function renderItems(el: HTMLElement, items: ShownItem[], testid: string, last: RawId | null): void {
  el.replaceChildren(
    ...items.map((r) => {
      const li = document.createElement('li');
      li.dataset.testid = testid;
      li.dataset.item = String(r.item);
      li.title = `score ${r.score.toFixed(4)}`;
      li.textContent = label(r.item);
      const g = info?.[String(r.item)]?.genres;
      if (g?.length) {
        const span = document.createElement('span');
        span.className = 'genres';
        span.textContent = ` ${g.join(', ')}`;
        li.append(span);
      }
      if (last !== null && String(last) === String(r.item)) li.className = 'hit';
      return li;
    }),
  );
}

function renderMetrics(metrics: Record<ModelName, ModelMetrics>): void {
  const rows = MODEL_NAMES.map((m) => `<tr><td>${m}</td><td>${metrics[m]['hr@10'].toFixed(4)}</td><td>${metrics[m]['ndcg@10'].toFixed(4)}</td><td>${metrics[m].scored}</td></tr>`);
  $('metrics').innerHTML = `<tr><th>model</th><th>HR@10</th><th>NDCG@10</th><th>scored</th></tr>${rows.join('')}`;
}

function onState(s: TrainerState): void {
  page.eventsProcessed = s.processed;
  page.models = Object.fromEntries(MODEL_NAMES.map((m) => [m, { 'hr@10': s.metrics[m]['hr@10'], 'ndcg@10': s.metrics[m]['ndcg@10'] }]));
  playing = s.playing;
  $('play').textContent = playing ? 'Pause' : 'Play';
  const rate = s.eventsPerSecond ? `, ${s.eventsPerSecond} events/s` : '';
  $('progress').textContent = `${s.processed.toLocaleString('en')} / ${s.total.toLocaleString('en')} events played${rate}`;
  const last = s.lastEvent && String(s.lastEvent.user) === String(s.rawUser) ? s.lastEvent.item : null;
  renderItems($('top'), s.top, 'recommendation', last);
  $('user-info').textContent = `user ${s.rawUser}: ${s.userEvents} events so far${last !== null ? `, just now: ${label(last)}` : ''}`;
  if (lastUser !== s.user) {
    heat.clear();
    lastUser = s.user;
  }
  heat.push(s.attention);
  renderMetrics(s.metrics);
  if (s.processed > 0) {
    hr.push(s.processed, MODEL_NAMES.map((m) => s.metrics[m]['hr@10']));
    nd.push(s.processed, MODEL_NAMES.map((m) => s.metrics[m]['ndcg@10']));
  }
  $('imported-box').hidden = s.imported === null;
  if (s.imported) {
    $('imported-title').textContent = `Imported model (${s.importedName}), same user`;
    renderItems($('imported'), s.imported, 'imported-recommendation', null);
  }
}

function onTrainer(m: FromTrainer): void {
  switch (m.type) {
    case 'backend':
      page.backend = m.backend;
      page.backendLine = m.line;
      $('backend').textContent = m.line;
      return;
    case 'progress':
      $('progress').textContent = `training ${m.model}: ${m.phase} ${m.done}/${m.total}`;
      return;
    case 'ready': {
      const sel = $<HTMLSelectElement>('user');
      sel.replaceChildren(
        ...m.users.map((u) => {
          const o = document.createElement('option');
          o.value = String(u.id);
          o.textContent = String(u.raw);
          return o;
        }),
      );
      page.ready = true;
      return;
    }
    case 'state':
      onState(m);
      return;
    case 'exported': {
      const url = URL.createObjectURL(new Blob([m.bytes as BlobPart], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${m.model.toLowerCase().replace(/[^a-z0-9]+/g, '')}.memrec`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return;
    }
    case 'imported':
      page.imported = m.name;
      return;
    case 'error':
      showError(m.message);
      return;
  }
}

function send(m: ToTrainer, transfer?: Transferable[]): void {
  trainer?.postMessage(m, transfer ?? []);
}

/** (Re)starts the training worker from the controls: a fresh backend, stream and models. */
function reset(): void {
  trainer?.terminate();
  page.ready = false;
  page.eventsProcessed = 0;
  page.models = {};
  page.imported = null;
  hr.clear();
  nd.clear();
  heat.clear();
  lastUser = null;
  $('top').replaceChildren();
  $('imported-box').hidden = true;
  $('progress').textContent = 'training…';
  const fromFile = $<HTMLSelectElement>('source').value === 'file';
  if (fromFile && !dataset) {
    $('progress').textContent = 'pick a ratings file';
    return;
  }
  info = fromFile ? (dataset?.info ?? null) : null;
  trainer = new Worker(new URL('./worker/train.worker.ts', import.meta.url), { type: 'module' });
  trainer.onmessage = (e: MessageEvent<FromTrainer>) => onTrainer(e.data);
  trainer.onerror = (e) => showError(`training worker: ${e.message}`);
  const source: ToTrainer & { type: 'init' } = {
    type: 'init',
    source: fromFile && dataset ? { kind: 'dataset', data: dataset.data } : { kind: 'synthetic', users: num('users'), items: num('items'), events: num('events') },
    trainRatio: num('train'),
    seed: num('seed'),
    backend: $<HTMLSelectElement>('backend-choice').value as 'auto',
    bprEpochs: Number(params.get('bprEpochs') ?? 30),
    speed: speed(),
    playing: params.get('paused') === null,
  };
  send(source);
}

function parseFile(): void {
  const file = $<HTMLInputElement>('file').files?.[0];
  if (!file) return;
  const layout = $<HTMLSelectElement>('layout').value;
  const col = (id: string): string | number | undefined => {
    const v = $<HTMLInputElement>(id).value.trim();
    if (v === '') return undefined;
    return /^\d+$/.test(v) ? Number(v) : v;
  };
  let msg: ToParser;
  if (layout === 'u.data') msg = { file, delimiter: '\t', header: false, columns: { user: 0, item: 1, timestamp: 3 } };
  else if (layout === 'ratings.csv') msg = { file, delimiter: ',', header: true, columns: { user: 'userId', item: 'movieId', timestamp: 'timestamp' } };
  else {
    const timestamp = col('col-time');
    const delimiter = $<HTMLInputElement>('delimiter').value.replace('\\t', '\t');
    msg = { file, delimiter, header: $<HTMLInputElement>('header').checked, columns: { user: col('col-user') ?? 0, item: col('col-item') ?? 1, ...(timestamp !== undefined ? { timestamp } : {}) } };
  }
  const itemsFile = $<HTMLInputElement>('itemfile').files?.[0];
  if (itemsFile) msg.itemsFile = itemsFile;
  const bar = $<HTMLProgressElement>('parse-progress');
  bar.value = 0;
  const parser = new Worker(new URL('./worker/parse.worker.ts', import.meta.url), { type: 'module' });
  parser.onmessage = (e: MessageEvent<FromParser>) => {
    const m = e.data;
    if (m.type === 'progress') bar.value = m.total > 0 ? m.bytes / m.total : 0;
    else if (m.type === 'error') {
      parser.terminate();
      showError(m.message);
    } else {
      parser.terminate();
      bar.value = 1;
      dataset = { data: m.data, info: m.info };
      $('progress').textContent = `${file.name}: ${m.events.toLocaleString('en')} events`;
      reset();
    }
  };
  parser.postMessage(msg);
}

$('source').addEventListener('change', () => {
  const file = $<HTMLSelectElement>('source').value === 'file';
  $('file-opts').hidden = !file;
  $('synthetic-opts').hidden = file;
  if (!file) reset();
});
$('layout').addEventListener('change', () => {
  $('mapping').hidden = $<HTMLSelectElement>('layout').value !== 'custom';
});
$('file').addEventListener('change', parseFile);
$('itemfile').addEventListener('change', () => {
  if ($<HTMLInputElement>('file').files?.[0]) parseFile();
});
$('reset').addEventListener('click', () => (dataset && $<HTMLSelectElement>('source').value === 'file' ? parseFile() : reset()));
$('play').addEventListener('click', () => send({ type: playing ? 'pause' : 'play' }));
$('step').addEventListener('click', () => {
  if (playing) send({ type: 'pause' });
  send({ type: 'step', n: 1 });
});
$('speed').addEventListener('input', () => {
  const s = speed();
  $('speed-label').textContent = s === 0 ? 'max' : `${s}/s`;
  send({ type: 'speed', eventsPerSecond: s });
});
const watch = () => send({ type: 'watch', user: Number($<HTMLSelectElement>('user').value), model: $<HTMLSelectElement>('rec-model').value as ModelName });
$('user').addEventListener('change', watch);
$('rec-model').addEventListener('change', watch);
$('export').addEventListener('click', () => send({ type: 'export', model: $<HTMLSelectElement>('export-model').value as ModelName }));
$('import').addEventListener('change', async () => {
  const f = $<HTMLInputElement>('import').files?.[0];
  if (!f) return;
  const bytes = new Uint8Array(await f.arrayBuffer());
  send({ type: 'import', bytes }, [bytes.buffer]);
});
$('speed-label').textContent = speed() === 0 ? 'max' : `${speed()}/s`;
reset();
