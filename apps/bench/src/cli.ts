/**
 * memrec-bench: the cross-model benchmark CLI.
 */
import { runCli } from './cli/main';

runCli(process.argv).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
