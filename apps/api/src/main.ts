import { join } from 'node:path';
import { connectDatabase } from '@slipway/db';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { startApi } from './start-api.js';

/** The API as a process of its own (`slipway start` runs it in-process instead). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const database = await connectDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, 'db') },
  );
  const api = await startApi({ config, db: database.db, logger });
  logger.info(`database: ${database.engine}`);
  if (api.admin) {
    logger.info(
      `first start: log in at ${api.url} as ${api.admin.email} with password ${api.admin.password}`,
    );
  }

  const shutdown = async (signal: string) => {
    logger.info(`${signal}: draining`);
    await api.stop();
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
