/**
 * memrec-bench: the cross-model benchmark CLI.
 */
import { runCli } from './cli/main';
import { exitWithError, installFatalHandlers } from './cli/fatal';
import { workerMain } from './experiment/workers';

installFatalHandlers();
if (process.env.MEMREC_BENCH_WORKER === '1') {
  workerMain();
} else {
  runCli(process.argv).catch(exitWithError);
}
