/**
 * How the CLI reports an error that ends it: one `memrec-bench: <message>` line on stderr and
 * exit code 1, whether the error reached the top-level catch or escaped as an uncaught
 * exception or rejection. The wasm backend's module installs process handlers that rethrow
 * (so Node prints a stack inside tf-backend-wasm.node.js); the CLI's handlers run first.
 */

/**
 * The line printed for an error: its message, prefixed with `memrec-bench: ` unless it is already.
 *
 * @example
 * ```ts
 * errorLine(new Error('loadDelimited: x.csv:3: user id is empty: ",5"')); // 'memrec-bench: loadDelimited: ...'
 * ```
 */
export function errorLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.startsWith('memrec-bench:') ? message : `memrec-bench: ${message}`;
}

/**
 * Prints {@link errorLine} and exits with code 1.
 *
 * @example
 * ```ts
 * runCli(process.argv).catch(exitWithError);
 * ```
 */
export function exitWithError(e: unknown): never {
  process.stderr.write(`${errorLine(e)}\n`);
  process.exit(1);
}

/**
 * Makes uncaught exceptions and unhandled rejections end the process through
 * {@link exitWithError}. The handlers go first in line, ahead of any a dependency installs
 * before or after (the wasm backend's), and exit before those run.
 *
 * @example
 * ```ts
 * installFatalHandlers();
 * ```
 */
export function installFatalHandlers(): void {
  process.prependListener('uncaughtException', exitWithError);
  process.prependListener('unhandledRejection', exitWithError);
}
