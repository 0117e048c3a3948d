import { ErrorBody, ModuleListResponse, ModuleView } from '@slipway/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.js';
import { baseImage, countModuleRows, givenModule, putModule } from './module-fixtures.js';

/*
 * Who may do what with a module: anonymous callers, another user, the owner, an
 * administrator, for a private module and a public-readable one.
 */

let api: TestApi;
let alice: TestClient; // owns Alice/private and Alice/public
let bob: TestClient;
let admin: TestClient;

beforeAll(async () => {
  api = await startTestApi();
  alice = await api.login('alice@example.org');
  bob = await api.login('bob@example.org');
  admin = await api.login('admin@example.org', { admin: true });
  await givenModule(alice, { path: 'Alice', kind: 'project' }, { publicRead: true });
  await givenModule(alice, { path: 'AliceSecret', kind: 'project' });
  await givenModule(alice, baseImage('Alice/private'));
  await givenModule(alice, baseImage('Alice/public'), { publicRead: true });
  await givenModule(bob, { path: 'Bob', kind: 'project' });
});
afterAll(async () => {
  await api.close();
});

/** The answer for a module that does not exist, with its path swapped for `path`. */
async function missingAnswer(client: TestClient, method: string, path: string, body?: unknown) {
  const missing = await client.request(method, `/api/modules/Alice/nothing${path}`, body);
  return {
    status: missing.status,
    body: JSON.parse(JSON.stringify(missing.body).replaceAll('Alice/nothing', 'Alice/private')),
  };
}

describe('reading', () => {
  it.each([
    ['anonymous', () => api.anonymous, 404, 200],
    ['another user', () => bob, 404, 200],
    ['the owner', () => alice, 200, 200],
    ['an administrator', () => admin, 200, 200],
  ])('%s reads private: %i, public: %i', async (_who, client, privateStatus, publicStatus) => {
    for (const [path, status] of [
      ['Alice/private', privateStatus],
      ['Alice/public', publicStatus],
    ] as const) {
      const latest = await client().get(`/api/modules/${path}`);
      const pinned = await client().get(`/api/modules/${path}?version=1`);
      const versions = await client().get(`/api/modules/${path}:versions`);
      expect([latest.status, pinned.status, versions.status]).toEqual([status, status, status]);
      if (status === 200) ModuleView.parse(latest.body);
    }
  });

  it('answers a module the caller cannot read exactly like a missing one', async () => {
    for (const suffix of ['', '?version=1', ':versions']) {
      const hidden = await bob.get(`/api/modules/Alice/private${suffix}`);
      expect({ status: hidden.status, body: hidden.body }).toEqual(
        await missingAnswer(bob, 'GET', suffix),
      );
    }
    const copy = await bob.post('/api/modules/Alice/private:copy', { to: 'Bob/copy' });
    expect({ status: copy.status, body: copy.body }).toEqual(
      await missingAnswer(bob, 'POST', ':copy', { to: 'Bob/copy' }),
    );
    for (const [method, body] of [
      ['PATCH', { publicRead: true }],
      ['DELETE', undefined],
    ] as const) {
      const hidden = await bob.request(method, '/api/modules/Alice/private', body);
      expect({ status: hidden.status, body: hidden.body }).toEqual(
        await missingAnswer(bob, method, '', body),
      );
    }
    const save = await putModule(bob, baseImage('Alice/private'));
    const saveMissing = await putModule(bob, baseImage('Alice/nothing'));
    expect(save.status).toBe(saveMissing.status);
  });

  it('lists only what the caller may read', async () => {
    const list = async (client: TestClient, query = '') => {
      const response = await client.get(`/api/modules${query}`);
      expect(response.status).toBe(200);
      return ModuleListResponse.parse(response.body).modules.map((item) => item.path);
    };
    expect(await list(api.anonymous)).toEqual(['Alice']);
    expect(await list(bob)).toEqual(['Alice', 'Bob']);
    expect(await list(alice)).toEqual(['Alice', 'AliceSecret']);
    expect(await list(admin)).toEqual(['Alice', 'AliceSecret', 'Bob']);

    expect(await list(api.anonymous, '?parent=Alice')).toEqual(['Alice/public']);
    expect(await list(bob, '?parent=Alice')).toEqual(['Alice/public']);
    expect(await list(alice, '?parent=Alice')).toEqual(['Alice/private', 'Alice/public']);
    expect(await list(admin, '?parent=Alice')).toEqual(['Alice/private', 'Alice/public']);

    const hidden = await bob.get('/api/modules?parent=AliceSecret');
    expect(hidden.status).toBe(404);
    expect((await bob.get('/api/modules?parent=Nothing')).body).toEqual(
      JSON.parse(JSON.stringify(hidden.body).replaceAll('AliceSecret', 'Nothing')),
    );
  });
});

