// How the CLI programs end on a problem: one line on stderr naming the problem, and a non-zero exit code.
import { CliArgumentError } from './args';

/** A problem with the user's input (data, model, files) rather than a bug; exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Exit codes: 2 for bad arguments (as getopt-style tools do), 1 for everything else. */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliArgumentError ? 2 : 1;
}

/** The error's message as one line (multi-line messages are joined), prefixed with "error:". */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `error: ${message.replace(/\s*\n\s*/g, ' ').trim()}`;
}

/** Runs a program's main function; any failure prints one line and sets a non-zero exit code. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      process.stderr.write(`${oneLine(error)}\n`);
      if (process.env.WEBTUNE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = exitCodeOf(error);
    },
  );
}
