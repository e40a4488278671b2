/**
 * `memrec-serve`: the memrec HTTP service. See `memrec-serve --help` and the package README.
 * SIGTERM / SIGINT: stop accepting, finish the batch being applied, checkpoint, exit 0.
 */
import { parseServeArgs, USAGE } from './cli-options';
import { startServer } from './serve';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const server = await startServer(parseServeArgs(argv, process.env));
  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) return;
    signalled = true;
    console.error(`memrec-serve: ${signal}: stopping (finishing the current batch, then a checkpoint)`);
    server.stop().then(
      () => {
        console.error(`memrec-serve: stopped at offset ${server.engine.applied}`);
        process.exit(0);
      },
      (e: unknown) => {
        console.error(`memrec-serve: stop failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
