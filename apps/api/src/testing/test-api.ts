import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RUNS_QUEUE } from '@slipway/contracts';
import { schema } from '@slipway/db';
import { createTestDatabase, type TestDatabase } from '@slipway/db/testing';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { hashPassword } from '../auth/secrets.js';
import { ensureBuiltinClouds } from '../clouds/ensure-builtin-clouds.js';
import { ReportStore } from '../reports/report-store.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createApp } from '../create-app.js';
import type { ApiDeps } from '../deps.js';
import { EventBus } from '@slipway/engine';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** An HTTP client that acts as one caller: anonymous, a browser session, or a bearer token. */
export class TestClient {
  constructor(
    readonly baseUrl: string,
    private readonly auth: { cookie: string; csrfToken: string } | { token: string } | null = null,
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<TestResponse<T>> {
    const all: Record<string, string> = { ...headers };
    if (this.auth && 'cookie' in this.auth) {
      all.cookie = this.auth.cookie;
      all['x-csrf-token'] ??= this.auth.csrfToken;
    }
    if (this.auth && 'token' in this.auth) all.authorization = `Bearer ${this.auth.token}`;
    let payload: string | Buffer | undefined;
    if (body instanceof Buffer || typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      all['content-type'] ??= 'application/json';
    }
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: all,
      body: payload,
      redirect: 'manual',
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: response.headers,
      body: (type.includes('json') && text ? JSON.parse(text) : text) as T,
    };
  }

  get = <T = any>(path: string, headers?: Record<string, string>) =>
    this.request<T>('GET', path, undefined, headers);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('POST', path, body ?? {}, headers);
  put = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request<T>('PUT', path, body, headers);
  patch = <T = any>(path: string, body?: unknown) => this.request<T>('PATCH', path, body);
  delete = <T = any>(path: string) => this.request<T>('DELETE', path);
}

export interface TestApi {
  url: string;
  deps: ApiDeps;
  database: TestDatabase;
  anonymous: TestClient;
  /** A confirmed user, logged in through the real login route. */
  login(
    email?: string,
    options?: { admin?: boolean },
  ): Promise<TestClient & { userId: string; email: string }>;
  /** Another API process on the same database and Redis. */
  startPeer(): Promise<TestApi>;
  close(): Promise<void>;
}

interface Shared {
  database: TestDatabase;
  prefix: string;
  ownsDatabase: boolean;
}

/**
 * Starts the real API on an ephemeral port, on a fresh PostgreSQL database and a Redis
 * key prefix of its own, so test files never see each other's data.
 */
export async function startTestApi(shared?: Shared): Promise<TestApi> {
  const database = shared?.database ?? (await createTestDatabase());
  const prefix = shared?.prefix ?? `slipway-test-${randomBytes(4).toString('hex')}`;
  const config = {
    ...loadConfig({}),
    port: 0,
    redisUrl: TEST_REDIS_URL,
    redisPrefix: prefix,
    longPollMaxSeconds: 5,
    logLevel: 'silent' as const,
  };
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const subscriber = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const runQueue = new Queue(RUNS_QUEUE, { connection: redis, prefix });
  let url = '';
  const deps: ApiDeps = {
    config,
    db: database.db,
    redis,
    events: new EventBus(redis, subscriber, prefix),
    runQueue,
    reportStore: new ReportStore(join(tmpdir(), `${prefix}-reports`)),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    secretKey: randomBytes(32),
    publicUrl: () => url,
  };
  await ensureBuiltinClouds(database.db);
  const { app, beginShutdown } = createApp(deps);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const anonymous = new TestClient(url);
  const peers: TestApi[] = [];

  const api: TestApi = {
    url,
    deps,
    database,
    anonymous,
    async login(email = `user-${randomBytes(4).toString('hex')}@example.org`, options = {}) {
      const password = 'correct horse battery staple';
      const [user] = await database.db
        .insert(schema.users)
        .values({
          email,
          passwordHash: await hashPassword(password),
          confirmedAt: new Date(),
          isAdmin: options.admin ?? false,
        })
        .returning();
      const response = await anonymous.post<{ csrfToken: string }>('/api/auth/login', {
        email,
        password,
      });
      if (response.status !== 200)
        throw new Error(`login failed: ${JSON.stringify(response.body)}`);
      const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      return Object.assign(new TestClient(url, { cookie, csrfToken: response.body.csrfToken }), {
        userId: user!.id,
        email,
      });
    },
    async startPeer() {
      const peer = await startTestApi({ database, prefix, ownsDatabase: false });
      peers.push(peer);
      return peer;
    },
    async close() {
      await Promise.all(peers.map((peer) => peer.close()));
      beginShutdown();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runQueue.close();
      redis.disconnect();
      subscriber.disconnect();
      if (shared?.ownsDatabase !== false) await database.drop();
    },
  };
  return api;
}

export async function findUserId(api: TestApi, email: string): Promise<string | undefined> {
  const [row] = await api.database.db
    .select()
    .from(schema.users)
    .where(eq(schema.users.email, email));
  return row?.id;
}
