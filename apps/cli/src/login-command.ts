import { hostname } from 'node:os';
import { z } from 'zod';
import { ApiClient } from './api-client.js';
import { normalizeApiUrl, readCliConfig, writeCliConfig } from './cli-config.js';
import { CliError, EXIT, UsageError } from './cli-error.js';
import type { CommandContext } from './command-context.js';
import { defineCommand, parseCommand } from './parse-command.js';

export const loginCommand = defineCommand({
  usage: 'slipway login URL [--email E]',
  help: `
Logs in to the Slipway at URL, creates an API token for this CLI and saves it, with the
URL, in $XDG_CONFIG_HOME/slipway/config.json (default ~/.config/slipway/config.json).
The password is asked without echo, or taken from SLIPWAY_PASSWORD.

  --email E   your account's e-mail address (asked when absent)`,
  options: { email: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  positionals: ['URL'],
  required: 1,
});

const LoggedIn = z.object({ csrfToken: z.string() });
const CreatedToken = z.object({ token: z.string(), name: z.string() });

export async function login(context: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(loginCommand, args);
  const { io, environment } = context;
  let url: string;
  try {
    url = normalizeApiUrl(positionals[0] ?? '');
  } catch (error) {
    throw new UsageError((error as Error).message, loginCommand.usage);
  }
  const saved = await readCliConfig(environment).catch(() => null);
  const known = saved && normalizeApiUrl(saved.url) === url ? saved.email : undefined;
  let email = values.email;
  if (email === undefined) {
    const answer = (
      await io.prompt(known ? `E-mail [${known}]: ` : 'E-mail: ', { echo: true })
    ).trim();
    email = answer || known;
  }
  if (!email) throw new CliError('no e-mail address given');
  const password = environment.password ?? (await io.prompt('Password: ', { echo: false }));

  const anonymous = new ApiClient(url, null, io.fetch);
  const response = await anonymous.request('POST', '/api/auth/login', {
    json: { email, password },
  });
  const { csrfToken } = LoggedIn.parse(await response.json());
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0])
    .join('; ');
  if (cookie === '') throw new CliError(`the API at ${url} logged you in without a session cookie`);
  const session = new ApiClient(url, { cookie, csrfToken }, io.fetch);
  const name = `slipway CLI on ${hostname()}`.slice(0, 100);
  const { token } = await session.post('/api/me/tokens', CreatedToken, { json: { name } });
  // The token is what the CLI keeps; the session is not needed any more.
  await session.request('POST', '/api/auth/logout').catch(() => undefined);

  const path = await writeCliConfig({ url, token, email }, environment);
  context.err(`logged in to ${url} as ${email}; API token "${name}" saved in ${path}\n`);
  if (environment.url !== undefined || environment.token !== undefined) {
    context.err(
      'note: SLIPWAY_URL and SLIPWAY_TOKEN are set and win over the saved configuration\n',
    );
  }
  return EXIT.success;
}
