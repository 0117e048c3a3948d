/** Where a command writes: process.stdout/stderr, or a test's capture. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** How long the live view waits between tries; tests shorten them. */
export interface WatchTiming {
  /** Between two reads of the run when the live stream is unavailable. */
  pollMs: number;
  /** Before reconnecting a dropped live stream (doubled up to 8 times this on each failure). */
  reconnectMs: number;
  /** A stream silent for this long (no keep-alive either) is taken as dropped. */
  idleMs: number;
  /** Giving up after the API stayed unreachable for this long. */
  giveUpMs: number;
}

/** Everything a command touches outside itself, so tests run it in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  /** Relative file and directory names are taken from here. */
  cwd: string;
  /** Asks the user for a line; `echo: false` for a password. */
  prompt(question: string, options: { echo: boolean }): Promise<string>;
  fetch?: typeof fetch;
  timing?: Partial<WatchTiming>;
}
