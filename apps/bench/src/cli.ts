/**
 * memrec-bench: the cross-model benchmark CLI.
 */
import { runCli } from './cli/main';
import { workerMain } from './experiment/workers';

if (process.env.MEMREC_BENCH_WORKER === '1') {
  workerMain();
} else {
  runCli(process.argv).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
