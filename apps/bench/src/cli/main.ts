import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { initBackend, type RawId } from '@memrec/core';
import { loadOnlineCheckpoint } from '@memrec/models/node';
import { runBenchmark } from '../experiment/run';
import { stopWorkers } from '../experiment/workers';
import { writeReports } from '../report';
import { checkOutDir, resolveConfig } from './options';
import { createLanes } from './progress';

function stamp(): string {
  return new Date().toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
}

/**
 * Entry point of `memrec-bench` (`pnpm bench`): runs the benchmark, or `recommend` from a
 * saved checkpoint.
 *
 * @example
 * ```ts
 * await runCli(['node', 'memrec-bench', '--models', 'bprmf,pop', '--seeds', '1']);
 * ```
 */
export async function runCli(argv: string[]): Promise<void> {
  const program = new Command()
    .name('memrec-bench')
    .description('Cross-model benchmark of streaming and memory-network recommenders')
    .enablePositionalOptions() // options after `recommend` belong to it (--k, --backend)
    .option('--models <list>', 'nmrn,cmn,neumf,bprmf,pop; also NMRN variants by name: nmrn-uniform, nmrn-popularity, nmrn-gan, nmrn-dns, nmrn-shared, nmrn-per-user')
    .addOption(new Option('--dataset <name>', 'synthetic | movielens-100k | movielens-1m | movielens-latest-small | ncf | csv'))
    .option('--data-dir <dir>', 'folder holding the dataset files (else the download cache)')
    .option('--name <prefix>', 'NCF file prefix (NAME.train.rating, ...)')
    .option('--file <path>', 'a delimited file (with --dataset csv)')
    .option('--columns <spec>', 'user=COL,item=COL[,timestamp=COL][,rating=COL]: header names, or 0-based numbers with --no-header')
    .option('--delimiter <char>', 'field delimiter of --file: one character, \\t, ::, tab, comma, semicolon, pipe or space (default ,)')
    .option('--header', 'the file has a header line')
    .option('--no-header', 'the file has no header line')
    .option('--min-rating <r>', 'keep interactions rated at least r (implicit feedback)')
    .option('--protocol <list>', 'stream | leave-last-out | stratified | temporal | predefined')
    .option('--eval <list>', 'full,sampled-100')
    .option('--k <list>', 'cut-offs, e.g. 5,10,20')
    .option('--seeds <list>', 'e.g. 1,2,3')
    .option('--epochs <n>', 'training epochs (default per model)')
    .option('--dim <n>', 'embedding dimension')
    .option('--batch-size <n>', 'mini-batch size')
    .option('--nmrn-sampler <list>', 'NMRN negative samplers: gan,uniform,popularity,dns (first is "nmrn")')
    .option('--nmrn-memory <list>', 'NMRN value memories: per-user,shared (first is "nmrn")')
    .option('--set <model.option=value>', 'a model hyperparameter, e.g. cmn.dim=50 (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--early-stopping <metric[:patience]>', 'validate each epoch on a split of the training data (e.g. ndcg@10:3); keep the best epoch')
    .option('--cold-start <mode>', 'stream: skip (default) or include events whose user or item is new to their block')
    .option('--workers <n>', 'parallel worker processes (default: 2, or 1 on a 1-core machine)')
    .option('--config <file>', 'JSON file with the same keys (flags override it)')
    .option('--backend <name>', 'auto | node | wasm | cpu')
    .option('--out <dir>', 'output folder (default runs/<date-time>)')
    .option('--force', 'overwrite the run already in --out (a folder holding results.json)')
    .option('--quiet', 'print nothing but the result')
    .action(async (flags: Record<string, unknown>) => {
      const cfg = resolveConfig(flags);
      const out = resolve(cfg.out ?? join('runs', stamp()));
      checkOutDir(out, cfg.force);
      mkdirSync(out, { recursive: true });
      const lanes = createLanes({ quiet: cfg.quiet }, cfg.workers);
      // Ctrl-C: stop the workers, write nothing more (each report file is written whole, synchronously)
      const interrupt = () => {
        stopWorkers();
        lanes.close();
        process.stderr.write('memrec-bench: interrupted, no report written\n');
        process.exit(130);
      };
      process.once('SIGINT', interrupt);
      let files: string[];
      try {
        const results = await runBenchmark(cfg, lanes.lanes[0], {
          command: ['memrec-bench', ...argv.slice(2)].join(' '),
          checkpointDir: join(out, 'checkpoints'),
          lanes: lanes.lanes,
          workerEntry: argv[1],
        }).finally(() => lanes.close());
        ({ files } = await writeReports(results, out));
      } finally {
        process.removeListener('SIGINT', interrupt);
      }
      console.log(`results: ${join(out, 'results.md')}`);
      if (!cfg.quiet) console.log(`files: ${files.map((f) => f.replace(`${out}/`, '')).join(', ')}`);
    });

  program
    .command('recommend')
    .description('top-k items for one user from a saved checkpoint')
    .requiredOption('--checkpoint <file>', 'a checkpoint written by a run (runs/.../checkpoints/<model>.memrec)')
    .requiredOption('--user <rawId>', 'the user id as in the dataset')
    .option('--k <n>', 'how many items', '10')
    .option('--backend <name>', 'auto | node | wasm | cpu', 'auto')
    .action(async (opts: { checkpoint: string; user: string; k: string; backend: string }) => {
      await initBackend({ backend: opts.backend as 'auto', log: false });
      const k = Number(opts.k);
      if (!Number.isInteger(k) || k < 1) throw new Error(`recommend: --k must be an integer >= 1, got ${JSON.stringify(opts.k)}`);
      const rec = await loadOnlineCheckpoint(opts.checkpoint);
      try {
        const raw: RawId = rec.knowsUser(opts.user) || !Number.isFinite(Number(opts.user)) ? opts.user : Number(opts.user);
        const known = rec.knowsUser(raw);
        const top = rec.recommend(raw, k);
        console.log(known ? `top ${top.length} for user ${opts.user} (${rec.model.name}):` : `user ${opts.user} is not in the checkpoint: the ${top.length} most popular recent items (${rec.model.name}):`);
        const label = known && rec.model.kind === 'distance' ? 'distance' : known ? 'score' : 'recent events';
        top.forEach((r, i) => console.log(`${String(i + 1).padStart(3)}. item ${r.item}  ${label} ${(label === 'distance' ? -r.score : r.score).toFixed(4)}`));
      } finally {
        rec.dispose();
      }
    });

  await program.parseAsync(argv);
}
