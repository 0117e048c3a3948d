import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUNS_QUEUE } from '@slipway/contracts';
import { schema } from '@slipway/db';
import { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Stack } from './stack.js';

let stack: Stack;
let queue: Queue;
let redis: Redis;
beforeAll(async () => {
  stack = await Stack.start({ workers: 2, jobLockMs: 3000 });
  redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
  });
  queue = new Queue(RUNS_QUEUE, { connection: redis, prefix: stack.prefix });
  const file = join(stack.dataDir, 'slow.yaml');
  // Each state lasts a few seconds, long enough to kill the worker in the middle of it.
  await writeFile(
    file,
    `path: CrashTest
kind: project
---
path: CrashTest/slow
kind: image
parent: Public/BaseImages/local-host
recipe: |
  #!/bin/sh
  sleep 3
targets:
  execute: |
    #!/bin/sh
    sleep 3
  report: |
    #!/bin/sh
    sleep 3
    echo fine > "$SLIPSTREAM_REPORT_DIR/ok"
---
path: CrashTest/deployment
kind: deployment
nodes:
  - { name: slow, image: CrashTest/slow, multiplicity: 3 }
`,
  );
  expect((await stack.cli(['module', 'put', '-f', file])).code).toBe(0);
});
afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await stack?.stop();
});

/**
 * The token of each instance whose machine was recorded as started. A token is issued a
 * moment before its machine starts: an instance killed in between has a token and no
 * machine, and is rightly started (with a new token) by the next worker.
 */
async function startedTokens(runId: string) {
  const rows = await stack.database.db
    .select()
    .from(schema.instances)
    .where(eq(schema.instances.runId, runId));
  return Object.fromEntries(
    rows.flatMap((row) => (row.cloudInstanceId === null ? [] : [[row.name, row.tokenHash]])),
  );
}

describe('a worker killed with kill -9', () => {
  it.each(['Initializing', 'Running', 'SendingReport'])(
    'during %s: another worker carries the run to Done, with no machine started twice and none left behind',
    async (state) => {
      const { run } = await stack.post('/api/runs', { module: 'CrashTest/deployment' });
      await eventually(
        async () =>
          (await stack.get(`/api/runs/${run.id}`)).run.state === state ? true : undefined,
        60_000,
        state,
      );
      const holder = await eventually(
        async () => (await queue.getJob(run.id))?.processedBy,
        10_000,
        'the worker driving the run',
      );
      const before = await startedTokens(run.id);
      stack.killWorker(holder);
      stack.startWorker();

      const ended = await eventually(
        async () => {
          const detail = (await stack.get(`/api/runs/${run.id}`)).run;
          return detail.finishedAt ? detail : undefined;
        },
        120_000,
        'the run to end',
      );
      expect(ended).toMatchObject({ state: 'Done', outcome: 'success' });
      // Released by the new worker: nothing left on the local cloud.
      await eventually(
        async () => {
          const rows = await stack.database.db
            .select()
            .from(schema.instances)
            .where(eq(schema.instances.runId, run.id));
          return rows.every((row) => row.releasedAt !== null) ? true : undefined;
        },
        30_000,
        'every machine released',
      );
      // No machine started before the kill was started again: each keeps its token.
      expect(await startedTokens(run.id)).toMatchObject(before);
      const { reports } = await stack.get(`/api/runs/${run.id}/reports`);
      expect(reports.map((report: any) => report.instance).sort()).toEqual([
        'slow-1',
        'slow-2',
        'slow-3',
      ]);
    },
  );
});
