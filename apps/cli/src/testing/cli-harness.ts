import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo, OutputStream } from '../cli-io.js';
import { main } from '../main.js';

/** A stream that keeps what is written, as a terminal or a pipe would show it. */
export class CapturedStream implements OutputStream {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns = 100,
  ) {}
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export type Harness = Partial<Omit<CliIo, 'stdout' | 'stderr'>> & {
  env: Record<string, string | undefined>;
};

/** Runs one `slipway` command line in this process. */
export async function slipway(argv: string[], harness: Harness): Promise<CliRun> {
  const started = startSlipway(argv, harness);
  const code = await started.done;
  return { code, stdout: started.stdout.text, stderr: started.stderr.text };
}

/** Starts a command line without waiting for it, to watch its output as it goes. */
export function startSlipway(argv: string[], harness: Harness, options: { tty?: boolean } = {}) {
  const stdout = new CapturedStream();
  const stderr = new CapturedStream(options.tty ?? false);
  const io: CliIo = {
    cwd: process.cwd(),
    prompt: async () => {
      throw new Error('the test did not expect a prompt');
    },
    ...harness,
    stdout,
    stderr,
  };
  return { stdout, stderr, done: main(argv, io) };
}

export async function temporaryDirectory(prefix = 'slipway-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Waits until `check` holds (checked every 20 ms), failing after `ms`. */
export async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
