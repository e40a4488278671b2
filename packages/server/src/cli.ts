/**
 * `memrec-serve`: the memrec HTTP service. See `memrec-serve --help` and the package README.
 * SIGTERM / SIGINT: stop accepting, finish the batch being applied, checkpoint, exit 0.
 */
import { parseServeArgs, USAGE } from './cli-options';
import { startServer, type RunningServer } from './serve';

function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  // handlers first: a signal that arrives while the server starts stops it once it is up
  const starting: Promise<RunningServer> = Promise.resolve().then(() => startServer(parseServeArgs(argv, process.env)));
  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) return;
    signalled = true;
    console.error(`memrec-serve: ${signal}: stopping (finishing the current batch, then a checkpoint)`);
    starting
      .then(async (server) => {
        await server.stop();
        console.error(`memrec-serve: stopped at offset ${server.engine.applied}`);
        process.exit(0);
      })
      .catch((e: unknown) => {
        console.error(`memrec-serve: stop failed: ${(e as Error).message}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  starting.catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}

main();
