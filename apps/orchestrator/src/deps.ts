import type { CloudConnector } from '@slipway/cloud';
import type { Database } from '@slipway/db';
import type { EventBus } from '@slipway/engine';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { OrchestratorConfig } from './config.js';

/** A cloud connector and the API address its machines use. */
export interface CloudHandle {
  connector: CloudConnector;
  machineApiUrl: string;
}

/** Everything a worker needs, built once in main.ts (or a test) and passed down. */
export interface OrchestratorDeps {
  config: OrchestratorConfig;
  db: Database;
  events: EventBus;
  runQueue: Queue;
  logger: Logger;
  clouds: Map<string, CloudHandle>;
}
