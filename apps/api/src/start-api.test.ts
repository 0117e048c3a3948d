import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@slipway/db/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { startApi } from './start-api.js';
import { TEST_REDIS_URL } from './testing/test-api.js';

let database: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-start-api-'));
});
afterAll(async () => {
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The accept queue the kernel gives a listening port: `ss` shows it as Send-Q. */
function listenBacklog(port: number): number {
  const line = execFileSync('ss', ['-Hltn', `sport = :${port}`])
    .toString()
    .trim();
  return Number(line.split(/\s+/)[2]);
}

describe('startApi', () => {
  it('listens with room for a thousand machines connecting at once, and stops', async () => {
    const config = {
      ...loadConfig({}),
      host: '127.0.0.1',
      port: 0,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: `slipway-start-api-${process.pid}`,
      dataDir,
      reportsDir: join(dataDir, 'reports'),
    };
    const api = await startApi({ config, db: database.db, logger: pino({ level: 'silent' }) });
    try {
      const port = Number(new URL(api.url).port);
      expect(port).toBeGreaterThan(0);
      const somaxconn = Number(await readFile('/proc/sys/net/core/somaxconn', 'utf8'));
      // Node's default is 511; the kernel caps what is asked at somaxconn.
      expect(listenBacklog(port)).toBe(Math.min(4096, somaxconn));
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});
