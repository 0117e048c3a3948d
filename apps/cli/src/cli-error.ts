import type { Problem } from '@slipway/domain';

/** Exit codes of every command; `slipway run --wait` tells the run's end by the first three. */
export const EXIT = { success: 0, failed: 1, aborted: 2, error: 3 } as const;

/** An error shown to the user as one line (and its problems); never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A command line that does not fit the command: shown with the command's usage line. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
