import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  API_CATALOG,
  ApiDescription,
  openApiDocument,
  type ApiMethod,
  type ApiRoute,
} from '@slipway/contracts';
import { issueMachineToken } from '@slipway/engine';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../create-app.js';
import { startTestApi, TestClient, type TestApi, type TestResponse } from '../testing/test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** `METHOD /path` of every route the Express app registers, with params as `{name}`. */
function routedByApp(): string[] {
  const { app } = createApp(api.deps);
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          found.push(`${method} ${prefix}${layer.route.path}`.replace(/[:*](\w+)/g, '{$1}'));
      } else if (layer.handle?.stack) {
        walk(
          layer.handle.stack,
          layer.rawPath === '/' ? prefix : `${prefix}${String(layer.rawPath)}`,
        );
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(found)].sort();
}

/** The catalog's routes as Express sees them: a module action is a suffix of the wildcard. */
function inCatalog(): string[] {
  const keys = API_CATALOG.map(
    (route) => `${route.method} ${route.path.replace(/\{path\}:\w+$/, '{path}')}`,
  );
  return [...new Set(keys)].sort();
}

function catalogRoute(method: ApiMethod, path: string): ApiRoute {
  const route = API_CATALOG.find((entry) => entry.method === method && entry.path === path);
  if (!route) throw new Error(`no catalog route ${method} ${path}`);
  return route;
}

/**
 * Checks an answer against the catalog: its status is one the route declares, and its body
 * parses with the declared schema and loses nothing on the way (no undocumented field).
 */
function expectConforms(response: TestResponse, method: ApiMethod, path: string) {
  const route = catalogRoute(method, path);
  const answer = route.responses.find((candidate) => candidate.status === response.status);
  expect(
    answer,
    `${route.id} answered ${response.status}: ${JSON.stringify(response.body)}`,
  ).toBeDefined();
  const type = response.headers.get('content-type') ?? '';
  const content = answer?.content?.find((candidate) => type.startsWith(candidate.type));
  if (!answer?.content) return expect(response.body, route.id).toBe('');
  expect(content, `${route.id} answered ${type}`).toBeDefined();
  if (content?.schema) expect(content.schema.parse(response.body), route.id).toEqual(response.body);
}

/** A value for each path parameter of the catalog, so that every route can be requested. */
const SAMPLE: Record<string, string> = {
  id: randomUUID(),
  reportId: randomUUID(),
  path: 'Nowhere/module',
  reference: 'port',
  cloud: 'local',
  name: 'local',
};

describe('the API catalog', () => {
  it('lists every route the app registers, and the app routes every route it lists', () => {
    expect(routedByApp()).toEqual(inCatalog());
  });

  it('reaches a handler for each catalog route, module actions included', async () => {
    for (const route of API_CATALOG) {
      const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? name);
      const body = route.method === 'get' ? undefined : {};
      const response = await api.anonymous.request(route.method.toUpperCase(), url, body);
      const message = (response.body as { error?: { message?: string } }).error?.message ?? '';
      expect(message, `${route.method} ${url}`).not.toMatch(/^no route/);
    }
    const unknownAction = await api.anonymous.get('/api/modules/Nowhere/module:rename');
    expect(unknownAction.body.error.message).toMatch(/^no route/);
  });

  it('serves the OpenAPI document to anyone at /api/openapi.json', async () => {
    const response = await api.anonymous.get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.body).toEqual(openApiDocument());
    expectConforms(response, 'get', '/api/openapi.json');
    expect(Object.keys(ApiDescription.parse(response.body).paths)).toContain('/api/runs/{id}');
  });
});

/** Registers through the API and reads the confirmation link the API logged. */
async function register(email: string, password: string) {
  const logged: string[] = [];
  const original = api.deps.logger.info.bind(api.deps.logger);
  api.deps.logger.info = ((object: unknown, message?: string) => {
    if (message) logged.push(message);
    return original(object as never, message as never);
  }) as typeof api.deps.logger.info;
  try {
    const response = await api.anonymous.post('/api/auth/register', { email, password });
    const link = logged.map((line) => /(http\S+confirm\?token=\S+)/.exec(line)?.[1]).find(Boolean);
    return { response, link: new URL(link!) };
  } finally {
    api.deps.logger.info = original;
  }
}

