import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { initBackend } from '@memrec/core';
import { syntheticStream } from '@memrec/data';
import { ItemPop, OnlineRecommender } from '@memrec/models';
import { saveCheckpoint } from '@memrec/models/node';
import { PLAYGROUND, ensureBuilt } from './built-site';
import type { PageState } from './main';

// Debian's chromium, as the report test uses (.ci/setup-tests.sh installs it); never a download.
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
// A small synthetic stream: 4,000 events to train on, 4,000 to play.
const SYNTHETIC = { users: 300, items: 200, events: 8000 };
const WAIT = { timeout: 180_000, polling: 250 };

let server: ChildProcess;
let url: string;
let browser: Browser;
let tmp: string;

/** `node serve.mjs --port 0`, as `pnpm playground` runs it; resolves to the URL it prints. */
function startServer(): Promise<string> {
  server = spawn(process.execPath, [path.join(PLAYGROUND, 'serve.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    server.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code} before printing its URL: ${out}`)));
  });
}

/** A page that records console errors, uncaught errors and unhandled rejections. */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ acceptDownloads: true });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => {
    window.addEventListener('unhandledrejection', (e) => console.error(`unhandled rejection: ${String(e.reason)}`));
  });
  return { page, problems };
}

const state = (page: Page): Promise<PageState> => page.evaluate(() => window.__memrec);
const shown = (page: Page, testid: string): Promise<string[]> => page.locator(`[data-testid="${testid}"]`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.item as string));

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`playground.browser.test: ${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium, as .ci/setup-tests.sh does) or set CHROMIUM_BIN`);
  }
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-playground-'));
  url = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  await initBackend({ backend: 'cpu', log: false });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.kill();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the playground in headless Chromium', () => {
  it('plays the synthetic stream on wasm; a model exported by the page loads in Node, one saved by Node loads in the page', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${url}?users=${SYNTHETIC.users}&items=${SYNTHETIC.items}&events=${SYNTHETIC.events}&speed=max`);
    await page.waitForFunction(() => window.__memrec.eventsProcessed >= 2000 || window.__memrec.errors.length > 0, undefined, WAIT);
    const s = await state(page);
    expect(s.errors).toEqual([]);
    expect(s.eventsProcessed).toBeGreaterThanOrEqual(2000);
    expect(s.backend).toBe('wasm'); // no GPU backend imported by default; the .wasm files came from the site
    expect(s.backendLine).toBe('backend: wasm (webgpu not imported; webgl not imported)');
    expect(await page.getByTestId('recommendation').count()).toBe(10);
    for (const m of ['NMRN', 'ItemPop']) {
      const hr = s.models[m]['hr@10'];
      expect(typeof hr).toBe('number');
      expect(hr).toBeGreaterThanOrEqual(0);
      expect(hr).toBeLessThanOrEqual(1);
    }

    // pause, export NMRN, import the file: the imported model recommends the same top 10
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('play')?.textContent === 'Play', undefined, WAIT);
    const top = await shown(page, 'recommendation');
    expect(new Set(top).size).toBe(10);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const exported = path.join(tmp, download.suggestedFilename());
    await download.saveAs(exported);
    expect(path.basename(exported)).toBe('nmrn.memrec');
    await page.getByTestId('import-input').setInputFiles(exported);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="imported-recommendation"]').length === 10, undefined, WAIT);
    expect(await shown(page, 'imported-recommendation')).toEqual(top);
    expect(await shown(page, 'recommendation')).toEqual(top);

    // the page's file in Node, through the checkpoint reader the benchmark CLI uses
    const rawUser = Number(await page.locator('#user').inputValue().then((id) => page.locator(`#user option[value="${id}"]`).textContent()));
    const fromPage = await OnlineRecommender.fromBytes(new Uint8Array(fs.readFileSync(exported)));
    expect(fromPage.model.name).toBe('nmrn');
    expect(fromPage.recommend(rawUser, 10).map((r) => String(r.item))).toEqual(top);
    fromPage.dispose();

    // a checkpoint written in Node (saveCheckpoint, as the CLI writes them) in the page
    const synth = syntheticStream({ seed: 1, numUsers: SYNTHETIC.users, numItems: SYNTHETIC.items, numEvents: SYNTHETIC.events });
    const x = synth.interactions;
    const events = Array.from({ length: 4000 }, (_, k) => ({ user: synth.users.toRaw(x.users[k]), item: synth.items.toRaw(x.items[k]), timestamp: x.timestamps![k] }));
    const pop = await OnlineRecommender.train(new ItemPop(), events);
    const file = path.join(tmp, 'pop.memrec');
    saveCheckpoint(file, pop);
    const expected = pop.recommend(rawUser, 10).map((r) => String(r.item));
    pop.dispose();
    await page.getByTestId('import-input').setInputFiles(file);
    await page.waitForFunction(() => window.__memrec.imported === 'pop', undefined, WAIT);
    await page.waitForFunction((want) => [...document.querySelectorAll('[data-testid="imported-recommendation"]')].map((e) => (e as HTMLElement).dataset.item).join() === want, expected.join(), WAIT);

    expect((await state(page)).errors).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 300_000);

  it('parses a picked CSV with mapped columns in a worker, shows u.item titles, and plays it', async () => {
    // 40 users x 30 items x 900 events, columns in an unusual order, ';' separated, string user ids
    const lines = ['ts;item_id;who'];
    let t = 1000;
    for (let k = 0; k < 900; k++) lines.push(`${(t += 7)};${1 + ((k * 7 + (k % 13)) % 30)};u${k % 40}`);
    const csv = path.join(tmp, 'events.csv');
    fs.writeFileSync(csv, `${lines.join('\n')}\n`);
    const flags = '|0'.repeat(19).replace(/^\|0/, '|1'); // genre: unknown
    const uitem = Array.from({ length: 30 }, (_, k) => `${k + 1}|Film ${k + 1} (1990)|01-Jan-1990||http://example.invalid${flags}`).join('\n');
    const itemFile = path.join(tmp, 'u.item');
    fs.writeFileSync(itemFile, `${uitem}\n`);

    const { page, problems } = await openPage();
    await page.goto(`${url}?source=file&speed=max`);
    await page.selectOption('#layout', 'custom');
    await page.fill('#delimiter', ';');
    await page.fill('#col-user', 'who');
    await page.fill('#col-item', 'item_id');
    await page.fill('#col-time', 'ts');
    await page.setInputFiles('#itemfile', itemFile);
    await page.setInputFiles('[data-testid="file-input"]', csv);
    await page.waitForFunction(() => window.__memrec.eventsProcessed >= 100 || window.__memrec.errors.length > 0, undefined, WAIT);
    const s = await state(page);
    expect(s.errors).toEqual([]);
    expect(await page.getByTestId('parse-progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(1);
    expect(await page.getByTestId('recommendation').count()).toBe(10);
    const titles = await page.getByTestId('recommendation').allTextContents();
    for (const title of titles) expect(title).toMatch(/^Film \d+ \(1990\) unknown$/);
    const users = await page.locator('#user option').allTextContents();
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) expect(u).toMatch(/^u\d+$/);
    for (const m of ['NMRN', 'BPR-MF', 'ItemPop']) expect(s.models[m]['hr@10']).toBeLessThanOrEqual(1);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);
});
