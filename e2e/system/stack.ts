import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdminToken, loadConfig, seedContent, startApi, type RunningApi } from '@slipway/api';
import { BRIDGE_ADDRESS, LocalCloud } from '@slipway/cloud';
import { createTestDatabase, type TestDatabase } from '@slipway/db/testing';
import { pino } from 'pino';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TEST_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Worker {
  id: string;
  process: ChildProcess;
}

/**
 * The whole of Slipway for a test: the API in this process on a fresh PostgreSQL database,
 * orchestrator workers as separate processes (so a test can kill one), the local cloud,
 * the shipped tutorials, and the real `slipway` CLI run as a command. With `webDir`, the API
 * also serves the built web app at its URL.
 */
export class Stack {
  readonly workers: Worker[] = [];
  private nextWorker = 1;

  private constructor(
    readonly api: RunningApi,
    readonly database: TestDatabase,
    readonly dataDir: string,
    readonly prefix: string,
    readonly token: string,
    private readonly jobLockMs: number,
    private readonly confirmationLinks: Map<string, string>,
  ) {}

  static async start(
    options: { workers?: number; jobLockMs?: number; webDir?: string } = {},
  ): Promise<Stack> {
    const database = await createTestDatabase();
    const prefix = `slipway-e2e-${randomBytes(4).toString('hex')}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-e2e-'));
    const probe = await LocalCloud.create({ root: join(dataDir, 'machines'), isolation: 'auto' });
    const config = {
      ...loadConfig({}),
      port: 0,
      redisUrl: REDIS_URL,
      redisPrefix: prefix,
      dataDir,
      reportsDir: join(dataDir, 'reports'),
      logLevel: 'silent' as const,
      webDir: options.webDir,
    };
    // There is no mail transport: the API logs each confirmation link for the operator, and
    // the stack picks them up there. Only what TEST_LOG_LEVEL asks for is written out, so
    // a silent stack serializes no log line at all.
    const confirmationLinks = new Map<string, string>();
    const shown = pino.levels.values[TEST_LOG_LEVEL] ?? Number.POSITIVE_INFINITY;
    const logger = pino({
      level: shown < pino.levels.values.info! ? TEST_LOG_LEVEL : 'info',
      hooks: {
        logMethod(args, method, level) {
          const [fields] = args as unknown[];
          if (isConfirmation(fields)) confirmationLinks.set(fields.email, fields.link);
          if (level >= shown) method.apply(this, args);
        },
      },
    });
    const api = await startApi({
      config,
      db: database.db,
      logger,
      extraHosts: probe.isolation === 'namespace' ? [BRIDGE_ADDRESS] : [],
    });
    await seedContent(database.db, config.adminEmail);
    const admin = await createAdminToken(database.db, config.adminEmail, 'e2e');
    if (!admin) throw new Error('no administrator');
    const stack = new Stack(
      api,
      database,
      dataDir,
      prefix,
      admin.token,
      options.jobLockMs ?? 4000,
      confirmationLinks,
    );
    for (let i = 0; i < (options.workers ?? 1); i += 1) stack.startWorker();
    return stack;
  }

  /** Starts one more orchestrator worker process. */
  startWorker(): Worker {
    const id = `worker-${this.nextWorker++}`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'apps/orchestrator/src/main.ts')],
      {
        cwd: join(REPO, 'apps/orchestrator'),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: this.database.url,
          REDIS_URL,
          SLIPWAY_REDIS_PREFIX: this.prefix,
          SLIPWAY_DATA_DIR: this.dataDir,
          SLIPWAY_PUBLIC_URL: this.api.url,
          SLIPWAY_WORKER_ID: id,
          SLIPWAY_JOB_LOCK_MS: String(this.jobLockMs),
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        },
        // The IPC channel closes when this test process dies, and the worker then stops:
        // no orphan worker keeps provisioning after a crashed test.
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const worker = { id, process: child };
    this.workers.push(worker);
    return worker;
  }

  /** The confirmation link the API logged when `email` registered, if it did. */
  confirmationLink(email: string): string | undefined {
    return this.confirmationLinks.get(email.toLowerCase());
  }

  /** kill -9: the worker gets no chance to hand anything over. */
  killWorker(id: string): void {
    const worker = this.workers.find((w) => w.id === id);
    worker?.process.kill('SIGKILL');
    this.workers.splice(this.workers.indexOf(worker as Worker), 1);
  }

  /** Runs the real `slipway` command against this stack. */
  cli(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO, 'apps/cli/bin/slipway.js'), ...args], {
        cwd: options.cwd ?? this.dataDir,
        env: {
          PATH: process.env.PATH,
          HOME: this.dataDir,
          SLIPWAY_URL: this.api.url,
          SLIPWAY_TOKEN: this.token,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  /** GET on the API as the administrator. */
  async get<T = any>(path: string): Promise<T> {
    const response = await fetch(`${this.api.url}${path}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async post<T = any>(path: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.api.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) worker.process.kill('SIGTERM');
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise((resolve) =>
            worker.process.exitCode !== null ? resolve(null) : worker.process.once('exit', resolve),
          ),
      ),
    );
    await this.api.stop();
    // Whatever a test left running is released: no machine outlives the test.
    const local = await LocalCloud.create({
      root: join(this.dataDir, 'machines'),
      isolation: 'auto',
    });
    await local.terminate((await local.describe()).map((machine) => machine.cloudInstanceId));
    await this.database.drop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** The fields of the API's "confirm <email> by opening <link>" log line. */
function isConfirmation(fields: unknown): fields is { email: string; link: string } {
  const { email, link } = (fields ?? {}) as { email?: unknown; link?: unknown };
  return typeof email === 'string' && typeof link === 'string' && link.includes('/auth/confirm?');
}

/** Polls until `probe` returns a value, or fails after `ms`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms = 60_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
