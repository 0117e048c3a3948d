import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTestApi, type TestApi, type TestClient } from '@slipway/api/testing';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAIR_YAML, startRun, userWithToken, writeFixture } from './testing/cli-fixtures.js';
import { slipway, temporaryDirectory } from './testing/cli-harness.js';

let api: TestApi;
let alice: { client: TestClient; env: Record<string, string> };
let bob: { client: TestClient; env: Record<string, string> };
let dir: string;

beforeAll(async () => {
  api = await startTestApi();
  alice = await userWithToken(api);
  bob = await userWithToken(api);
  dir = await temporaryDirectory();
  await writeFixture(dir, 'pair.yaml', PAIR_YAML);
  const put = await slipway(['module', 'put', '-f', 'pair.yaml'], { env: alice.env, cwd: dir });
  expect(put.code).toBe(0);
});
afterAll(async () => {
  await api?.close();
});

const cli = (argv: string[], who = alice) => slipway(argv, { env: who.env, cwd: dir });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function launch(...args: string[]): Promise<string> {
  const result = await cli(['run', 'Cli/pair', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function runCount(who = alice): Promise<number> {
  return JSON.parse((await cli(['run', 'ls', '--json'], who)).stdout).total;
}

describe('slipway run PATH', () => {
  it('prints the run id alone on stdout, progress and warnings on stderr', async () => {
    const result = await cli(['run', 'Cli/pair']);
    expect(result.code).toBe(0);
    const [id, ...rest] = result.stdout.split('\n');
    expect(id).toMatch(UUID);
    expect(rest).toEqual(['']);
    expect(result.stderr).toContain(`launched run ${id} of Cli/pair@1\n`);
    expect(result.stderr).toMatch(/^warning: .*greeting/m);
  });

  it('sends every override', async () => {
    const id = await launch(
      '--multiplicity',
      'client=3',
      '--set',
      'client:greeting=hello=world',
      '--cloud',
      'local',
      '--keep-running',
      'on-error',
      '--timeout',
      '30',
      '--tag',
      'nightly',
      '--tag',
      'cli',
    );
    const { run } = (await alice.client.get(`/api/runs/${id}`)).body;
    expect(run).toMatchObject({
      keepRunning: 'on-error',
      timeoutMinutes: 30,
      tags: ['nightly', 'cli'],
    });
    expect(run.instances.map((i: { name: string }) => i.name).sort()).toEqual([
      'client-1',
      'client-2',
      'client-3',
      'web-1',
    ]);
    const params = await cli(['run', 'params', id]);
    expect(params.stdout).toMatch(/^client-3:greeting\s+hello=world$/m);
  });

  it('refuses a bad override with the API’s problem, exit 3, and launches nothing', async () => {
    const before = await runCount();
    const node = await cli(['run', 'Cli/pair', '--set', 'nosuch:x=1']);
    expect(node.code).toBe(3);
    expect(node.stdout).toBe('');
    expect(node.stderr).toMatch(/^error: .*nosuch.*\[invalid_run\]\n/);
    const parameter = await cli([
      'run',
      'Cli/pair',
      '--set',
      'client:nosuch=1',
      '--multiplicity',
      'web=0',
    ]);
    expect(parameter.code).toBe(3);
    expect(parameter.stderr).toContain('nosuch');
    const form = await cli(['run', 'Cli/pair', '--multiplicity', 'client=-1']);
    expect(form.code).toBe(3);
    expect(form.stderr).toContain(
      '--multiplicity client must be a whole number, not "-1"\nUsage: slipway run PATH',
    );
    const module = await cli(['run', 'Cli/nosuch']);
    expect(module.code).toBe(3);
    expect(module.stderr).toContain('Cli/nosuch');
    expect(await runCount()).toBe(before);
  });

  it('runs nothing of another user’s private module', async () => {
    const before = await runCount(bob);
    const result = await cli(['run', 'Cli/pair'], bob);
    expect(result.code).toBe(3);
    expect(await runCount(bob)).toBe(before);
  });
});

describe('slipway run ls', () => {
  it('lists the caller’s runs, filtered by module and state', async () => {
    const id = await launch('--tag', 'listed');
    const table = await cli(['run', 'ls']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATE\s+OUTCOME\s+MODULE\s+CREATED\s+TAGS\n/);
    expect(table.stdout).toMatch(
      new RegExp(`^${id}\\s+Initializing\\s+Cli/pair@1\\s+\\S+ \\S+\\s+listed$`, 'm'),
    );
    const json = JSON.parse(
      (await cli(['run', 'ls', '--module', 'Cli/pair', '--state', 'Initializing', '--json']))
        .stdout,
    );
    expect(json.runs.map((run: { id: string }) => run.id)).toContain(id);
    const none = JSON.parse((await cli(['run', 'ls', '--state', 'Done', '--json'])).stdout);
    expect(none.runs).toEqual([]);
    expect((await cli(['run', 'ls', '--state', 'Finished'])).stderr).toContain(
      '--state is one of Initializing',
    );
  });

  it('shows another user none of them', async () => {
    const result = await cli(['run', 'ls'], bob);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: 'no runs\n' });
  });
});

describe('slipway run params', () => {
  it('prints the parameters as a table, or JSON', async () => {
    const id = await launch();
    const table = await cli(['run', 'params', id]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^KEY\s+VALUE\n/);
    expect(table.stdout).toMatch(/^ss:state\s+Initializing$/m);
    expect(table.stdout).toMatch(/^web-1:port\s+8080$/m);
    const { parameters } = JSON.parse((await cli(['run', 'params', id, '--json'])).stdout);
    expect(parameters).toContainEqual(
      expect.objectContaining({ key: 'client:multiplicity', value: '2' }),
    );
  });

  it('does not show them to another user', async () => {
    const id = await launch();
    const result = await cli(['run', 'params', id], bob);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('[not_found]');
  });
});

describe('slipway run abort and terminate', () => {
  it('aborts with the message given, then refuses to stop a finished run', async () => {
    const id = await launch();
    const refused = await cli(['run', 'abort', id, 'not yours'], bob);
    expect(refused.code).toBe(3);
    expect((await alice.client.get(`/api/runs/${id}`)).body.run.state).toBe('Initializing');

    const aborted = await cli(['run', 'abort', id, 'enough for today']);
    expect(aborted.code).toBe(0);
    expect(aborted.stderr).toContain(`run ${id} aborting: Aborted (enough for today)`);
    const watch = await cli(['run', 'watch', id]);
    expect(watch.code).toBe(2);
    expect(watch.stderr).toContain(`run ${id} Aborted: enough for today`);

    const again = await cli(['run', 'terminate', id]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('[run_finished]');
  });

  it('terminates a run', async () => {
    const id = await launch();
    await startRun(api, alice.client, id);
    const result = await cli(['run', 'terminate', id, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).run).toMatchObject({ id, state: 'Aborted' });
  });
});

async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  for (const [name, content] of Object.entries(files)) archive.entry({ name }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('slipway run reports', () => {
  it('downloads and unpacks every instance’s newest report under DIR/<instance>/', async () => {
    const id = await launch();
    const machines = await startRun(api, alice.client, id);
    const upload = async (instance: string, files: Record<string, string>) => {
      const answer = await machines
        .get(instance)!
        .request('POST', '/api/machine/report', await tarGz(files), {
          'content-type': 'application/gzip',
        });
      expect(answer.status).toBe(201);
    };
    await upload('web-1', {
      'data.txt': 'Hello from Apache\n',
      'logs/execute.log': '+ ss-set ready true\n',
    });
    await upload('client-1', { 'result.txt': 'first try\n' });
    await upload('client-1', { 'result.txt': 'second try\n' });

    const result = await cli(['run', 'reports', id, '-o', 'out']);
    expect(result.code, result.stderr).toBe(0);
    const out = join(dir, 'out');
    expect(result.stdout).toMatch(/^INSTANCE\s+FILES\s+DIRECTORY\n/);
    expect(result.stdout).toMatch(new RegExp(`^web-1\\s+2\\s+${join(out, 'web-1')}$`, 'm'));
    expect(await readFile(join(out, 'web-1/data.txt'), 'utf8')).toBe('Hello from Apache\n');
    expect(await readFile(join(out, 'web-1/logs/execute.log'), 'utf8')).toBe(
      '+ ss-set ready true\n',
    );
    expect(await readFile(join(out, 'client-1/result.txt'), 'utf8')).toBe('second try\n');
    expect(existsSync(join(out, 'client-2'))).toBe(false);

    const json = JSON.parse((await cli(['run', 'reports', id, '--json'])).stdout);
    expect(json.directory).toBe(join(dir, 'slipway-reports', id));
    expect(json.reports.map((r: { instance: string }) => r.instance).sort()).toEqual([
      'client-1',
      'web-1',
    ]);
    expect(existsSync(join(dir, 'slipway-reports', id, 'web-1', 'data.txt'))).toBe(true);
  });

  it('gives another user nothing, writing nothing', async () => {
    const id = await launch();
    const result = await cli(['run', 'reports', id, '-o', 'stolen'], bob);
    expect(result.code).toBe(3);
    expect(existsSync(join(dir, 'stolen'))).toBe(false);
  });

  it('says when there is no report yet', async () => {
    const id = await launch();
    const result = await cli(['run', 'reports', id, '-o', 'empty']);
    expect(result).toMatchObject({
      code: 0,
      stdout: '',
      stderr: `run ${id} has no reports (yet)\n`,
    });
  });
});
