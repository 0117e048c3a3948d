import {
  ErrorBody,
  ModuleVersionsResponse,
  ModuleView,
  SaveModuleResponse,
  SaveModulesResponse,
} from '@slipway/contracts';
import { schema } from '@slipway/db';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TestClient, type TestApi } from '../testing/test-api.js';
import { baseImage, countModuleRows, givenModule, putModule } from './module-fixtures.js';

let api: TestApi;
let alice: Awaited<ReturnType<TestApi['login']>>;

beforeAll(async () => {
  api = await startTestApi();
  alice = await api.login('alice@example.org');
  await givenModule(alice, { path: 'P', kind: 'project' });
  await givenModule(alice, baseImage('P/base'));
});
afterAll(async () => {
  await api.close();
});

const YAML = { 'content-type': 'application/yaml' };

function problemsOf(body: unknown) {
  return ErrorBody.parse(body).error.problems ?? [];
}

/** Sends a request that must be refused, and shows it wrote nothing. */
async function refused(send: () => Promise<{ status: number; body: unknown }>) {
  const before = await countModuleRows(api);
  const response = await send();
  expect(await countModuleRows(api)).toEqual(before);
  return { status: response.status, error: ErrorBody.parse(response.body).error };
}

describe('saving modules', () => {
  it('creates a module with PUT, then a new version; old versions stay as they were', async () => {
    const first = await putModule(alice, { path: 'P/web', kind: 'image', parent: 'P/base' }, 'v1');
    expect(first.status).toBe(201);
    expect(SaveModuleResponse.parse(first.body).saved).toEqual({
      path: 'P/web',
      kind: 'image',
      version: 1,
      created: true,
      changed: true,
    });

    const second = await putModule(
      alice,
      {
        path: 'P/web',
        kind: 'image',
        parent: 'P/base',
        parameters: [{ name: 'port', kind: 'output', default: '8080' }],
      },
      'adds the port',
    );
    expect(second.status).toBe(200);
    expect(second.body.saved).toMatchObject({ version: 2, created: false, changed: true });

    const latest = ModuleView.parse((await alice.get('/api/modules/P/web')).body);
    expect(latest).toMatchObject({
      path: 'P/web',
      kind: 'image',
      version: 2,
      latestVersion: 2,
      owner: 'alice@example.org',
      author: 'alice@example.org',
      comment: 'adds the port',
      publicRead: false,
    });
    const old = ModuleView.parse((await alice.get('/api/modules/P/web?version=1')).body);
    expect(old).toMatchObject({ version: 1, latestVersion: 2, comment: 'v1' });
    expect(old.document).toEqual({
      path: 'P/web',
      kind: 'image',
      description: '',
      parent: 'P/base',
      cloudImageIds: {},
      instanceType: {},
      packages: [],
      recipe: '',
      parameters: [],
      targets: {},
    });

    const versions = ModuleVersionsResponse.parse(
      (await alice.get('/api/modules/P/web:versions')).body,
    );
    expect(versions.versions.map((v) => [v.version, v.comment, v.author])).toEqual([
      [2, 'adds the port', 'alice@example.org'],
      [1, 'v1', 'alice@example.org'],
    ]);
    expect((await alice.get('/api/modules/P/web?version=3')).status).toBe(404);
  });

  it('makes no version when the saved document equals the latest one', async () => {
    const document = { path: 'P/same', kind: 'image' as const, parent: 'P/base', recipe: 'true' };
    expect((await putModule(alice, document)).status).toBe(201);
    const before = await countModuleRows(api);
    // Key order and explicit defaults do not make a document different.
    const again = await putModule(alice, { ...document, packages: [], description: '' });
    expect(again.status).toBe(200);
    expect(again.body.saved).toMatchObject({ version: 1, created: false, changed: false });
    expect(await countModuleRows(api)).toEqual(before);
  });

  it('creates with POST and a JSON document, and a second POST adds a version', async () => {
    const created = await alice.post('/api/modules', {
      document: { path: 'P/posted', kind: 'project', description: 'one' },
    });
    expect(created.status).toBe(201);
    expect(SaveModulesResponse.parse(created.body)).toEqual({
      saved: [{ path: 'P/posted', kind: 'project', version: 1, created: true, changed: true }],
      warnings: [],
    });
    const updated = await alice.post('/api/modules', {
      document: { path: 'P/posted', kind: 'project', description: 'two' },
      comment: 'renamed',
    });
    expect(updated.status).toBe(200);
    expect(updated.body.saved[0]).toMatchObject({ version: 2, created: false, changed: true });
  });

  it('writes several YAML documents in one request, projects before what they hold', async () => {
    const file = [
      'path: Y/tutorial/client_server',
      'kind: deployment',
      'nodes:',
      '  - name: apache1',
      '    image: Y/tutorial/apache',
      '  - name: client1',
      '    image: Y/tutorial/client',
      '    mappings:',
      '      webserver.hostname: apache1:hostname',
      '---',
      'path: Y/tutorial/client',
      'kind: image',
      'parent: Y/tutorial/apache',
      'parameters:',
      '  - {name: webserver.hostname, kind: input}',
      '  - {name: webserver.port, kind: input}',
      '---',
      'path: Y/tutorial/apache',
      'kind: image',
      'cloudImageIds: {local: host}',
      '---',
      'path: Y/tutorial',
      'kind: project',
      '---',
      'path: Y',
      'kind: project',
    ].join('\n');
    const response = await alice.post('/api/modules?comment=from%20git', file, YAML);
    expect(response.status).toBe(201);
    const body = SaveModulesResponse.parse(response.body);
    expect(body.saved.map((saved) => saved.path)).toEqual([
      'Y',
      'Y/tutorial',
      'Y/tutorial/client',
      'Y/tutorial/apache',
      'Y/tutorial/client_server',
    ]);
    // The unmapped input with no default is a warning, not a refusal.
    expect(body.warnings).toEqual([
      expect.objectContaining({
        module: 'Y/tutorial/client_server',
        at: ['nodes', 'client1', 'mappings', 'webserver.port'],
      }),
    ]);
    const client = (await alice.get('/api/modules/Y/tutorial/client')).body;
    expect(client.comment).toBe('from git');
    // The effective image, for the node editor: inherited and own parameters.
    expect(client.effectiveParameters.map((p: { name: string }) => p.name)).toEqual([
      'hostname',
      'instanceid',
      'webserver.hostname',
      'webserver.port',
    ]);

    const again = await alice.post('/api/modules', file, { 'content-type': 'text/yaml' });
    expect(again.status).toBe(200);
    expect(again.body.saved.every((saved: { changed: boolean }) => !saved.changed)).toBe(true);
  });

  it('takes a YAML file from the CLI with an API token', async () => {
    const token = (await alice.post('/api/me/tokens', { name: 'cli' })).body.token as string;
    const cli = new TestClient(api.url, { token });
    const file = 'path: P/from_cli\nkind: image\nparent: P/base\n';
    const response = await cli.post('/api/modules', file, { 'content-type': 'application/yaml' });
    expect(response.status).toBe(201);
    expect((await alice.get('/api/modules/P/from_cli')).body.author).toBe('alice@example.org');
  });

  it('writes nothing of a YAML file whose second document is bad, and says on which line', async () => {
    const file = [
      'path: Z',
      'kind: project',
      '---',
      'path: Z/broken',
      'kind: image',
      'parameters:',
      '  - name: port',
      '    kind: sideways',
    ].join('\n');
    const { status, error } = await refused(() => alice.post('/api/modules', file, YAML));
    expect(status).toBe(400);
    expect(error.code).toBe('invalid_module');
    expect(error.problems).toEqual([
      expect.objectContaining({ module: 'Z/broken', at: ['parameters', 0, 'kind'], line: 8 }),
    ]);
    expect((await alice.get('/api/modules/Z')).status).toBe(404);
  });

  it('writes nothing when a later document of a batch refers to something missing', async () => {
    const file = [
      'path: W',
      'kind: project',
      '---',
      'path: W/image',
      'kind: image',
      'parent: P/base',
      '---',
      'path: W/deployment',
      'kind: deployment',
      'nodes:',
      '  - {name: one, image: W/nothing}',
      '  - {name: two, image: W/image, mappings: {port: "one:hostname"}}',
    ].join('\n');
    const { status, error } = await refused(() => alice.post('/api/modules', file, YAML));
    expect(status).toBe(400);
    expect(error.problems?.map((p) => [p.module, p.at.join('.')])).toEqual([
      ['W/deployment', 'nodes.one.image'],
      ['W/deployment', 'nodes.two.mappings.port'],
    ]);
    expect((await alice.get('/api/modules/W')).status).toBe(404);
    expect((await alice.get('/api/modules/W/image')).status).toBe(404);
  });

  it('reports YAML syntax errors with their line', async () => {
    const { status, error } = await refused(() =>
      alice.post('/api/modules', 'path: P/x\nkind: [image\n', YAML),
    );
    expect(status).toBe(400);
    expect(error.problems?.[0]?.line).toBeGreaterThan(0);
  });

  it('refuses a document listing every problem in it', async () => {
    const { status, error } = await refused(() =>
      alice.post('/api/modules', {
        document: {
          path: 'P/many',
          kind: 'image',
          packages: ['not a package'],
          parameters: [{ name: 'a b', kind: 'input' }],
          colour: 'blue',
        },
      }),
    );
    expect(status).toBe(400);
    expect(error.code).toBe('invalid_module');
    expect(error.problems?.map((p) => [p.module, p.at.join('.')])).toEqual(
      expect.arrayContaining([
        ['P/many', 'packages.0'],
        ['P/many', 'parameters.0.name'],
        ['P/many', 'colour'],
      ]),
    );
    expect(error.problems).toHaveLength(3);
  });

  const refusals: [string, (client: TestClient) => Promise<any>, number, string, string][] = [
    [
      'a body with no document',
      (c) => c.post('/api/modules', {}),
      400,
      'invalid_request',
      'body.document',
    ],
    [
      'a plain-text body',
      (c) => c.post('/api/modules', 'path: P/x', { 'content-type': 'text/plain' }),
      400,
      'invalid_request',
      'body',
    ],
    [
      'malformed JSON',
      (c) => c.post('/api/modules', '{"document":', { 'content-type': 'application/json' }),
      400,
      'invalid_request',
      '',
    ],
    [
      'an image outside any project',
      (c) => putModule(c, baseImage('Loose')),
      400,
      'invalid_module',
      'path',
    ],
    [
      'a module in a missing project',
      (c) => putModule(c, baseImage('Nowhere/x')),
      400,
      'invalid_module',
      'path',
    ],
    [
      'a module inside an image',
      (c) => putModule(c, baseImage('P/base/x')),
      400,
      'invalid_module',
      'path',
    ],
    [
      'a change of kind',
      (c) => putModule(c, { path: 'P/base', kind: 'deployment' }),
      400,
      'invalid_module',
      'kind',
    ],
    [
      'a URL path other than the document path',
      (c) => c.put('/api/modules/P/other', { document: baseImage('P/base') }),
      400,
      'invalid_module',
      'path',
    ],
    [
      'an invalid URL path',
      (c) => c.put('/api/modules/P/123', { document: baseImage('P/123') }),
      400,
      'invalid_request',
      'path',
    ],
    [
      'two documents in a PUT',
      (c) =>
        c.put(
          '/api/modules/P/two',
          'path: P/two\nkind: project\n---\npath: P/three\nkind: project\n',
          YAML,
        ),
      400,
      'invalid_request',
      'body',
    ],
    [
      'the same path twice in a batch',
      (c) =>
        c.post(
          '/api/modules',
          'path: P/twice\nkind: project\n---\npath: P/twice\nkind: project\n',
          YAML,
        ),
      400,
      'invalid_module',
      'path',
    ],
    [
      'a missing parent image',
      (c) => putModule(c, { path: 'P/orphan', kind: 'image', parent: 'P/missing' }),
      400,
      'invalid_module',
      'parent',
    ],
    [
      'a parent that is not an image',
      (c) => putModule(c, { path: 'P/child', kind: 'image', parent: 'P' }),
      400,
      'invalid_module',
      'parent',
    ],
    ['an unknown action', (c) => c.post('/api/modules/P/base:rename', {}), 404, 'not_found', ''],
  ];
  it.each(refusals)('refuses %s and writes nothing', async (_name, send, status, code, at) => {
    const response = await refused(() => send(alice));
    expect(response.status).toBe(status);
    expect(response.error.code).toBe(code);
    if (at !== '') expect(response.error.problems?.map((p) => p.at.join('.'))).toContain(at);
  });

  it('refuses a parent chain with a cycle, at parent', async () => {
    await givenModule(alice, { path: 'P/a', kind: 'image', parent: 'P/base' });
    await givenModule(alice, { path: 'P/b', kind: 'image', parent: 'P/a' });
    const { status, error } = await refused(() =>
      putModule(alice, { path: 'P/a', kind: 'image', parent: 'P/b' }),
    );
    expect(status).toBe(400);
    expect(error.problems).toEqual([expect.objectContaining({ module: 'P/a', at: ['parent'] })]);
    expect(error.problems?.[0]?.message).toContain('cycle');
    expect((await alice.get('/api/modules/P/a')).body.version).toBe(1);
  });

  it('refuses an image turning an inherited output into an input', async () => {
    await givenModule(alice, {
      path: 'P/server',
      kind: 'image',
      parent: 'P/base',
      parameters: [{ name: 'port', kind: 'output' }],
    });
    const { status, error } = await refused(() =>
      putModule(alice, {
        path: 'P/server2',
        kind: 'image',
        parent: 'P/server',
        parameters: [{ name: 'port', kind: 'input' }],
      }),
    );
    expect(status).toBe(400);
    expect(error.problems).toEqual([
      expect.objectContaining({ module: 'P/server2', at: ['parameters', 0] }),
    ]);
  });

  it('refuses a deployment listing every problem of every node at once', async () => {
    const { status, error } = await refused(() =>
      putModule(alice, {
        path: 'P/deployment',
        kind: 'deployment',
        nodes: [
          { name: 'server', image: 'P/server' },
          { name: 'ghost', image: 'P/ghost' },
          {
            name: 'client',
            image: 'P/server',
            mappings: { nope: "'1'", port: 'nobody:hostname' },
          },
        ],
      }),
    );
    expect(status).toBe(400);
    expect(error.problems?.map((p) => p.at.join('.'))).toEqual([
      'nodes.ghost.image',
      'nodes.client.mappings.nope',
      'nodes.client.mappings.port',
      'nodes.client.mappings.port',
    ]);
  });

  it('keeps built image ids across versions unless packages, recipe or parent change', async () => {
    await givenModule(alice, { path: 'P/built', kind: 'image', parent: 'P/base', recipe: 'make' });
    const [module] = await api.database.db
      .select()
      .from(schema.modules)
      .where(eq(schema.modules.path, 'P/built'));
    await api.database.db
      .insert(schema.imageBuilds)
      .values({ moduleId: module!.id, version: 1, cloud: 'local', cloudImageId: 'snap-1' });
    const buildsOf = async (version: number) =>
      api.database.db
        .select()
        .from(schema.imageBuilds)
        .where(
          and(eq(schema.imageBuilds.moduleId, module!.id), eq(schema.imageBuilds.version, version)),
        );

    await givenModule(alice, {
      path: 'P/built',
      kind: 'image',
      parent: 'P/base',
      recipe: 'make',
      description: 'only the words changed',
      targets: { execute: '#!/bin/sh\necho hi' },
    });
    expect((await buildsOf(2)).map((build) => build.cloudImageId)).toEqual(['snap-1']);

    await givenModule(alice, {
      path: 'P/built',
      kind: 'image',
      parent: 'P/base',
      recipe: 'make install',
    });
    expect(await buildsOf(3)).toEqual([]);
    expect(await buildsOf(1)).toHaveLength(1);
  });

  it('gives concurrent saves of one module distinct versions', async () => {
    await givenModule(alice, { path: 'P/busy', kind: 'project' });
    const responses = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        putModule(alice, { path: 'P/busy', kind: 'project', description: `save ${n}` }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.map((r) => r.body.saved.version).sort()).toEqual([2, 3, 4, 5, 6]);
  });

  it('lets exactly one of two users racing for a root project have it', async () => {
    const bob = await api.login('bob@example.org');
    const before = await countModuleRows(api);
    const responses = await Promise.all(
      [alice, bob].map((client) => putModule(client, { path: 'Contested', kind: 'project' })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await countModuleRows(api)).toMatchObject({
      modules: before.modules + 1,
      versions: before.versions + 1,
    });
  });

  it('refuses anonymous saves', async () => {
    const response = await refused(() =>
      putModule(api.anonymous, { path: 'Anon', kind: 'project' }),
    );
    expect(response.status).toBe(401);
    expect(problemsOf({ error: response.error })).toEqual([]);
  });
});
