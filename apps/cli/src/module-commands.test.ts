import { startTestApi, type TestApi } from '@slipway/api/testing';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIR_YAML, userWithToken, writeFixture } from './testing/cli-fixtures.js';
import { slipway, temporaryDirectory } from './testing/cli-harness.js';

let api: TestApi;
let env: Record<string, string>;
let otherEnv: Record<string, string>;
let dir: string;

beforeAll(async () => {
  api = await startTestApi();
  env = (await userWithToken(api)).env;
  otherEnv = (await userWithToken(api)).env;
  dir = await temporaryDirectory();
});
afterAll(async () => {
  await api?.close();
});

const cli = (argv: string[], who = env) => slipway(argv, { env: who, cwd: dir });

describe('slipway module put', () => {
  it('saves every document of a file, prints each version and the warnings, then finds nothing to change', async () => {
    await writeFixture(dir, 'pair.yaml', PAIR_YAML);
    const first = await cli(['module', 'put', '-f', 'pair.yaml']);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'created Cli version 1',
      'created Cli/base version 1',
      'created Cli/client version 1',
      'created Cli/pair version 1',
      'created Cli/web version 1',
    ]);
    expect(first.stderr).toMatch(/^warning: pair\.yaml:\d+: Cli\/pair: .*greeting.*\n$/);

    const again = await cli(['module', 'put', '-f', 'pair.yaml']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unchanged Cli/pair version 1');
  });

  it('prints every problem of a refused file as FILE:LINE: module: at: message and saves none of it', async () => {
    await writeFixture(
      dir,
      'broken.yaml',
      [
        'path: Cli/broken',
        'kind: image',
        'colour: red',
        '---',
        'path: Cli/bad',
        'kind: deployment',
        'nodes:',
        '  - name: bad-name',
        '    image: Cli/web',
        '',
      ].join('\n'),
    );
    const refused = await cli(['module', 'put', '-f', 'broken.yaml']);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
    const lines = refused.stderr.trim().split('\n');
    // An unknown field is reported on its own line.
    expect(lines).toContainEqual(
      expect.stringMatching(/^broken\.yaml:3: Cli\/broken: colour: unknown field "colour"/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^broken\.yaml:8: Cli\/bad: nodes\.0\.name: a node name is a letter/),
    );
    expect(lines.at(-1)).toBe('1 of 1 file refused');
    for (const path of ['Cli/broken', 'Cli/bad']) {
      expect((await cli(['module', 'get', path])).code).toBe(3);
    }
  });

  it('places problems found across modules on their line too', async () => {
    await writeFixture(dir, 'orphan.yaml', 'path: Cli/orphan\nkind: image\nparent: Cli/nosuch\n');
    const refused = await cli(['module', 'put', '-f', 'orphan.yaml']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^orphan\.yaml:3: Cli\/orphan: parent: .*Cli\/nosuch/m);
    expect((await cli(['module', 'ls', 'Cli'])).stdout).not.toContain('Cli/orphan');
  });

  it('goes on with the other files when one cannot be read, and exits 3', async () => {
    await writeFixture(dir, 'more.yaml', 'path: Cli/more\nkind: project\n');
    const result = await cli(['module', 'put', '-f', 'missing.yaml', 'more.yaml']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('missing.yaml: cannot read:');
    expect(result.stdout).toBe('created Cli/more version 1\n');
  });

  it('refuses a module of another user, changing nothing', async () => {
    await writeFixture(dir, 'steal.yaml', 'path: Cli/web\nkind: image\ndescription: mine now\n');
    const result = await cli(['module', 'put', '-f', 'steal.yaml'], otherEnv);
    expect(result.code).toBe(3);
    expect((await cli(['module', 'get', 'Cli/web'])).stdout).toContain(
      'description: serves data.txt',
    );
  });

  it('needs a file', async () => {
    const result = await cli(['module', 'put']);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'error: give at least one file with -f FILE\nUsage: slipway module put -f FILE… [--comment TEXT]\n',
    );
  });
});

