import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { initBackend, type RawId } from '@memrec/core';
import { loadOnlineCheckpoint } from '@memrec/models/node';
import { runBenchmark } from '../experiment/run';
import { tune } from '../experiment/tune';
import { stopWorkers } from '../experiment/workers';
import { runQueued, tuneQueued } from '../queue/coordinator';
import { runQueueWorker } from '../queue/worker';
import { writeReports } from '../report';
import { checkOutDir, resolveConfig } from './options';
import { createLanes } from './progress';

function stamp(): string {
  return new Date().toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
}

/** `pnpm bench --queue URL [run options]`: the coordinator of a grid on Redis (see `runQueued`). */
async function runQueuedCli(flags: Record<string, unknown>, url: string, attempts: unknown, argv: string[]): Promise<void> {
  if (flags.workers !== undefined) throw new Error(`memrec-bench: --queue and --workers must not be given together (start \`pnpm bench worker --queue URL\` processes instead), got --workers ${JSON.stringify(flags.workers)}`);
  const n = attempts === undefined ? 3 : Number(attempts);
  if (!Number.isInteger(n) || n < 1) throw new Error(`memrec-bench: --attempts must be an integer >= 1, got ${JSON.stringify(attempts)}`);
  const cfg = resolveConfig(flags);
  const out = resolve(cfg.out ?? join('runs', stamp()));
  checkOutDir(out, cfg.force);
  const lanes = createLanes({ quiet: cfg.quiet }, 1);
  const interrupt = () => {
    lanes.close();
    process.stderr.write('memrec-bench: interrupted, no report written (the cells stay queued: submit the same grid again to follow them)\n');
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  let files: string[];
  try {
    const results = await runQueued(cfg, url, lanes.lanes[0], { command: ['memrec-bench', ...argv.slice(2)].join(' '), attempts: n }).finally(() => lanes.close());
    mkdirSync(out, { recursive: true });
    ({ files } = await writeReports(results, out));
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
  console.log(`results: ${join(out, 'results.md')}`);
  if (!cfg.quiet) console.log(`files: ${files.map((f) => f.replace(`${out}/`, '')).join(', ')}`);
}

/**
 * Entry point of `memrec-bench` (`pnpm bench`): runs the benchmark (here, or on a Redis queue
 * with `--queue`), a queue `worker`, a `tune` search, or `recommend` from a saved checkpoint.
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
    .addOption(new Option('--dataset <name>', 'synthetic | movielens-100k | movielens-1m | movielens-latest-small | ncf | csv | files'))
    .option('--train-file <path>', 'the training file of a published split (with --dataset files and --protocol predefined)')
    .option('--test-file <path>', 'the test file of a published split (with --dataset files)')
    .option('--task <name>', 'ranking (top-k metrics, default) | rating (RMSE and MAE of cfnade, bias)')
    .option('--data-dir <dir>', 'folder holding the dataset files (else the download cache)')
    .option('--name <prefix>', 'NCF file prefix (NAME.train.rating, ...)')
    .option('--file <path>', 'a delimited file (with --dataset csv)')
    .option('--columns <spec>', 'user=COL,item=COL[,timestamp=COL][,rating=COL]: header names, or 0-based numbers with --no-header')
    .option('--delimiter <char>', 'field delimiter of --file: one character, \\t, ::, tab, comma, semicolon, pipe or space (default ,)')
    .option('--header', 'the file has a header line')
    .option('--no-header', 'the file has no header line')
    .option('--min-rating <r>', 'keep interactions rated at least r (implicit feedback)')
    .option('--protocol <list>', 'stream | leave-last-out | stratified | temporal | predefined | random (90/10)')
    .option('--eval <list>', 'full,sampled-100')
    .option('--k <list>', 'cut-offs, e.g. 5,10,20')
    .option('--seeds <list>', 'e.g. 1,2,3')
    .option('--epochs <n>', 'training epochs (default per model)')
    .option('--dim <n>', 'embedding dimension')
    .option('--batch-size <n>', 'mini-batch size')
    .option('--nmrn-sampler <list>', 'NMRN negative samplers: uniform,gan,popularity,dns (first is "nmrn"; default uniform)')
    .option('--nmrn-memory <list>', 'NMRN value memories: per-user,shared (first is "nmrn")')
    .option('--set <model.option=value>', 'a model hyperparameter, e.g. cmn.dim=50 (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--preset <name>', 'a named set of model options under --set, e.g. paper (CMN as published: d 50, RMSProp 1e-3, L2 0.1, all neighbours, GMF pre-training)')
    .option('--early-stopping <metric[:patience]|none>', 'every model validates each epoch on a split of the training data (e.g. ndcg@10:3) and keeps the best epoch; none: no model does; default: each model\'s own setting (see the protocol card)')
    .option('--cold-start <mode>', 'stream: skip (default) or include events whose user or item is new to their block')
    .option('--workers <n>', 'parallel worker processes (default: 2, or 1 on a 1-core machine)')
    .option('--config <file>', 'JSON file with the same keys (flags override it)')
    .option('--backend <name>', 'auto | node | wasm | cpu')
    .option('--out <dir>', 'output folder (default runs/<date-time>)')
    .option('--force', 'overwrite the run already in --out (a folder holding results.json)')
    .option('--quiet', 'print nothing but the result')
    .option('--queue <url>', 'run the grid on a Redis queue, redis://HOST:PORT[/PREFIX]: enqueue one job per cell, wait for `pnpm bench worker` processes to run them, write the report (not with --workers)')
    .option('--attempts <n>', 'with --queue: runs of a cell before it is reported as failed (default 3)')
    .action(async (allFlags: Record<string, unknown>) => {
      const { queue, attempts, ...flags } = allFlags;
      if (queue !== undefined) return runQueuedCli(flags, String(queue), attempts, argv);
      if (attempts !== undefined) throw new Error(`memrec-bench: --attempts needs --queue, got --attempts ${JSON.stringify(attempts)} alone`);
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
    .command('tune')
    .description('search one model\'s options on a validation split of the training data; writes the best as a config file')
    .requiredOption('--model <name>', 'nmrn, cmn, neumf, bprmf or an nmrn-<variant>')
    .option('--trials <n>', 'trials (random search) or the cap on grid points', '10')
    .option('--search <kind>', 'random | grid', 'random')
    .option('--metric <metric>', 'validation metric, e.g. ndcg@10', 'ndcg@10')
    .option('--space <file>', 'JSON search space { "<model>": { "<option>": [values] } } (default: built in)')
    .option('--dataset <name>', 'synthetic | movielens-100k | movielens-1m | movielens-latest-small | ncf | csv')
    .option('--data-dir <dir>', 'folder holding the dataset files (else the download cache)')
    .option('--file <path>', 'a delimited file (with --dataset csv)')
    .option('--columns <spec>', 'user=COL,item=COL[,timestamp=COL][,rating=COL]')
    .option('--delimiter <char>', 'field delimiter of --file')
    .option('--header', 'the file has a header line')
    .option('--no-header', 'the file has no header line')
    .option('--min-rating <r>', 'keep interactions rated at least r')
    .option('--protocol <name>', 'the protocol whose validation split scores the trials (default: stream)')
    .option('--seeds <list>', 'the first seeds the search and the splits')
    .option('--preset <name>', 'a named set of model options under --set (e.g. paper)')
    .option('--set <model.option=value>', 'fixed options of the tuned model (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--config <file>', 'JSON file with the run keys')
    .option('--backend <name>', 'auto | node | wasm | cpu')
    .option('--out <dir>', 'folder of trials.jsonl and best.json (default runs/tune-<model>); rerun to resume')
    .option('--quiet', 'print nothing but the result')
    .option('--queue <url>', 'run the trials on a Redis queue, redis://HOST:PORT[/PREFIX], one job per trial, taken by `pnpm bench worker` processes')
    .option('--attempts <n>', 'with --queue: runs of a trial before it is reported as failed (default 3)')
    .action(async (flags: Record<string, unknown>) => {
      const { model, trials, search, metric, space, out, queue, attempts, ...runFlags } = flags as Record<string, string | undefined> & Record<string, unknown>;
      const n = Number(trials);
      if (!Number.isInteger(n) || n < 1) throw new Error(`memrec-bench tune: --trials must be an integer >= 1, got ${JSON.stringify(trials)}`);
      if (search !== 'random' && search !== 'grid') throw new Error(`memrec-bench tune: --search must be random or grid, got ${JSON.stringify(search)}`);
      if (!/^((hr|ndcg|precision|recall|map)@[1-9]\d*|mrr|auc)$/.test(String(metric))) throw new Error(`memrec-bench tune: --metric must be one of hr@K, ndcg@K, precision@K, recall@K, map@K, mrr, auc, got ${JSON.stringify(metric)}`);
      const cfg = resolveConfig({ ...runFlags, models: String(model) });
      let spaceFor: Record<string, unknown[]> | undefined;
      if (space !== undefined) {
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(String(space), 'utf8'));
        } catch (e) {
          throw new Error(`memrec-bench tune: --space must be a readable JSON file, got ${JSON.stringify(space)}: ${(e as Error).message}`);
        }
        spaceFor = (json as Record<string, Record<string, unknown[]>>)?.[String(model)];
        if (spaceFor === undefined) throw new Error(`memrec-bench tune: --space must hold a space for ${JSON.stringify(model)} ({ "${model}": { "option": [values] } }), got keys ${JSON.stringify(Object.keys(json ?? {}))}`);
      }
      if (attempts !== undefined && queue === undefined) throw new Error(`memrec-bench tune: --attempts needs --queue, got --attempts ${JSON.stringify(attempts)} alone`);
      const dir = resolve(String(out ?? join('runs', `tune-${model}`)));
      const lanes = createLanes({ quiet: cfg.quiet }, 1);
      const tuneOptions = { model: String(model), trials: n, search, metric: String(metric), space: spaceFor, out: dir } as const;
      if (queue === undefined) {
        await initBackend({ backend: cfg.backend, log: cfg.quiet ? false : (l) => console.log(l) });
        mkdirSync(dir, { recursive: true });
      }
      const res = await (queue === undefined
        ? tune(cfg, tuneOptions, lanes.lanes[0])
        : tuneQueued(cfg, tuneOptions, String(queue), lanes.lanes[0], { attempts: attempts === undefined ? 3 : Number(attempts) })
      ).finally(() => lanes.close());
      console.log(`best of ${res.trials.length} trials: ${metric} ${res.best.value.toFixed(4)} with ${JSON.stringify(res.best.options)}`);
      console.log(`config: ${res.configFile} (pnpm bench --config ${res.configFile} evaluates it on the test set)`);
    });

  program
    .command('worker')
    .description('take grid cells from a Redis queue and run them until stopped (SIGTERM or Ctrl-C finishes the current cells)')
    .requiredOption('--queue <url>', 'redis://HOST:PORT[/PREFIX], as given to the coordinator')
    .option('--concurrency <n>', 'cells at once, one process (and core) each', '1')
    .option('--stall-seconds <s>', 'a worker silent this long is taken as dead and its cell given to another', '30')
    .option('--data-dir <dir>', 'this machine\'s folder of the dataset files (replaces the cells\' --data-dir)')
    .option('--file <path>', 'this machine\'s copy of --file (with --dataset csv)')
    .option('--quiet', 'print nothing')
    .action(async (opts: { queue: string; concurrency: string; stallSeconds: string; dataDir?: string; file?: string; quiet?: boolean }) => {
      const concurrency = Number(opts.concurrency);
      const lanes = createLanes({ quiet: Boolean(opts.quiet), tty: false }, Number.isInteger(concurrency) && concurrency > 0 ? concurrency : 1);
      const worker = await runQueueWorker(opts.queue, { entry: argv[1], concurrency, stallSeconds: Number(opts.stallSeconds), dataDir: opts.dataDir, file: opts.file, lanes: lanes.lanes });
      const stop = () => void worker.stop();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await worker.closed;
      lanes.close();
      process.exit(0);
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