async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  for (const [name, content] of Object.entries(files)) archive.entry({ name }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('answers of the main routes', () => {
  it('match the catalog for an account: register, confirm, log in, me, tokens', async () => {
    const email = `ada-${randomUUID().slice(0, 8)}@example.org`;
    const password = 'a long enough password';
    const { response: registered, link } = await register(email, password);
    expectConforms(registered, 'post', '/api/auth/register');
    const confirmed = await api.anonymous.get(link.pathname + link.search, {
      accept: 'application/json',
    });
    expectConforms(confirmed, 'get', '/api/auth/confirm');

    const login = await api.anonymous.post('/api/auth/login', { email, password });
    expectConforms(login, 'post', '/api/auth/login');
    const session = new TestClient(api.url, {
      cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!,
      csrfToken: login.body.csrfToken,
    });
    expectConforms(await session.get('/api/me'), 'get', '/api/me');

    const created = await session.post('/api/me/tokens', { name: 'laptop' });
    expectConforms(created, 'post', '/api/me/tokens');
    expectConforms(await session.get('/api/me/tokens'), 'get', '/api/me/tokens');
    const viaToken = new TestClient(api.url, { token: created.body.token });
    const me = await viaToken.get('/api/me');
    expectConforms(me, 'get', '/api/me');
    expect(me.body.csrfToken).toBeNull();
    expectConforms(await session.get('/api/me/profile'), 'get', '/api/me/profile');
    expectConforms(await session.get('/api/clouds'), 'get', '/api/clouds');

    // Another account's tokens are not the caller's to revoke.
    const other = await api.login();
    const foreign = await other.delete(`/api/me/tokens/${created.body.id}`);
    expect(foreign.status).toBe(404);
    expect((await viaToken.get('/api/me')).status).toBe(200);
    expectConforms(
      await session.delete(`/api/me/tokens/${created.body.id}`),
      'delete',
      '/api/me/tokens/{id}',
    );
  });

  it('match the catalog for modules, a run, its parameters and its reports', async () => {
    const alice = await api.login();
    const root = `Cat${randomUUID().slice(0, 6)}`;
    const saved = await alice.post('/api/modules', {
      document: { path: root, kind: 'project' },
    });
    expectConforms(saved, 'post', '/api/modules');
    expect(saved.status).toBe(201);
    const image = await alice.put(`/api/modules/${root}/box`, {
      document: {
        path: `${root}/box`,
        kind: 'image',
        cloudImageIds: { local: 'host' },
        parameters: [{ name: 'port', kind: 'output', default: '8080' }],
      },
      comment: 'first',
    });
    expectConforms(image, 'put', '/api/modules/{path}');
    const deployment = await alice.put(`/api/modules/${root}/d`, {
      document: {
        path: `${root}/d`,
        kind: 'deployment',
        nodes: [{ name: 'box', image: `${root}/box` }],
      },
    });
    expect(deployment.status).toBe(201);
    expectConforms(await alice.get(`/api/modules/${root}/box`), 'get', '/api/modules/{path}');
    expectConforms(
      await alice.get(`/api/modules/${root}/box:versions`),
      'get',
      '/api/modules/{path}:versions',
    );
    expectConforms(await alice.get(`/api/modules?parent=${root}`), 'get', '/api/modules');
    expectConforms(
      await alice.patch(`/api/modules/${root}/box`, { publicRead: true }),
      'patch',
      '/api/modules/{path}',
    );
    expectConforms(
      await alice.post(`/api/modules/${root}/box:copy`, { to: `${root}/box2` }),
      'post',
      '/api/modules/{path}:copy',
    );

    const launched = await alice.post('/api/runs', { module: `${root}/d`, cloud: 'local' });
    expectConforms(launched, 'post', '/api/runs');
    const runId = launched.body.run.id as string;
    const detail = await alice.get(`/api/runs/${runId}`);
    expectConforms(detail, 'get', '/api/runs/{id}');
    expectConforms(await alice.get('/api/runs'), 'get', '/api/runs');
    expectConforms(
      await alice.get(`/api/runs/${runId}/parameters`),
      'get',
      '/api/runs/{id}/parameters',
    );
    expectConforms(await alice.get(`/api/runs/${runId}/events`), 'get', '/api/runs/{id}/events');

    const instance = detail.body.run.instances[0].name as string;
    const machine = new TestClient(api.url, {
      token: await issueMachineToken(api.database.db, runId, instance),
    });
    expectConforms(
      await machine.put('/api/machine/parameters/port', '9090', { 'content-type': 'text/plain' }),
      'put',
      '/api/machine/parameters/{reference}',
    );
    const value = await machine.get('/api/machine/parameters/port');
    expectConforms(value, 'get', '/api/machine/parameters/{reference}');
    expect(value.body).toBe('9090');
    expectConforms(await machine.get('/api/machine/state'), 'get', '/api/machine/state');
    expectConforms(
      await machine.post('/api/machine/logs', { stream: 'stdout', lines: ['hello'] }),
      'post',
      '/api/machine/logs',
    );
    const upload = await machine.post(
      '/api/machine/report',
      await tarGz({ 'out.txt': 'all good' }),
      { 'content-type': 'application/gzip' },
    );
    expectConforms(upload, 'post', '/api/machine/report');
    const reports = await alice.get(`/api/runs/${runId}/reports`);
    expectConforms(reports, 'get', '/api/runs/{id}/reports');
    expect(reports.body.reports).toHaveLength(1);
    expectConforms(
      await alice.get(`/api/runs/${runId}/reports/${upload.body.report.id}/files`),
      'get',
      '/api/runs/{id}/reports/{reportId}/files',
    );

    // Another user sees none of it.
    const bob = await api.login();
    expect((await bob.get(`/api/runs/${runId}/reports`)).status).toBe(404);
    expect((await bob.get(`/api/runs/${runId}/parameters`)).status).toBe(404);
    expect((await bob.get('/api/runs')).body.runs).toEqual([]);

    const aborted = await alice.post(`/api/runs/${runId}/abort`);
    expectConforms(aborted, 'post', '/api/runs/{id}/abort');
    expect(aborted.body.run.abortMessage).toBe(`aborted by ${alice.email}`);
  });

  it('match the catalog for the operations endpoints', async () => {
    expectConforms(await api.anonymous.get('/healthz'), 'get', '/healthz');
    expectConforms(await api.anonymous.get('/readyz'), 'get', '/readyz');
    expectConforms(await api.anonymous.get('/metrics'), 'get', '/metrics');
  });
});
