import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseEnvironment } from '@slipway/contracts';
import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  SLIPWAY_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('slipway'),
  SLIPWAY_DATA_DIR: z.string().default('.slipway'),
  /** The API as machines must reach it. */
  SLIPWAY_PUBLIC_URL: z.url().default('http://127.0.0.1:8080'),
  /** Runs one worker process drives at once. */
  SLIPWAY_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
  SLIPWAY_WORKER_ID: z.string().optional(),
  /** How long a dead worker's runs wait before another worker takes them over. */
  SLIPWAY_JOB_LOCK_MS: z.coerce.number().int().min(2000).max(600_000).default(20_000),
  SLIPWAY_LOCAL_ISOLATION: z.enum(['auto', 'namespace', 'shared']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface OrchestratorConfig {
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string;
  redisPrefix: string;
  publicUrl: string;
  concurrency: number;
  workerId: string;
  localMachinesDir: string;
  localIsolation: 'auto' | 'namespace' | 'shared';
  jobLockMs: number;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): OrchestratorConfig {
  const e = parseEnvironment(Env, env);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.SLIPWAY_DATA_DIR,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.SLIPWAY_REDIS_PREFIX,
    publicUrl: e.SLIPWAY_PUBLIC_URL.replace(/\/$/, ''),
    concurrency: e.SLIPWAY_WORKER_CONCURRENCY,
    workerId: e.SLIPWAY_WORKER_ID ?? `${hostname()}:${process.pid}`,
    localMachinesDir: join(e.SLIPWAY_DATA_DIR, 'machines'),
    localIsolation: e.SLIPWAY_LOCAL_ISOLATION,
    jobLockMs: e.SLIPWAY_JOB_LOCK_MS,
    logLevel: e.LOG_LEVEL,
  };
}