describe('changing', () => {
  it.each([
    ['anonymous', () => api.anonymous, 401],
    ['another user', () => bob, 403],
  ])('%s cannot save, publish or delete a public module', async (_who, client, status) => {
    const before = await countModuleRows(api);
    const save = await putModule(client(), { ...baseImage('Alice/public'), description: 'mine' });
    const patch = await client().patch('/api/modules/Alice/public', { publicRead: false });
    const remove = await client().delete('/api/modules/Alice/public');
    expect([save.status, patch.status, remove.status]).toEqual([status, status, status]);
    expect(ErrorBody.parse(save.body).error.code).toBe(
      status === 401 ? 'unauthenticated' : 'forbidden',
    );
    expect(await countModuleRows(api)).toEqual(before);
    const now = (await alice.get('/api/modules/Alice/public')).body;
    expect(now).toMatchObject({ version: 1, publicRead: true, deletedAt: null });
  });

  it('another user cannot add a module to a project that is not theirs', async () => {
    const before = await countModuleRows(api);
    const response = await putModule(bob, baseImage('Alice/intruder'));
    expect(response.status).toBe(403);
    expect(response.body.error.problems).toEqual([
      expect.objectContaining({ module: 'Alice/intruder', at: ['path'] }),
    ]);
    expect(await countModuleRows(api)).toEqual(before);
  });

  it('nobody else can take a root project name', async () => {
    const readable = await putModule(bob, { path: 'Alice', kind: 'project' });
    const hidden = await putModule(bob, { path: 'AliceSecret', kind: 'project' });
    expect([readable.status, hidden.status]).toEqual([403, 409]);
    expect((await alice.get('/api/modules/AliceSecret')).body.owner).toBe('alice@example.org');
  });

  it('another user can copy a public module into their own project, privately', async () => {
    const response = await bob.post('/api/modules/Alice/public:copy', { to: 'Bob/copy' });
    expect(response.status).toBe(201);
    expect(response.body.saved).toMatchObject({ path: 'Bob/copy', version: 1, created: true });
    const copy = ModuleView.parse((await bob.get('/api/modules/Bob/copy')).body);
    expect(copy).toMatchObject({
      owner: 'bob@example.org',
      publicRead: false,
      comment: 'copied from Alice/public@1',
    });
    expect((await alice.get('/api/modules/Bob/copy')).status).toBe(404);
    const original = (await alice.get('/api/modules/Alice/public')).body;
    expect(original).toMatchObject({ version: 1, owner: 'alice@example.org' });
  });

  it('the owner saves, publishes and deletes; versions record who saved them', async () => {
    await givenModule(alice, baseImage('Alice/mine'));
    const saved = await putModule(alice, { ...baseImage('Alice/mine'), description: 'v2' });
    expect(saved.status).toBe(200);
    const patched = await alice.patch('/api/modules/Alice/mine', { publicRead: true });
    expect(patched.status).toBe(200);
    expect(patched.body.module).toMatchObject({ path: 'Alice/mine', publicRead: true });
    expect((await bob.get('/api/modules/Alice/mine')).status).toBe(200);
    expect((await alice.delete('/api/modules/Alice/mine')).status).toBe(204);
    expect((await alice.get('/api/modules/Alice/mine')).status).toBe(404);
  });

  it('an administrator saves, publishes, copies and deletes anyone’s module; the owner stays', async () => {
    await givenModule(alice, baseImage('Alice/managed'));
    expect(
      (await putModule(admin, { ...baseImage('Alice/managed'), description: 'x' })).status,
    ).toBe(200);
    const read = (await alice.get('/api/modules/Alice/managed')).body;
    expect(read).toMatchObject({
      version: 2,
      owner: 'alice@example.org',
      author: 'admin@example.org',
    });
    expect((await admin.patch('/api/modules/Alice/managed', { publicRead: true })).status).toBe(
      200,
    );
    const copied = await admin.post('/api/modules/Alice/private:copy', { to: 'Bob/fromAdmin' });
    expect(copied.status).toBe(201);
    expect((await bob.get('/api/modules/Bob/fromAdmin')).status).toBe(404);
    expect((await admin.get('/api/modules/Bob/fromAdmin')).body.owner).toBe('admin@example.org');
    expect((await admin.delete('/api/modules/Alice/managed')).status).toBe(204);
    expect((await alice.get('/api/modules/Alice/managed')).status).toBe(404);
  });

  it('refuses a bad PATCH body and writes nothing', async () => {
    const response = await alice.patch('/api/modules/Alice/private', { publicRead: 'yes' });
    expect(response.status).toBe(400);
    expect(response.body.error.problems[0].at).toEqual(['body', 'publicRead']);
    expect((await alice.get('/api/modules/Alice/private')).body.publicRead).toBe(false);
  });
});
