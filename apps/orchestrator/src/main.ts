import { join } from 'node:path';
import { connectDatabase } from '@slipway/db';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { startOrchestrator } from './start-orchestrator.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const database = await connectDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, 'db') },
  );
  const orchestrator = await startOrchestrator({ config, db: database.db, logger });
  const shutdown = async (signal: string) => {
    logger.info(`${signal}: handing runs back to the queue`);
    await orchestrator.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // Started by a parent over IPC (tests, supervisors): do not outlive it.
  if (process.send) process.once('disconnect', () => void shutdown('parent gone'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
