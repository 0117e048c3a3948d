import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { RUNS_QUEUE } from '@slipway/contracts';
import type { Database } from '@slipway/db';
import { EventBus } from '@slipway/engine';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ensureAdmin } from './auth/accounts.js';
import { ensureBuiltinClouds } from './clouds/ensure-builtin-clouds.js';
import type { ApiConfig } from './config.js';
import { createApp } from './create-app.js';
import type { ApiDeps } from './deps.js';
import { ReportStore } from './reports/report-store.js';

/** The secret key from the environment, or one generated once and kept in the data dir. */
export async function loadSecretKey(
  config: Pick<ApiConfig, 'secretKey' | 'dataDir'>,
): Promise<Buffer> {
  if (config.secretKey) return Buffer.from(config.secretKey, 'hex');
  const file = join(config.dataDir, 'secret.key');
  await mkdir(config.dataDir, { recursive: true });
  // 'wx' fails when the file exists: the first process to start writes it, the others read it.
  await writeFile(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' }).catch(
    () => undefined,
  );
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
}

const LISTEN_BACKLOG = 4096;

export interface RunningApi {
  url: string;
  deps: ApiDeps;
  /** Set on the first start: how to log in as the administrator it created. */
  admin: { email: string; password: string } | null;
  stop(): Promise<void>;
}

/**
 * Starts the API on an open database: the composition root shared by the API's own main
 * and by `slipway start`. `extraHosts` are further addresses to listen on (the local
 * cloud's bridge, so machines in network namespaces reach the API).
 */
export async function startApi(input: {
  config: ApiConfig;
  db: Database;
  logger: Logger;
  extraHosts?: string[];
}): Promise<RunningApi> {
  const { config, db, logger } = input;
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const runQueue = new Queue(RUNS_QUEUE, { connection: redis, prefix: config.redisPrefix });
  let url = config.publicUrl ?? '';
  const deps: ApiDeps = {
    config,
    db,
    redis,
    events: new EventBus(redis, subscriber, config.redisPrefix),
    runQueue,
    logger,
    reportStore: new ReportStore(config.reportsDir),
    secretKey: await loadSecretKey(config),
    publicUrl: () => url,
  };
  await ensureBuiltinClouds(db);
  const admin = await ensureAdmin(db, config.adminEmail);
  const { app, beginShutdown } = createApp(deps);
  const listen = (host: string, port: number) =>
    new Promise<Server>((resolve, reject) => {
      // A thousand machines call at once when a run changes state: with Node's default
      // backlog of 511 the kernel dropped their connections (81,600 listen overflows in a
      // 1,000-machine run), and dropped handshakes come back only after TCP's backoff, minutes
      // later. The kernel caps it at net.core.somaxconn.
      const server = createServer(app).listen({ port, host, backlog: LISTEN_BACKLOG });
      // A machine streams a target's log in one request that lasts as long as the target
      // (POST /api/machine/logs): Node's default of 5 min for a whole request would cut it.
      // Headers must still arrive within headersTimeout; bodies elsewhere are small and parsed
      // with size limits.
      server.requestTimeout = 0;
      server.once('listening', () => resolve(server));
      server.once('error', reject);
    });
  const main = await listen(config.host, config.port);
  const port = (main.address() as AddressInfo).port;
  const servers = [
    main,
    ...(await Promise.all((input.extraHosts ?? []).map((host) => listen(host, port)))),
  ];
  url ||= `http://${config.host}:${port}`;
  logger.info(`Slipway API listening on ${url}`);
  return {
    url,
    deps,
    admin,
    async stop() {
      beginShutdown();
      for (const server of servers) server.close();
      // Long polls notice the shutdown and answer; whatever is left after that is cut.
      const cut = setTimeout(() => servers.forEach((server) => server.closeAllConnections()), 5000);
      await Promise.all(
        servers.map((server) => new Promise((resolve) => server.once('close', resolve))),
      );
      clearTimeout(cut);
      await runQueue.close();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
