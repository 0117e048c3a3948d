import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUNS_QUEUE } from '@slipway/contracts';
import { connectDatabase } from '@slipway/db';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ensureAdmin } from './auth/accounts.js';
import { ensureBuiltinClouds } from './clouds/ensure-builtin-clouds.js';
import { ReportStore } from './reports/report-store.js';
import { loadConfig, type ApiConfig } from './config.js';
import { createApp } from './create-app.js';
import { EventBus } from '@slipway/engine';
import { randomBytes } from 'node:crypto';

/** The secret key from the environment, or one generated once and kept in the data dir. */
async function loadSecretKey(config: ApiConfig): Promise<Buffer> {
  if (config.secretKey) return Buffer.from(config.secretKey, 'hex');
  const file = join(config.dataDir, 'secret.key');
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  } catch {
    await mkdir(config.dataDir, { recursive: true });
    const key = randomBytes(32);
    await writeFile(file, key.toString('hex'), { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const database = await connectDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, 'db') },
  );
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const runQueue = new Queue(RUNS_QUEUE, { connection: redis, prefix: config.redisPrefix });
  const publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const { app, beginShutdown } = createApp({
    config,
    db: database.db,
    redis,
    events: new EventBus(redis, subscriber, config.redisPrefix),
    runQueue,
    logger,
    reportStore: new ReportStore(config.reportsDir),
    secretKey: await loadSecretKey(config),
    publicUrl: () => publicUrl,
  });

  await ensureBuiltinClouds(database.db);
  const admin = await ensureAdmin(database.db, config.adminEmail);
  if (admin) {
    logger.info(
      `first start: log in at ${publicUrl} as ${admin.email} with password ${admin.password}`,
    );
  }

  const server = app.listen(config.port, config.host, () => {
    logger.info(`Slipway API listening on ${publicUrl} (database: ${database.engine})`);
  });

  const shutdown = async (signal: string) => {
    logger.info(`${signal}: draining`);
    beginShutdown();
    server.close();
    // Long polls notice the shutdown and answer; give them a moment, then close what is left.
    setTimeout(() => server.closeAllConnections(), 5000).unref();
    await new Promise((resolve) => server.once('close', resolve));
    await runQueue.close();
    redis.disconnect();
    subscriber.disconnect();
    await database.close();
    logger.info('stopped');
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
