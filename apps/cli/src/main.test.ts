import { describe, expect, it } from 'vitest';
import { describeError } from './main.js';
import { ApiError } from './api-client.js';
import { slipway } from './testing/cli-harness.js';

const env = { XDG_CONFIG_HOME: '/nonexistent/slipway-test' };

describe('main', () => {
  it('lists the commands with --help, and exits 3 with them when given nothing', async () => {
    const help = await slipway(['--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('module put -f FILE…');
    expect(help.stdout).toContain('run reports ID [-o DIR]');
    const nothing = await slipway([], { env });
    expect(nothing.code).toBe(3);
    expect(nothing.stderr).toContain('Usage: slipway COMMAND');
  });

  it('shows each command its help', async () => {
    for (const argv of [
      ['login', '--help'],
      ['module', 'put', '--help'],
      ['module', 'get', '-h'],
      ['module', 'ls', '--help'],
      ['run', '--help'],
      ['run', 'watch', '--help'],
      ['run', 'abort', '--help'],
      ['run', 'terminate', '--help'],
      ['run', 'params', '--help'],
      ['run', 'reports', '--help'],
      ['run', 'ls', '--help'],
    ]) {
      const result = await slipway(argv, { env });
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout, argv.join(' ')).toMatch(/^Usage: slipway /);
    }
  });

  it('refuses an unknown command or option with the usage line, touching no API', async () => {
    const unknown = await slipway(['deploy'], { env });
    expect(unknown).toMatchObject({ code: 3, stdout: '' });
    expect(unknown.stderr).toContain('error: unknown command "deploy"');
    const option = await slipway(['module', 'get', 'P/x', '--bogus'], { env });
    expect(option.code).toBe(3);
    expect(option.stderr).toBe(
      'error: unknown option --bogus\nUsage: slipway module get PATH[@VERSION] [--version N] [-o yaml|json] [--json]\n',
    );
    const sub = await slipway(['module', 'rm', 'P/x'], { env });
    expect(sub.code).toBe(3);
    expect(sub.stderr).toContain('unknown command "module rm"');
    const id = await slipway(['run', 'params', 'not-a-run'], { env });
    expect(id.code).toBe(3);
    expect(id.stderr).toContain('"not-a-run" is not a run id');
  });

  it('says how to log in when nothing is configured', async () => {
    const result = await slipway(['module', 'ls'], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'error: not logged in: run `slipway login URL`, or set SLIPWAY_URL and SLIPWAY_TOKEN\n',
    );
  });

  it('says when the API cannot be reached, in one line', async () => {
    const result = await slipway(['run', 'ls'], {
      env: { ...env, SLIPWAY_URL: 'http://127.0.0.1:9', SLIPWAY_TOKEN: 'swu_x' },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^error: cannot reach the Slipway API at http:\/\/127\.0\.0\.1:9: .+\n$/,
    );
  });
});

describe('describeError', () => {
  it('shows the API message and every problem when there are several', () => {
    const problems = [
      { module: 'P/d', at: ['nodes', 'a'], message: 'one' },
      { module: 'P/d', at: ['nodes', 'b'], message: 'two' },
    ];
    expect(
      describeError(
        new ApiError(400, 'invalid_run', 'P/d, nodes.a: one (and 1 more problem)', problems),
      ),
    ).toBe(
      'error: P/d, nodes.a: one (and 1 more problem) [invalid_run]\n  P/d: nodes.a: one\n  P/d: nodes.b: two\n',
    );
  });

  it('never shows a stack trace unless asked', () => {
    const error = new TypeError('x is not a function');
    expect(describeError(error)).toBe('error: x is not a function\n');
    expect(describeError(error, true)).toContain('at ');
  });
});
