import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.js';
import { readEnvironment, type CliEnvironment } from './config.js';

/** What `slipway login` (and `slipway start`) saves: where the API is and how to call it. */
export const CliConfig = z.object({
  url: z.url({ protocol: /^https?$/, error: 'url is not an http(s) URL' }),
  token: z.string().min(1, 'token is empty'),
  email: z.string().optional(),
});
export type CliConfig = z.infer<typeof CliConfig>;

export function cliConfigPath(environment: CliEnvironment = readEnvironment()): string {
  return join(environment.configDir, 'config.json');
}

/** The saved configuration, or null when there is none. */
export async function readCliConfig(
  environment: CliEnvironment = readEnvironment(),
): Promise<CliConfig | null> {
  const path = cliConfigPath(environment);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not JSON; run \`slipway login URL\` to write it anew`);
  }
  const parsed = CliConfig.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(
      `${path}: ${issue?.path.join('.') || 'config'}: ${issue?.message}; run \`slipway login URL\``,
    );
  }
  return parsed.data;
}

/**
 * Saves the configuration, readable by its owner only since it holds an API token. Written
 * to a temporary file first, so a crash never leaves half a file.
 */
export async function writeCliConfig(
  config: CliConfig,
  environment: CliEnvironment = readEnvironment(),
): Promise<string> {
  const checked = CliConfig.parse(config);
  const path = cliConfigPath(environment);
  await mkdir(environment.configDir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checked, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
  return path;
}

export interface Connection {
  url: string;
  token: string;
}

/**
 * Where to send requests. SLIPWAY_URL and SLIPWAY_TOKEN win over the file; the file's token
 * is never sent to another API than the one it was made by.
 */
export async function resolveConnection(environment: CliEnvironment): Promise<Connection> {
  const saved = await readCliConfig(environment);
  const url = normalizeApiUrl(environment.url ?? saved?.url ?? '');
  if (url === '') {
    throw new CliError(
      'not logged in: run `slipway login URL`, or set SLIPWAY_URL and SLIPWAY_TOKEN',
    );
  }
  const token =
    environment.token ?? (saved && normalizeApiUrl(saved.url) === url ? saved.token : undefined);
  if (token === undefined) {
    throw new CliError(
      `no API token for ${url}: set SLIPWAY_TOKEN, or run \`slipway login ${url}\``,
    );
  }
  return { url, token };
}

/** `http://host:8080/`, `http://host:8080/api` → `http://host:8080`. */
export function normalizeApiUrl(text: string): string {
  if (text === '') return '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`"${text}" is not a URL; give it as http://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`"${text}" is not an http:// or https:// URL`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  return `${url.origin}${path}`;
}
