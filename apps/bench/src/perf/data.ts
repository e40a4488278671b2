/**
 * `pnpm bench:perf data`: writes a generated 5-million-line `u.data`-format file (500k with
 * --quick) to a temp folder, loads it with the streaming loader, and reports lines/s and the
 * process's peak resident memory; also times the default synthetic stream (2,000 x 1,000 x 100,000).
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRng } from '@memrec/core';
import { syntheticStream } from '@memrec/data';
import { loadDelimited } from '@memrec/data/node';
import type { PerfContext, PerfResult } from './types';

/** Writes `lines` lines of `user\titem\trating\ttime` in 8k-line chunks (bounded memory). */
function writeUData(file: string, lines: number): void {
  const rng = seededRng(17);
  const fd = openSync(file, 'w');
  let t = 874724710;
  const chunk: string[] = [];
  for (let k = 0; k < lines; k++) {
    t += Math.floor(rng() * 30);
    chunk.push(`${1 + Math.floor(rng() * 70000)}\t${1 + Math.floor(rng() * 10000)}\t${1 + Math.floor(rng() * 5)}\t${t}\n`);
    if (chunk.length === 8192) {
      writeSync(fd, chunk.join(''));
      chunk.length = 0;
    }
  }
  writeSync(fd, chunk.join(''));
  closeSync(fd);
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Runs the loader and synthetic-generation measurements. */
export async function run(ctx: PerfContext): Promise<PerfResult> {
  const lines = ctx.quick ? 500_000 : 5_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'memrec-perf-data-'));
  const file = join(dir, 'u.data');
  try {
    ctx.log(`data: writing ${lines.toLocaleString()} lines to ${file} ...`);
    writeUData(file, lines);
    const mb = statSync(file).size / 2 ** 20;
    const rssBefore = peakRssMb();
    ctx.log(`data: loading (${mb.toFixed(0)} MiB) ...`);
    const t0 = performance.now();
    const d = await loadDelimited(file, { delimiter: '\t', columns: { user: 0, item: 1, rating: 2, timestamp: 3 } });
    const seconds = (performance.now() - t0) / 1000;
    if (d.stats.numInteractions !== lines) throw new Error(`perf data: expected ${lines} interactions, got ${d.stats.numInteractions}`);
    const peak = peakRssMb();
    const linesPerSecond = lines / seconds;

    ctx.log('data: synthetic stream (default size) ...');
    syntheticStream({ seed: 0, numEvents: 10_000 }); // warm-up
    const g0 = performance.now();
    const s = syntheticStream({ seed: 1 });
    const genSeconds = (performance.now() - g0) / 1000;
    return {
      rows: [
        { step: 'load u.data (streaming)', lines, 'MiB': mb, seconds, 'lines/s': linesPerSecond, 'peak RSS MB': peak, note: `peak before load ${rssBefore.toFixed(0)} MB; ${d.stats.numUsers} users x ${d.stats.numItems} items` },
        { step: 'syntheticStream default', lines: s.stats.numInteractions, 'MiB': 0, seconds: genSeconds, 'lines/s': s.stats.numInteractions / genSeconds, 'peak RSS MB': peakRssMb(), note: `${s.truth.drift.users.length} drift moves` },
      ],
      figures: {
        lines_per_second: linesPerSecond,
        peak_rss_mb: peak,
        load_seconds: seconds,
        synthetic_seconds: genSeconds,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
