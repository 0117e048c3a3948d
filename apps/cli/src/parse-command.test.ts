import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-error.js';
import { defineCommand, parseCommand, wantsHelp, wholeNumber } from './parse-command.js';

const spec = defineCommand({
  usage: 'slipway thing get PATH [--version N] [-o FORMAT] [--json]',
  help: 'Gets a thing.',
  options: {
    version: { type: 'string' },
    output: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
  },
  positionals: ['PATH'],
  required: 1,
});

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('no usage error');
}

describe('parseCommand', () => {
  it('takes options and positionals', () => {
    const { values, positionals } = parseCommand(spec, [
      'A/b',
      '--version',
      '3',
      '-o',
      'json',
      '--json',
    ]);
    expect(positionals).toEqual(['A/b']);
    expect(values).toEqual({ version: '3', output: 'json', json: true });
  });

  it('names an unknown option, a missing value and a value given to a flag, with the usage line', () => {
    const unknown = usageError(() => parseCommand(spec, ['A/b', '--bogus']));
    expect(unknown.message).toBe('unknown option --bogus');
    expect(unknown.usage).toBe(spec.usage);
    expect(usageError(() => parseCommand(spec, ['A/b', '-o'])).message).toBe(
      'option --output needs a value',
    );
    expect(usageError(() => parseCommand(spec, ['A/b', '--version'])).message).toBe(
      'option --version needs a value',
    );
    expect(usageError(() => parseCommand(spec, ['A/b', '--json=yes'])).message).toBe(
      'option --json takes no value',
    );
  });

  it('refuses a missing or a surplus argument', () => {
    expect(usageError(() => parseCommand(spec, [])).message).toBe('missing PATH');
    expect(usageError(() => parseCommand(spec, ['A/b', 'C/d'])).message).toBe(
      'unexpected argument "C/d"',
    );
  });

  it('takes any number of arguments after a trailing FILE…', () => {
    const files = defineCommand({ ...spec, positionals: ['FILE…'], required: 0 });
    expect(parseCommand(files, ['a', 'b', 'c']).positionals).toEqual(['a', 'b', 'c']);
  });

  it('finds --help before --, not after it', () => {
    expect(wantsHelp(['A/b', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['A/b', '--', '--help'])).toBe(false);
  });

  it('reads whole numbers in a range', () => {
    expect(wholeNumber('12', '--timeout', 'u', { min: 1, max: 60 })).toBe(12);
    expect(() => wholeNumber('0', '--timeout', 'u', { min: 1 })).toThrow(
      '--timeout must be at least 1, not 0',
    );
    expect(() => wholeNumber('1.5', '--timeout', 'u')).toThrow('must be a whole number, not "1.5"');
    expect(() => wholeNumber('-2', '--timeout', 'u')).toThrow('must be a whole number');
  });
});
