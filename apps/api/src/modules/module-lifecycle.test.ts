import { ErrorBody, ModuleListResponse, ModuleView } from '@slipway/contracts';
import { schema } from '@slipway/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.js';
import { baseImage, countModuleRows, givenModule, putModule } from './module-fixtures.js';

let api: TestApi;
let alice: Awaited<ReturnType<TestApi['login']>>;
let bob: Awaited<ReturnType<TestApi['login']>>;
let admin: TestClient;

beforeAll(async () => {
  api = await startTestApi();
  alice = await api.login('alice@example.org');
  bob = await api.login('bob@example.org');
  admin = await api.login('admin@example.org', { admin: true });
  await givenModule(alice, { path: 'Lab', kind: 'project', description: 'experiments' });
  await givenModule(alice, baseImage('Lab/base'));
  await givenModule(alice, {
    path: 'Lab/server',
    kind: 'image',
    parent: 'Lab/base',
    description: 'serves',
    parameters: [{ name: 'port', kind: 'output', default: '8080' }],
  });
  await givenModule(bob, { path: 'Bench', kind: 'project' });
});
afterAll(async () => {
  await api.close();
});

/** A run record as the runs API writes it; only the fields module reads depend on. */
async function givenRun(
  ownerId: string,
  modulePath: string,
  moduleVersion: number,
  moduleVersions: Record<string, number>,
): Promise<string> {
  const [run] = await api.database.db
    .insert(schema.runs)
    .values({
      ownerId,
      kind: 'deployment',
      modulePath,
      moduleVersion,
      state: 'Done',
      keepRunning: 'never',
      timeoutMinutes: 60,
      moduleVersions,
      overrides: {},
      status: {},
    })
    .returning();
  return run!.id;
}

describe('listing and reading', () => {
  it('lists the children of a project with what the project browser shows', async () => {
    const response = await alice.get('/api/modules?parent=Lab');
    expect(response.status).toBe(200);
    const { modules } = ModuleListResponse.parse(response.body);
    expect(modules).toEqual([
      {
        path: 'Lab/base',
        kind: 'image',
        description: '',
        latestVersion: 1,
        publicRead: false,
        owner: 'alice@example.org',
        updatedAt: expect.any(String),
      },
      expect.objectContaining({ path: 'Lab/server', description: 'serves' }),
    ]);
    const roots = ModuleListResponse.parse((await alice.get('/api/modules')).body).modules;
    expect(roots).toEqual([expect.objectContaining({ path: 'Lab', description: 'experiments' })]);
  });

  it('refuses a bad list or read query', async () => {
    const list = await alice.get('/api/modules?parent=a//b');
    expect(list.status).toBe(400);
    expect(ErrorBody.parse(list.body).error.problems?.[0]?.at).toEqual(['query', 'parent']);
    const read = await alice.get('/api/modules/Lab/server?version=zero');
    expect(read.status).toBe(400);
    expect(read.body.error.problems[0].at).toEqual(['query', 'version']);
  });

  it('shows the parameters of the effective image, or why it does not resolve', async () => {
    const server = ModuleView.parse((await alice.get('/api/modules/Lab/server')).body);
    expect(server.effectiveParameters?.map((p) => `${p.name}:${p.kind}`)).toEqual([
      'hostname:output',
      'instanceid:output',
      'port:output',
    ]);
    expect(server.effectiveProblems).toBeUndefined();

    // Bob may read a public child whose private parent he cannot read.
    await givenModule(alice, { path: 'Lab/shared', kind: 'image', parent: 'Lab/server' });
    await alice.patch('/api/modules/Lab/shared', { publicRead: true });
    const shared = ModuleView.parse((await bob.get('/api/modules/Lab/shared')).body);
    expect(shared.effectiveParameters).toBeUndefined();
    expect(shared.effectiveProblems).toEqual([
      expect.objectContaining({ module: 'Lab/shared', at: ['parent'] }),
    ]);

    const project = ModuleView.parse((await alice.get('/api/modules/Lab')).body);
    expect(project.effectiveParameters).toBeUndefined();
  });
});

describe('copying', () => {
  it('copies a chosen version to version 1 of a new module', async () => {
    await givenModule(alice, { ...baseImage('Lab/copied'), description: 'first' });
    await givenModule(alice, { ...baseImage('Lab/copied'), description: 'second' });
    const response = await alice.post('/api/modules/Lab/copied:copy', {
      to: 'Lab/copy',
      version: 1,
    });
    expect(response.status).toBe(201);
    const copy = ModuleView.parse((await alice.get('/api/modules/Lab/copy')).body);
    expect(copy).toMatchObject({
      version: 1,
      latestVersion: 1,
      comment: 'copied from Lab/copied@1',
    });
    expect(copy.document).toMatchObject({ path: 'Lab/copy', description: 'first' });
  });

  it.each([
    ['to a path in use', { to: 'Lab/server' }, 409],
    ['into a project the caller cannot read', { to: 'Bench/server' }, 400],
    ['to an invalid path', { to: 'Lab/bad path' }, 400],
    ['with no destination', {}, 400],
  ])('refuses a copy %s and writes nothing', async (_name, body, status) => {
    const before = await countModuleRows(api);
    const response = await alice.post('/api/modules/Lab/server:copy', body);
    expect(response.status).toBe(status);
    expect(await countModuleRows(api)).toEqual(before);
  });
});

