import { createInterface } from 'node:readline';
import { CliError } from './cli-error.js';

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };

/**
 * Asks on the terminal. A password is typed without echo; from a pipe, the next line of
 * stdin is the answer.
 */
export function terminalPrompt(input: Input, output: NodeJS.WritableStream) {
  return (question: string, options: { echo: boolean }): Promise<string> =>
    options.echo || !input.isTTY || !input.setRawMode
      ? readLine(input, output, question, options.echo)
      : readSecret(input, output, question);
}

function readLine(
  input: Input,
  output: NodeJS.WritableStream,
  question: string,
  echo: boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input, terminal: false });
    let answered = false;
    output.write(question);
    lines.once('line', (line) => {
      answered = true;
      if (!echo) output.write('\n');
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) reject(new CliError(`no answer to "${question.trim()}" (stdin ended)`));
    });
  });
}

function readSecret(
  input: Input,
  output: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let secret = '';
    output.write(question);
    input.setRawMode?.(true);
    input.resume();
    const finish = (error?: CliError) => {
      input.setRawMode?.(false);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new CliError('cancelled'));
        if (char === '\u007f' || char === '\b') secret = secret.slice(0, -1);
        else secret += char;
      }
    };
    input.on('data', onData);
  });
}
