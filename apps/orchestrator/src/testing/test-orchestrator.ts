import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCloud } from '@slipway/cloud';
import { RUNS_QUEUE } from '@slipway/contracts';
import {
  expandRun,
  validateDeployment,
  type DeploymentModule,
  type ImageModule,
} from '@slipway/domain';
import { schema, type Database } from '@slipway/db';
import { createRunRecords, EventBus } from '@slipway/engine';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import type { OrchestratorDeps } from '../deps.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Orchestrator dependencies on a test database, a Redis prefix of their own and a local cloud in a temporary folder. */
export async function createTestOrchestratorDeps(
  db: Database,
  options: {
    publicUrl?: string;
    prefix?: string;
    isolation?: 'shared' | 'namespace' | 'auto';
  } = {},
): Promise<{ deps: OrchestratorDeps; local: LocalCloud; close(): Promise<void> }> {
  const prefix = options.prefix ?? `slipway-test-${randomBytes(4).toString('hex')}`;
  const root = await mkdtemp(join(tmpdir(), 'slipway-machines-'));
  const publisher = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const subscriber = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const local = await LocalCloud.create({ root, isolation: options.isolation ?? 'shared' });
  const publicUrl = options.publicUrl ?? 'http://127.0.0.1:9';
  const config = {
    ...loadConfig({}),
    redisUrl: TEST_REDIS_URL,
    redisPrefix: prefix,
    publicUrl,
    localMachinesDir: root,
    workerId: `test-${prefix}`,
  };
  const deps: OrchestratorDeps = {
    config,
    db,
    events: new EventBus(publisher, subscriber, prefix),
    runQueue: new Queue(RUNS_QUEUE, { connection: publisher, prefix }),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    clouds: new Map([
      ['local', { connector: local, machineApiUrl: local.machineApiUrl(publicUrl) }],
    ]),
  };
  return {
    deps,
    local,
    async close() {
      const machines = await local.describe();
      await local.terminate(machines.map((machine) => machine.cloudInstanceId));
      await deps.runQueue.close();
      publisher.disconnect();
      subscriber.disconnect();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export const sleeperImage: ImageModule = {
  path: 'T/sleeper',
  kind: 'image',
  description: '',
  cloudImageIds: { local: 'host' },
  instanceType: {},
  packages: [],
  recipe: '',
  parameters: [],
  targets: { execute: '#!/bin/sh\nsleep 600\n' },
};

/** Writes an image module and a run of `multiplicity` machines of it, as a launch would. */
export async function createSleeperRun(
  db: Database,
  multiplicity: number,
  timeoutMinutes = 60,
): Promise<string> {
  const [user] = await db
    .insert(schema.users)
    .values({ email: `u-${randomBytes(4).toString('hex')}@example.org`, passwordHash: 'x' })
    .returning();
  const [module] = await db
    .insert(schema.modules)
    .values({ path: sleeperImage.path, kind: 'image', ownerId: user!.id, latestVersion: 1 })
    .onConflictDoNothing()
    .returning();
  if (module)
    await db
      .insert(schema.moduleVersions)
      .values({ moduleId: module.id, version: 1, document: sleeperImage, authorId: user!.id });
  const deployment: DeploymentModule = {
    path: 'T/d',
    kind: 'deployment',
    description: '',
    nodes: [
      { name: 'box', image: 'T/sleeper', multiplicity, maxProvisioningFailures: 0, mappings: {} },
    ],
  };
  const validated = validateDeployment(deployment, () => ({ image: sleeperImage, version: 1 }));
  if (!validated.ok) throw new Error('fixture');
  const plan = expandRun(validated.value, { defaultCloud: 'local' });
  if (!plan.ok) throw new Error('fixture');
  return db.transaction((tx) =>
    createRunRecords(tx, {
      ownerId: user!.id,
      kind: 'deployment',
      modulePath: 'T/d',
      moduleVersion: 1,
      keepRunning: 'never',
      timeoutMinutes,
      tags: [],
      moduleVersions: { 'T/sleeper': 1 },
      overrides: {},
      plan: plan.value,
      maxProvisioningFailures: {},
    }),
  );
}
