import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the CLI takes from its environment; the one place that reads it. */
export interface CliEnvironment {
  /** The API, e.g. http://127.0.0.1:8080; wins over the configuration file. */
  url: string | undefined;
  /** An API token; wins over the configuration file. */
  token: string | undefined;
  /** For `slipway login` without a prompt (CI). */
  password: string | undefined;
  /** Directory of config.json. */
  configDir: string;
  /** SLIPWAY_DEBUG: unexpected errors are shown with their stack. */
  debug: boolean;
}

type Env = Record<string, string | undefined>;

const nonEmpty = (value: string | undefined) =>
  value === undefined || value === '' ? undefined : value;

export function readEnvironment(env: Env = process.env): CliEnvironment {
  const configHome =
    nonEmpty(env.XDG_CONFIG_HOME) ?? join(nonEmpty(env.HOME) ?? homedir(), '.config');
  return {
    url: nonEmpty(env.SLIPWAY_URL),
    token: nonEmpty(env.SLIPWAY_TOKEN),
    password: env.SLIPWAY_PASSWORD,
    configDir: join(configHome, 'slipway'),
    debug: nonEmpty(env.SLIPWAY_DEBUG) !== undefined,
  };
}

/**
 * `pnpm slipway …` runs the CLI from the repository root; files named on the command line
 * are relative to where the user typed it.
 */
export function invocationDirectory(env: Env = process.env): string {
  return env.npm_lifecycle_event === 'slipway' && env.INIT_CWD ? env.INIT_CWD : process.cwd();
}

/** The process's environment, as `main` (and `slipway start`) take it. */
export function environment(): Record<string, string | undefined> {
  return process.env;
}
