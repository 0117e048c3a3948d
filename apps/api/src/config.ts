import { join } from 'node:path';
import { parseEnvironment } from '@slipway/contracts';
import { z } from 'zod';

const Env = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The address browsers, the CLI and machines use to reach this API. */
  SLIPWAY_PUBLIC_URL: z.url().optional(),
  /** A PostgreSQL server; when absent, an embedded database under SLIPWAY_DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key, channel and queue, so several Slipways can share one Redis. */
  SLIPWAY_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('slipway'),
  SLIPWAY_DATA_DIR: z.string().default('.slipway'),
  /** Where reports are kept; default <data dir>/reports. Several API hosts need a shared one. */
  SLIPWAY_REPORTS_DIR: z.string().optional(),
  /** 32 bytes, hex: encrypts cloud credentials at rest. Generated under the data dir when absent. */
  SLIPWAY_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'SLIPWAY_SECRET_KEY must be 64 hex digits (32 bytes)')
    .optional(),
  /** The built web app (apps/web/dist) to serve at /; none when absent. */
  SLIPWAY_WEB_DIR: z.string().optional(),
  SLIPWAY_ADMIN_EMAIL: z.email().default('admin@slipway.local'),
  /** Reports larger than this are refused. */
  SLIPWAY_REPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /** Longest a single long poll waits before answering; ss-get polls again until its own timeout. */
  SLIPWAY_LONG_POLL_MAX_SECONDS: z.coerce.number().int().min(1).max(300).default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface ApiConfig {
  host: string;
  port: number;
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  redisUrl: string;
  redisPrefix: string;
  dataDir: string;
  reportsDir: string;
  secretKey: string | undefined;
  adminEmail: string;
  webDir: string | undefined;
  reportMaxBytes: number;
  longPollMaxSeconds: number;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
}

/** Reads and validates the environment; a bad value stops the start with a clear message. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const e = parseEnvironment(Env, env);
  return {
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.SLIPWAY_PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.SLIPWAY_REDIS_PREFIX,
    dataDir: e.SLIPWAY_DATA_DIR,
    reportsDir: e.SLIPWAY_REPORTS_DIR ?? join(e.SLIPWAY_DATA_DIR, 'reports'),
    secretKey: e.SLIPWAY_SECRET_KEY,
    adminEmail: e.SLIPWAY_ADMIN_EMAIL,
    webDir: e.SLIPWAY_WEB_DIR,
    reportMaxBytes: e.SLIPWAY_REPORT_MAX_BYTES,
    longPollMaxSeconds: e.SLIPWAY_LONG_POLL_MAX_SECONDS,
    logLevel: e.LOG_LEVEL,
  };
}
