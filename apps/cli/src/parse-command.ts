import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** One command's command line: what `--help` shows and what parseArgs accepts. */
export interface CommandSpec<O extends Options> {
  /** The usage line, e.g. `slipway module get PATH [--version N] [-o yaml|json] [--json]`. */
  usage: string;
  /** What the command does and what its options mean, shown by --help under the usage. */
  help: string;
  options: O;
  /** Names of the positional arguments in order; a trailing `…` takes any number. */
  positionals: string[];
  /** How many of them must be given. */
  required: number;
}

export type ParsedCommand<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>
>;

export function defineCommand<O extends Options>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

export function helpText(spec: CommandSpec<Options>): string {
  return `Usage: ${spec.usage}\n\n${spec.help.trim()}\n`;
}

/** `--help` anywhere before `--`. */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Parses a command line strictly: an unknown option, a missing value or a surplus argument
 * is a usage error naming it.
 */
export function parseCommand<O extends Options>(
  spec: CommandSpec<O>,
  args: string[],
): ParsedCommand<O> {
  let parsed: ParsedCommand<O>;
  try {
    parsed = parseArgs({ args, options: spec.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as Error & { code?: string }), spec.usage);
  }
  const variadic = spec.positionals.at(-1)?.endsWith('…') ?? false;
  const given = parsed.positionals.length;
  if (given < spec.required) {
    const missing = spec.positionals[given] ?? 'an argument';
    throw new UsageError(`missing ${missing.replace('…', '')}`, spec.usage);
  }
  if (!variadic && given > spec.positionals.length) {
    throw new UsageError(
      `unexpected argument "${parsed.positionals[spec.positionals.length]}"`,
      spec.usage,
    );
  }
  return parsed;
}

function parseArgsMessage(error: Error & { code?: string }): string {
  // parseArgs names the option as '--version <value>' or '-o, --output <value>'.
  const quoted = /'(-[^']*)'/.exec(error.message)?.[1]?.replace(/ <value>$/, '');
  const option = quoted?.split(', ').at(-1) ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return error.message.includes('does not take')
        ? `option ${option} takes no value`
        : `option ${option} needs a value`;
    default:
      return error.message.split('. ')[0] ?? error.message;
  }
}

/** A whole number option; `what` names it in the message. */
export function wholeNumber(
  text: string,
  what: string,
  usage: string,
  range: { min: number; max?: number } = { min: 0 },
): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`${what} must be a whole number, not "${text}"`, usage);
  const value = Number(text);
  if (value < range.min || (range.max !== undefined && value > range.max)) {
    const bounds =
      range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new UsageError(`${what} must be ${bounds}, not ${text}`, usage);
  }
  return value;
}
