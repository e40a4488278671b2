/**
 * `pnpm bench:perf NAME [--json FILE] [--backend auto|node|wasm|cpu] [--quick] [--only PARTS]`
 *
 * Runs one performance script in this process, prints a readable table and, with `--json`,
 * writes `{ "backend": "...", "figures": { "<name>": <number> } }`.
 */
import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { initBackend, type BackendName } from '@memrec/core';
import { PERF_SCRIPTS } from './perf/registry';
import { formatTable } from './perf/table';

const program = new Command()
  .name('bench:perf')
  .argument('<name>', `one of: ${Object.keys(PERF_SCRIPTS).join(', ')}`)
  .option('--json <file>', 'write the figures as JSON')
  .option('--backend <name>', 'auto | node | wasm | cpu', 'auto')
  .option('--quick', 'smaller sizes, for smoke tests', false)
  .option('--only <list>', 'run only these parts of the script, comma-separated (models: the model names, nmrn_ingest, cmn_train, irgan)')
  .action(async (name: string, opts: { json?: string; backend: string; quick: boolean; only?: string }) => {
    const script = PERF_SCRIPTS[name];
    if (!script) {
      throw new Error(`bench:perf: name must be one of ${Object.keys(PERF_SCRIPTS).join(', ')}, got "${name}"`);
    }
    const choice = await initBackend({ backend: opts.backend as BackendName | 'auto' });
    const mod = await script();
    const only = opts.only?.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
    const result = await mod.run({ backend: choice.backend, quick: opts.quick, only, log: (l) => console.error(l) });
    console.log(`\n${name} (backend ${choice.backend})\n`);
    console.log(formatTable(result.rows));
    console.log('\nfigures:');
    for (const [k, v] of Object.entries(result.figures)) console.log(`  ${k} = ${formatNumber(v)}`);
    if (opts.json) {
      const file = resolve(opts.json);
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify({ backend: choice.backend, figures: result.figures }, null, 2)}\n`);
      renameSync(tmp, file);
      console.log(`\nwrote ${file}`);
    }
  });

function formatNumber(v: number): string {
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(3);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
