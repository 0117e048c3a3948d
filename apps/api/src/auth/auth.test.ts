import { schema } from '@slipway/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TestClient, type TestApi } from '../testing/test-api.js';
import { ensureAdmin } from './accounts.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

async function countUsers(): Promise<number> {
  return (await api.database.db.select().from(schema.users)).length;
}

/** Registers through the API and reads the confirmation link the API logged. */
async function register(email: string, password = 'a long enough password') {
  const logged: string[] = [];
  const original = api.deps.logger.info.bind(api.deps.logger);
  api.deps.logger.info = ((object: unknown, message?: string) => {
    if (message) logged.push(message);
    return original(object as never, message as never);
  }) as typeof api.deps.logger.info;
  try {
    const response = await api.anonymous.post('/api/auth/register', { email, password });
    const link = logged.map((line) => /(http\S+confirm\?token=\S+)/.exec(line)?.[1]).find(Boolean);
    return { response, link };
  } finally {
    api.deps.logger.info = original;
  }
}

describe('accounts', () => {
  it('registers, refuses login until confirmed, confirms by link, then logs in with a session cookie', async () => {
    const { response, link } = await register('Ada@Example.org');
    expect(response.status).toBe(201);
    expect(response.body.user).toMatchObject({
      email: 'ada@example.org',
      confirmed: false,
      isAdmin: false,
    });
    expect(link).toBeDefined();

    const early = await api.anonymous.post('/api/auth/login', {
      email: 'ada@example.org',
      password: 'a long enough password',
    });
    expect(early.status).toBe(403);
    expect(early.body.error.message).toContain('confirm your e-mail address');

    const confirmed = await api.anonymous.get(new URL(link!).pathname + new URL(link!).search, {
      accept: 'application/json',
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user.confirmed).toBe(true);
    const again = await api.anonymous.get(new URL(link!).pathname + new URL(link!).search, {
      accept: 'application/json',
    });
    expect(again.status).toBe(404);

    const login = await api.anonymous.post('/api/auth/login', {
      email: 'ADA@example.org',
      password: 'a long enough password',
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/slipway_session=sws_[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    const session = new TestClient(api.url, {
      cookie: cookie.split(';')[0]!,
      csrfToken: login.body.csrfToken,
    });
    const me = await session.get('/api/me');
    expect(me.body.user.email).toBe('ada@example.org');
    expect(me.body.csrfToken).toBe(login.body.csrfToken);
  });

  it('stores an argon2id hash, never the password', async () => {
    await register('hash@example.org', 'another long password');
    const [row] = await api.database.db
      .select()
      .from(schema.users)
      .where(eq(schema.users.email, 'hash@example.org'));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row?.passwordHash).not.toContain('another long password');
  });

  it.each([
    [{ email: 'not-an-email', password: 'long enough password' }, 'body.email'],
    [{ email: 'x@example.org', password: 'short' }, 'body.password'],
    [{ email: 'x@example.org' }, 'body.password'],
  ])('refuses bad registration %j and writes nothing', async (body, at) => {
    const before = await countUsers();
    const response = await api.anonymous.post('/api/auth/register', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.problems.map((p: { at: string[] }) => p.at.join('.'))).toContain(at);
    expect(await countUsers()).toBe(before);
  });

  it('refuses a second account for the same address, whatever its case', async () => {
    await register('twice@example.org');
    const before = await countUsers();
    const { response } = await register('TWICE@example.org');
    expect(response.status).toBe(409);
    expect(await countUsers()).toBe(before);
  });

  it('answers a wrong password and an unknown address alike', async () => {
    const user = await api.login('known@example.org');
    expect(user.userId).toBeTruthy();
    const wrong = await api.anonymous.post('/api/auth/login', {
      email: 'known@example.org',
      password: 'nope',
    });
    const unknown = await api.anonymous.post('/api/auth/login', {
      email: 'nobody@example.org',
      password: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('rate-limits login attempts per address', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      statuses.push(
        (
          await api.anonymous.post('/api/auth/login', {
            email: 'target@example.org',
            password: 'guess',
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('requires the CSRF header for unsafe requests made with the session cookie', async () => {
    const user = await api.login();
    const withoutHeader = await user.post(
      '/api/me/tokens',
      { name: 'ci' },
      { 'x-csrf-token': 'wrong' },
    );
    expect(withoutHeader.status).toBe(403);
    expect(withoutHeader.body.error.code).toBe('csrf');
    expect((await user.get('/api/me/tokens')).body.tokens).toEqual([]);
  });

  it('logs out: the cookie stops working', async () => {
    const user = await api.login();
    expect((await user.post('/api/auth/logout')).status).toBe(204);
    expect((await user.get('/api/me')).status).toBe(401);
  });
});

describe('API tokens', () => {
  it('creates a token that authenticates, lists it without the secret, and revokes it', async () => {
    const user = await api.login();
    const created = await user.post('/api/me/tokens', { name: 'laptop' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^swu_/);
    const cli = new TestClient(api.url, { token: created.body.token });
    expect((await cli.get('/api/me')).body.user.email).toBe(user.email);
    // Bearer requests carry no cookie, so they need no CSRF header.
    expect((await cli.post('/api/me/tokens', { name: 'second' })).status).toBe(201);

    const listed = await user.get('/api/me/tokens');
    expect(listed.body.tokens.map((token: { name: string }) => token.name)).toEqual([
      'laptop',
      'second',
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

    expect((await user.delete(`/api/me/tokens/${created.body.id}`)).status).toBe(204);
    const after = await cli.get('/api/me');
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain('revoked');
  });

  it("cannot revoke another user's token", async () => {
    const owner = await api.login();
    const other = await api.login();
    const created = await owner.post('/api/me/tokens', { name: 'mine' });
    expect((await other.delete(`/api/me/tokens/${created.body.id}`)).status).toBe(404);
    expect(
      (await new TestClient(api.url, { token: created.body.token }).get('/api/me')).status,
    ).toBe(200);
  });

  it('refuses anonymous and unknown bearer callers', async () => {
    expect((await api.anonymous.get('/api/me')).status).toBe(401);
    const forged = await new TestClient(api.url, { token: 'swu_forged' }).get('/api/me');
    expect(forged.status).toBe(401);
  });
});

describe('first start', () => {
  it('creates an administrator once, and only when there are no users', async () => {
    const fresh = await startTestApi();
    try {
      const first = await ensureAdmin(fresh.database.db, 'admin@slipway.local');
      expect(first?.email).toBe('admin@slipway.local');
      expect(await ensureAdmin(fresh.database.db, 'admin@slipway.local')).toBeNull();
      const login = await fresh.anonymous.post('/api/auth/login', {
        email: first!.email,
        password: first!.password,
      });
      expect(login.body.user).toMatchObject({ isAdmin: true, confirmed: true });
    } finally {
      await fresh.close();
    }
  });
});

describe('operations', () => {
  it('answers health, readiness and metrics', async () => {
    expect((await api.anonymous.get('/healthz')).body).toEqual({ ok: true });
    expect((await api.anonymous.get('/readyz')).body).toEqual({
      ok: true,
      database: true,
      redis: true,
    });
    const metrics = await api.anonymous.get('/metrics');
    expect(metrics.body).toContain('slipway_api_http_requests_total');
  });

  it('answers an unknown route and malformed JSON with the error body', async () => {
    const unknown = await api.anonymous.get('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const malformed = await api.anonymous.post('/api/auth/login', '{"email":', {
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toEqual({
      code: 'invalid_request',
      message: 'the request body is not valid JSON',
    });
  });
});