describe('slipway module get', () => {
  it('prints the document as YAML that module put takes back, or as JSON', async () => {
    const yaml = await cli(['module', 'get', 'Cli/web']);
    expect(yaml.code).toBe(0);
    const document = parse(yaml.stdout);
    expect(document).toMatchObject({
      path: 'Cli/web',
      kind: 'image',
      parent: 'Cli/base',
      targets: { execute: '#!/bin/sh -e\nss-set ready true\n' },
    });
    expect(yaml.stdout).toContain('execute: |');
    const json = await cli(['module', 'get', 'Cli/web', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(document);
    const whole = JSON.parse((await cli(['module', 'get', 'Cli/web', '--json'])).stdout);
    expect(whole).toMatchObject({ path: 'Cli/web', version: 1, latestVersion: 1, document });
  });

  it('prints an older version', async () => {
    await writeFixture(
      dir,
      'web2.yaml',
      'path: Cli/web\nkind: image\nparent: Cli/base\ndescription: v2\n',
    );
    expect((await cli(['module', 'put', '-f', 'web2.yaml'])).stdout).toBe(
      'saved Cli/web version 2\n',
    );
    expect(parse((await cli(['module', 'get', 'Cli/web'])).stdout).description).toBe('v2');
    expect(
      parse((await cli(['module', 'get', 'Cli/web', '--version', '1'])).stdout).description,
    ).toBe('serves data.txt');
    expect(parse((await cli(['module', 'get', 'Cli/web@1'])).stdout).description).toBe(
      'serves data.txt',
    );
  });

  it('says what is wrong with a path, a version or a format', async () => {
    const missing = await cli(['module', 'get', 'Cli/nosuch']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error: .*Cli\/nosuch.* \[not_found\]\n$/);
    expect((await cli(['module', 'get', 'Cli/web', '--version', '9'])).code).toBe(3);
    expect((await cli(['module', 'get', 'Cli/web', '--version', 'x'])).stderr).toContain(
      '--version must be a whole number',
    );
    expect((await cli(['module', 'get', 'Cli/web', '-o', 'xml'])).stderr).toContain(
      '-o is yaml or json',
    );
    expect((await cli(['module', 'get', 'Cli//web'])).stderr).toContain('empty segment');
  });

  it('does not show a private module to another user', async () => {
    const result = await cli(['module', 'get', 'Cli/web'], otherEnv);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
  });
});

describe('slipway module ls', () => {
  it('lists root projects, then a project’s modules', async () => {
    const roots = await cli(['module', 'ls']);
    expect(roots.code).toBe(0);
    expect(roots.stdout).toMatch(/^PATH\s+KIND\s+VERSION\s+ACCESS\s+OWNER\s+DESCRIPTION\n/);
    expect(roots.stdout).toMatch(/^Cli\s+project\s+1\s+private/m);
    const children = await cli(['module', 'ls', 'Cli']);
    expect(children.stdout).toMatch(/^Cli\/web\s+image\s+2\s+private\s+\S+\s+v2$/m);
    expect(children.stdout).toMatch(/^Cli\/pair\s+deployment\s+1/m);
    const json = JSON.parse((await cli(['module', 'ls', 'Cli', '--json'])).stdout);
    expect(json.modules.map((m: { path: string }) => m.path).sort()).toEqual([
      'Cli/base',
      'Cli/client',
      'Cli/more',
      'Cli/pair',
      'Cli/web',
    ]);
  });

  it('shows another user none of the private modules', async () => {
    const inside = await cli(['module', 'ls', 'Cli'], otherEnv);
    expect(inside).toEqual({
      code: 3,
      stdout: '',
      stderr: 'error: module Cli does not exist or you cannot read it [not_found]\n',
    });
    const roots = JSON.parse((await cli(['module', 'ls', '--json'], otherEnv)).stdout);
    expect(roots.modules.map((m: { path: string }) => m.path)).not.toContain('Cli');
  });
});