describe('deleting', () => {
  it('refuses to delete a project that still holds modules, naming them', async () => {
    await givenModule(alice, { path: 'Full', kind: 'project' });
    await givenModule(alice, baseImage('Full/one'));
    await givenModule(admin, baseImage('Full/admins'));
    const before = await countModuleRows(api);
    const response = await alice.delete('/api/modules/Full');
    expect(response.status).toBe(409);
    const { error } = ErrorBody.parse(response.body);
    expect(error.message).toBe(
      'project Full still holds Full/one, 1 module you cannot read; delete them first',
    );
    expect(error.problems?.map((p) => p.module)).toEqual(['Full/one']);
    expect(await countModuleRows(api)).toEqual(before);
    expect((await alice.get('/api/modules/Full')).status).toBe(200);
  });

  it('hides a deleted module from lists and reads, and frees its path', async () => {
    await givenModule(alice, { path: 'Temp', kind: 'project' });
    await givenModule(alice, baseImage('Temp/gone'));
    await givenModule(alice, { ...baseImage('Temp/gone'), description: 'v2' });
    expect((await alice.delete('/api/modules/Temp/gone')).status).toBe(204);

    for (const suffix of ['', '?version=1', ':versions'])
      expect((await alice.get(`/api/modules/Temp/gone${suffix}`)).status).toBe(404);
    expect((await alice.get('/api/modules?parent=Temp')).body.modules).toEqual([]);
    expect((await alice.delete('/api/modules/Temp/gone')).status).toBe(404);
    expect((await alice.patch('/api/modules/Temp/gone', { publicRead: true })).status).toBe(404);

    // The versions are kept, for the runs that used them.
    expect((await countModuleRows(api)).versions).toBeGreaterThan(0);
    const reused = await putModule(alice, { path: 'Temp/gone', kind: 'project' });
    expect(reused.status).toBe(201);
    expect(reused.body.saved).toMatchObject({ version: 1, kind: 'project', created: true });

    expect((await alice.delete('/api/modules/Temp/gone')).status).toBe(204);
    expect((await alice.delete('/api/modules/Temp')).status).toBe(204);
    expect((await alice.get('/api/modules')).body.modules.map((m: any) => m.path)).not.toContain(
      'Temp',
    );
  });

  it('keeps the versions a run used readable through the run, for whoever sees the run', async () => {
    await givenModule(alice, { path: 'Pinned', kind: 'project' });
    await givenModule(alice, {
      path: 'Pinned/deployment',
      kind: 'deployment',
      description: 'as launched',
      nodes: [{ name: 'server', image: 'Lab/server' }],
    });
    const runId = await givenRun(alice.userId, 'Pinned/deployment', 1, {
      'Pinned/deployment': 1,
      'Lab/server': 1,
      'Lab/base': 1,
    });
    await givenModule(alice, {
      path: 'Pinned/deployment',
      kind: 'deployment',
      description: 'edited later',
    });
    expect((await alice.delete('/api/modules/Pinned/deployment')).status).toBe(204);
    // Someone else takes the freed path; the run still shows what it ran.
    await givenModule(admin, { path: 'Pinned/deployment', kind: 'project', description: 'new' });

    expect((await alice.get('/api/modules/Pinned/deployment?version=2')).status).toBe(404);
    const pinned = await alice.get(`/api/modules/Pinned/deployment?run=${runId}`);
    expect(pinned.status).toBe(200);
    const view = ModuleView.parse(pinned.body);
    expect(view).toMatchObject({ kind: 'deployment', version: 1, latestVersion: 2 });
    expect(view.deletedAt).not.toBeNull();
    expect(view.document).toMatchObject({ description: 'as launched' });

    const image = await alice.get(`/api/modules/Lab/server?run=${runId}`);
    expect(image.body).toMatchObject({ version: 1, deletedAt: null });
    expect((await admin.get(`/api/modules/Pinned/deployment?run=${runId}`)).status).toBe(200);

    for (const [client, path] of [
      [bob, `/api/modules/Pinned/deployment?run=${runId}`],
      [api.anonymous, `/api/modules/Pinned/deployment?run=${runId}`],
      [alice, `/api/modules/Lab/copy?run=${runId}`],
      [alice, `/api/modules/Pinned/deployment?run=${runId}&version=2`],
      [alice, `/api/modules/Pinned/deployment?run=00000000-0000-4000-8000-000000000000`],
    ] as const) {
      const response = await client.get(path);
      expect(response.status).toBe(404);
      expect(JSON.stringify(response.body)).not.toContain('as launched');
    }
  });
});
