import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeResults, withCurves } from './test-fixture';
import { writeReports } from './write';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
// Lines per chart for the fixture with learning curves (2 models): stream 2 × 2 metrics,
// learning curves 2 × 2 protocols (loss) + 2 (validation), loss 2 × 2 protocols; the summary
// chart draws dots and bars, no lines.
const CHART_LINES: Record<string, number> = { 'chart-summary': 0, 'chart-stream': 4, 'chart-learning': 6, 'chart-loss': 4 };
const MODEL_LINES = 14;

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
    await writeReports(withCurves(makeResults()), dir);
    url = pathToFileURL(path.join(dir, 'index.html')).href;
  });
  afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('lays out every chart line with a non-empty bounding box', async () => {
    const dom = await chromium(['--dump-dom', url]);
    const body = /<body([^>]*)>/.exec(dom)?.[1] ?? '';
    expect(body).toContain(`data-chart-lines="${MODEL_LINES}"`);
    expect(body).toContain(`data-rendered-lines="${MODEL_LINES}"`);
    for (const [id, n] of Object.entries(CHART_LINES)) expect(dom).toMatch(new RegExp(`<svg [^>]*id="${id}"[^>]*data-rendered-lines="${n}"`));
    expect(dom).toContain('Protocol card');
    expect(dom).toContain('<h3>Evaluation sampled-100</h3>');
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
