import type { CliIo } from './cli-io.js';
import { environment, invocationDirectory } from './config.js';
import { main } from './main.js';
import { terminalPrompt } from './terminal-prompt.js';

/** The `slipway` executable: the process's streams, environment and directory. */
export async function runCli(argv: string[]): Promise<number> {
  const env = environment();
  // `slipway … | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    cwd: invocationDirectory(env),
    prompt: terminalPrompt(process.stdin, process.stderr),
  };
  // `pnpm start -- --port 9000` hands the `--` on; it separates pnpm's options, not ours.
  return main(
    argv.filter((arg, index) => !(arg === '--' && index <= 1)),
    io,
  );
}
