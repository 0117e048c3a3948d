import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestApi, type TestApi } from '@slipway/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slipway, temporaryDirectory } from './testing/cli-harness.js';

const PASSWORD = 'correct horse battery staple';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('slipway login', () => {
  it('logs in, saves an API token the other commands then use, for the owner only', async () => {
    const { email } = await api.login();
    const home = await temporaryDirectory();
    const login = await slipway(['login', `${api.url}/`, '--email', email], {
      env: { XDG_CONFIG_HOME: home, SLIPWAY_PASSWORD: PASSWORD },
    });
    expect(login.code, login.stderr).toBe(0);
    const path = join(home, 'slipway', 'config.json');
    expect(login.stderr).toBe(
      `logged in to ${api.url} as ${email}; API token "${login.stderr.match(/"(.*)"/)?.[1]}" saved in ${path}\n`,
    );
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved).toEqual({ url: api.url, token: expect.stringMatching(/^swu/), email });
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const ls = await slipway(['run', 'ls', '--json'], { env: { XDG_CONFIG_HOME: home } });
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout)).toMatchObject({ runs: [], total: 0 });
  });

  it('asks for the e-mail address and, without echo, the password', async () => {
    const { email } = await api.login();
    const home = await temporaryDirectory();
    const asked: [string, boolean][] = [];
    const login = await slipway(['login', api.url], {
      env: { XDG_CONFIG_HOME: home },
      prompt: async (question, { echo }) => {
        asked.push([question, echo]);
        return echo ? email : PASSWORD;
      },
    });
    expect(login.code, login.stderr).toBe(0);
    expect(asked).toEqual([
      ['E-mail: ', true],
      ['Password: ', false],
    ]);
  });

  it('refuses a wrong password with the API’s message and saves nothing', async () => {
    const { email } = await api.login();
    const home = await temporaryDirectory();
    const login = await slipway(['login', api.url, '--email', email], {
      env: { XDG_CONFIG_HOME: home, SLIPWAY_PASSWORD: 'wrong password!' },
    });
    expect(login.code).toBe(3);
    expect(login.stderr).toMatch(/^error: .*\[unauthenticated\]\n$/);
    expect(existsSync(join(home, 'slipway'))).toBe(false);
  });

  it('refuses a URL that is not http(s)', async () => {
    const login = await slipway(['login', 'ftp://example.org'], {
      env: { XDG_CONFIG_HOME: '/nonexistent' },
    });
    expect(login.code).toBe(3);
    expect(login.stderr).toBe(
      'error: "ftp://example.org" is not an http:// or https:// URL\nUsage: slipway login URL [--email E]\n',
    );
  });
});
