import { ApiClient } from './api-client.js';
import { resolveConnection } from './cli-config.js';
import type { CliIo } from './cli-io.js';
import type { CliEnvironment } from './config.js';

/** What every command runs with. */
export interface CommandContext {
  io: CliIo;
  environment: CliEnvironment;
  /** A client of the configured API, with the configured token. */
  api(): Promise<ApiClient>;
  out(text: string): void;
  err(text: string): void;
}

export function createCommandContext(io: CliIo, environment: CliEnvironment): CommandContext {
  let client: Promise<ApiClient> | undefined;
  return {
    io,
    environment,
    api() {
      client ??= resolveConnection(environment).then(
        ({ url, token }) => new ApiClient(url, { token }, io.fetch),
      );
      return client;
    },
    out: (text) => void io.stdout.write(text),
    err: (text) => void io.stderr.write(text),
  };
}
