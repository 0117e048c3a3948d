import type { Database } from '@slipway/db';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ApiConfig } from './config.js';
import type { ReportStore } from './reports/report-store.js';
import type { EventBus } from '@slipway/engine';

/** Everything the API's routes need, built once in main.ts (or a test) and passed down. */
export interface ApiDeps {
  config: ApiConfig;
  db: Database;
  redis: Redis;
  events: EventBus;
  runQueue: Queue;
  logger: Logger;
  /** Reports live on disk, outside the database. */
  reportStore: ReportStore;
  /** 32 bytes: encrypts cloud credentials at rest. */
  secretKey: Buffer;
  /** The address machines, e-mails and the CLI use to reach this API. */
  publicUrl(): string;
}
