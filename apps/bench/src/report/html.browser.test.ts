import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeResults } from './test-fixture';
import { writeReports } from './write';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
// 2 models × 2 charts (stream HR@10 and loss).
const MODEL_LINES = 4;

function chromium(args: string[]): Promise<string> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-chromium-profile-'));
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...flags, ...args], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      fs.rmSync(profile, { recursive: true, force: true });
      if (err) reject(new Error(`chromium ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('index.html in headless Chromium', () => {
  let dir: string;
  let url: string;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `html.browser.test: ${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium, as .ci/setup-tests.sh does) or set CHROMIUM_BIN`,
      );
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-html-'));
    await writeReports(makeResults(), dir);
    url = pathToFileURL(path.join(dir, 'index.html')).href;
  });
  afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('lays out every chart line with a non-empty bounding box', async () => {
    const dom = await chromium(['--dump-dom', url]);
    const body = /<body([^>]*)>/.exec(dom)?.[1] ?? '';
    expect(body).toContain(`data-chart-lines="${MODEL_LINES}"`);
    expect(body).toContain(`data-rendered-lines="${MODEL_LINES}"`);
    expect(dom.match(/<svg [^>]*data-rendered-lines="2"/g)).toHaveLength(2);
    expect(dom).toContain('Protocol card');
    expect(dom).toContain('0.3500 ± 0.0707');
  });

  it('renders a non-trivial screenshot', async () => {
    const png = path.join(dir, 'screenshot.png');
    await chromium([`--screenshot=${png}`, '--window-size=1200,2600', '--hide-scrollbars', url]);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(40 * 1024);
    if (process.env.MEMREC_KEEP_SCREENSHOT) fs.copyFileSync(png, process.env.MEMREC_KEEP_SCREENSHOT);
  });
});
