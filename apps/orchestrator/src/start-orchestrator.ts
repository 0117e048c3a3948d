import { LocalCloud } from '@slipway/cloud';
import { RUNS_QUEUE } from '@slipway/contracts';
import type { Database } from '@slipway/db';
import { EventBus } from '@slipway/engine';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { OrchestratorConfig } from './config.js';
import type { CloudHandle, OrchestratorDeps } from './deps.js';
import { startRunWorker } from './run-worker.js';
import { reapMachines, sweepRuns } from './sweep.js';

export const SWEEP_INTERVAL_MS = 15_000;

export interface Orchestrator {
  deps: OrchestratorDeps;
  /** Why local machines share the loopback, or null when each has its own address. */
  localLimitation: string | null;
  stop(): Promise<void>;
}

/**
 * Starts a worker on an open database: the composition root shared by the orchestrator's
 * own main and by `slipway start`, which runs API and orchestrator in one process.
 */
export async function startOrchestrator(input: {
  config: OrchestratorConfig;
  db: Database;
  logger: Logger;
}): Promise<Orchestrator> {
  const { config, db, logger } = input;
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const publisher = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const local = await LocalCloud.create({
    root: config.localMachinesDir,
    isolation: config.localIsolation,
  });
  if (local.limitation) logger.warn(`local cloud: ${local.limitation}`);
  const clouds = new Map<string, CloudHandle>([
    ['local', { connector: local, machineApiUrl: local.machineApiUrl(config.publicUrl) }],
  ]);
  const deps: OrchestratorDeps = {
    config,
    db,
    events: new EventBus(publisher, subscriber, config.redisPrefix),
    runQueue: new Queue(RUNS_QUEUE, { connection: publisher, prefix: config.redisPrefix }),
    logger,
    clouds,
  };
  const runWorker = startRunWorker(deps, connection);
  const sweep = async () => {
    try {
      await sweepRuns(deps);
      await reapMachines(deps);
    } catch (error) {
      logger.error({ err: error }, 'sweep failed');
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
  logger.info(
    { worker: config.workerId, concurrency: config.concurrency },
    'orchestrator worker started',
  );
  return {
    deps,
    localLimitation: local.limitation,
    async stop() {
      clearInterval(timer);
      await runWorker.stop();
      await deps.runQueue.close();
      connection.disconnect();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
