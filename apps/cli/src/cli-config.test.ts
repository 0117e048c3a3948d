import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cliConfigPath,
  normalizeApiUrl,
  readCliConfig,
  resolveConnection,
  writeCliConfig,
} from './cli-config.js';
import { readEnvironment } from './config.js';
import { temporaryDirectory } from './testing/cli-harness.js';

async function environmentIn(extra: Record<string, string> = {}) {
  const home = await temporaryDirectory();
  return readEnvironment({ XDG_CONFIG_HOME: home, ...extra });
}

describe('the CLI configuration', () => {
  it('is written for its owner only and read back', async () => {
    const environment = await environmentIn();
    expect(await readCliConfig(environment)).toBeNull();
    const path = await writeCliConfig(
      { url: 'http://127.0.0.1:8080', token: 'swu_1', email: 'a@b.c' },
      environment,
    );
    expect(path).toBe(join(environment.configDir, 'config.json'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readCliConfig(environment)).toEqual({
      url: 'http://127.0.0.1:8080',
      token: 'swu_1',
      email: 'a@b.c',
    });
  });

  it('lives in ~/.config/slipway without XDG_CONFIG_HOME', () => {
    expect(cliConfigPath(readEnvironment({ HOME: '/home/ada' }))).toBe(
      '/home/ada/.config/slipway/config.json',
    );
  });

  it('gives way to SLIPWAY_URL and SLIPWAY_TOKEN', async () => {
    const environment = await environmentIn({
      SLIPWAY_URL: 'http://ci:9000/',
      SLIPWAY_TOKEN: 'swu_env',
    });
    await writeCliConfig({ url: 'http://ci:9000', token: 'swu_file' }, environment);
    expect(await resolveConnection(environment)).toEqual({
      url: 'http://ci:9000',
      token: 'swu_env',
    });
  });

  it('never sends the saved token to another API', async () => {
    const saved = await environmentIn();
    await writeCliConfig({ url: 'http://home:8080', token: 'swu_file' }, saved);
    expect(await resolveConnection(saved)).toEqual({ url: 'http://home:8080', token: 'swu_file' });
    const elsewhere = { ...saved, url: 'http://elsewhere:8080' };
    await expect(resolveConnection(elsewhere)).rejects.toThrow(
      'no API token for http://elsewhere:8080',
    );
  });

  it('says how to log in when there is nothing', async () => {
    await expect(resolveConnection(await environmentIn())).rejects.toThrow(
      'not logged in: run `slipway login URL`',
    );
  });

  it('names a broken file', async () => {
    const environment = await environmentIn();
    const path = await writeCliConfig({ url: 'http://a:1', token: 't' }, environment);
    await writeFile(path, '{"url": "ftp://x", "token": "t"}');
    await expect(readCliConfig(environment)).rejects.toThrow(
      `${path}: url: url is not an http(s) URL`,
    );
    await writeFile(path, 'nope');
    await expect(readCliConfig(environment)).rejects.toThrow(`${path} is not JSON`);
    expect(await readFile(path, 'utf8')).toBe('nope');
  });

  it('normalizes the URL', () => {
    expect(normalizeApiUrl('http://h:8080/')).toBe('http://h:8080');
    expect(normalizeApiUrl('https://h/slipway/api/')).toBe('https://h/slipway');
    expect(() => normalizeApiUrl('h:8080')).toThrow('not an http:// or https:// URL');
    expect(() => normalizeApiUrl('not a url')).toThrow('is not a URL');
  });
});
