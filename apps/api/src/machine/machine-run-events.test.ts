import { JOBS, RUNS_QUEUE } from '@slipway/contracts';
import { schema } from '@slipway/db';
import type { RunStatus } from '@slipway/domain';
import { runChannel } from '@slipway/engine';
import { Worker } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_REDIS_URL, type TestApi } from '../testing/test-api.js';
import { createTestRun, type TestRun } from './testing-run.js';

let api: TestApi;
let peer: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  peer = await api.startPeer();
});
afterAll(async () => {
  await api.close();
});

async function runRow(run: TestRun) {
  const [row] = await api.database.db
    .select()
    .from(schema.runs)
    .where(eq(schema.runs.id, run.runId));
  return { ...row!, status: row!.status as RunStatus };
}

/** Jobs waiting on the queue for the run (no worker runs in these tests). */
async function queuedJobs(run: TestRun) {
  const jobs = await api.deps.runQueue.getJobs(['waiting', 'prioritized', 'delayed']);
  return jobs.filter((job) => job.data.runId === run.runId);
}

async function subscribed(run: TestRun): Promise<void> {
  const channel = api.deps.events.channel(runChannel(run.runId));
  for (let i = 0; i < 200; i++) {
    const [, count] = (await api.deps.redis.pubsub('NUMSUB', channel)) as [string, number];
    if (count >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`nobody subscribed to ${channel}`);
}

const complete = (run: TestRun, instance: string, body: object, via = api) =>
  run.machine(instance, via).post('/api/machine/complete', body);

describe('completing a state', () => {
  it('advances ss:state only when every instance has completed, and ignores a stale completion', async () => {
    const run = await createTestRun(api, { apache: 1, testsuite: 2 });
    const first = await complete(run, 'apache-1', { state: 'Initializing', exitCode: 0 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ state: 'Initializing', abort: null });
    expect(await run.stored('apache-1:complete')).toBe('Initializing');
    expect(await run.stored('apache-1:exitcode')).toBe('0');
    await complete(run, 'testsuite-1', { state: 'Initializing' }, peer);
    expect(await run.stored('ss:state')).toBe('Initializing');
    expect(await queuedJobs(run)).toEqual([]);

    const last = await complete(run, 'testsuite-2', { state: 'Initializing' });
    expect(last.body).toEqual({ state: 'Running', abort: null });
    expect(await run.stored('ss:state')).toBe('Running');
    expect((await runRow(run)).state).toBe('Running');

    // A retry of a completion already counted changes nothing and tells the machine the state.
    const stale = await complete(run, 'apache-1', { state: 'Initializing', exitCode: 3 });
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual({ state: 'Running', abort: null });
    expect(await run.stored('apache-1:exitcode')).toBe('0');
    const status = (await runRow(run)).status;
    expect(status.failing).toBe(false);
    expect(status.instances['apache-1']?.completed).toBe('Initializing');

    const jobs = await queuedJobs(run);
    expect(jobs.map((job) => [job.name, job.data])).toEqual([
      [JOBS.advanceRun.name, { runId: run.runId }],
    ]);
  });

  it('marks the run failing when a target exits non-zero, and refuses a bad body', async () => {
    const run = await createTestRun(api, { testsuite: 0 });
    await complete(run, 'apache-1', { state: 'Initializing' });
    const failed = await complete(run, 'apache-1', { state: 'Running', exitCode: 2 });
    expect(failed.body).toEqual({ state: 'SendingReport', abort: null });
    expect(await run.stored('apache-1:exitcode')).toBe('2');
    expect((await runRow(run)).status.failing).toBe(true);

    const bad = await complete(run, 'apache-1', { state: 'Sleeping' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems[0].at).toEqual(['body', 'state']);
    expect((await runRow(run)).state).toBe('SendingReport');
  });

  it('keeps one job per run on the queue however many events change it', async () => {
    const run = await createTestRun(api, { testsuite: 0 });
    await complete(run, 'apache-1', { state: 'Initializing' });
    await run.machine('apache-1').post('/api/machine/abort', { message: 'stop' });
    await run.machine('apache-1').delete('/api/machine/abort');
    expect(await queuedJobs(run)).toHaveLength(1);
  });
});

describe('the state long poll', () => {
  it('answers at once when the state differs, and wakes a waiting machine when the barrier passes', async () => {
    const run = await createTestRun(api, { testsuite: 0 });
    const machine = run.machine('apache-1');
    expect((await machine.get('/api/machine/state')).body).toEqual({
      state: 'Initializing',
      abort: null,
    });
    expect((await machine.get('/api/machine/state?known=Running&wait=5')).body.state).toBe(
      'Initializing',
    );
    const timeout = await machine.get('/api/machine/state?known=Initializing&wait=1');
    expect(timeout.status).toBe(408);

    const waiting = machine.get('/api/machine/state?known=Initializing&wait=5');
    await subscribed(run);
    await complete(run, 'apache-1', { state: 'Initializing' }, peer);
    // Woken by the barrier, not by the poll running out (that answers 408); how fast is
    // for `pnpm bench` (apps/api).
    const woken = await waiting;
    expect(woken.status).toBe(200);
    expect(woken.body).toEqual({ state: 'Running', abort: null });

    const aborting = machine.get('/api/machine/state?known=Running&wait=5');
    await subscribed(run);
    await run.machine('apache-1', peer).post('/api/machine/abort', { message: 'enough' });
    expect((await aborting).body).toEqual({ state: 'SendingReport', abort: 'enough' });
    expect((await machine.get('/api/machine/state?known=Nowhere')).status).toBe(400);
    // The bootstrap's first call knows no state yet.
    expect((await machine.get('/api/machine/state?known=&wait=5')).body.state).toBe(
      'SendingReport',
    );
  });
});

describe('aborting', () => {
  it('keeps the first message, sets each aborting instance key, and cancels', async () => {
    const run = await createTestRun(api, { apache: 2 });
    const first = await run.machine('apache-1').post('/api/machine/abort', { message: 'first' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ state: 'SendingReport', abort: 'first' });
    const second = await run.machine('apache-2', peer).post('/api/machine/abort', {
      message: 'second',
    });
    expect(second.body.abort).toBe('first');
    expect(await run.stored('ss:abort')).toBe('first');
    expect(await run.stored('apache-1:abort')).toBe('first');
    expect(await run.stored('apache-2:abort')).toBe('second');
    expect(await run.stored('testsuite-1:abort')).toBeNull();
    expect((await runRow(run)).abortMessage).toBe('first');

    const again = await run.machine('apache-1').post('/api/machine/abort', { message: 'third' });
    expect(again.body.abort).toBe('first');
    expect(await run.stored('apache-1:abort')).toBe('first');

    const cancelled = await run.machine('apache-1').delete('/api/machine/abort');
    expect(cancelled.body).toEqual({ state: 'SendingReport', abort: null });
    expect(await run.stored('ss:abort')).toBeNull();
    expect(await run.stored('apache-1:abort')).toBeNull();
    expect(await run.stored('apache-2:abort')).toBe('second');
    const value = await run.machine('testsuite-1').get('/api/machine/parameters/apache:port');
    expect(value.body).toBe('8080');
  });

  it('takes the message as a text/plain body, the way ss-abort sends it', async () => {
    const run = await createTestRun(api);
    const response = await run
      .machine('apache-1')
      .post('/api/machine/abort', 'disk "full" – ünïcode', {
        'content-type': 'text/plain; charset=utf-8',
      });
    expect(response.body.abort).toBe('disk "full" – ünïcode');
    expect(await run.stored('ss:abort')).toBe('disk "full" – ünïcode');
    expect(await run.stored('apache-1:abort')).toBe('disk "full" – ünïcode');
  });

  it('names the instance when ss-abort gives no message; users and anonymous callers cannot abort', async () => {
    const run = await createTestRun(api);
    const user = await api.login();
    expect((await user.post('/api/machine/abort', { message: 'x' })).status).toBe(401);
    expect((await api.anonymous.post('/api/machine/abort', {})).status).toBe(401);
    expect(await run.stored('ss:abort')).toBeNull();
    const response = await run.machine('testsuite-1').post('/api/machine/abort');
    expect(response.body.abort).toBe('testsuite-1 aborted the run');
  });
});

describe('logs', () => {
  it('bounds a batch of lines', async () => {
    const run = await createTestRun(api);
    const machine = run.machine('apache-1');
    const ok = await machine.post('/api/machine/logs', { stream: 'stdout', lines: ['a', 'b'] });
    expect([ok.status, ok.body]).toEqual([200, { lines: 2 }]);
    const tooMany = await machine.post('/api/machine/logs', {
      stream: 'stdout',
      lines: Array.from({ length: 1001 }, () => 'x'),
    });
    expect(tooMany.status).toBe(400);
    const badStream = await machine.post('/api/machine/logs', { stream: 'stdin', lines: [] });
    expect(badStream.status).toBe(400);
  });
});

describe('the orchestrator queue', () => {
  it('takes a new job for the run once a worker has finished the previous one', async () => {
    const run = await createTestRun(api, { testsuite: 0 });
    const processed: string[] = [];
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(
      RUNS_QUEUE,
      async (job) => {
        if (job.data.runId === run.runId) processed.push(job.name);
      },
      { connection, prefix: api.deps.config.redisPrefix },
    );
    const processedCount = async (count: number) => {
      for (let i = 0; i < 300 && processed.length < count; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      return processed.length;
    };
    try {
      await complete(run, 'apache-1', { state: 'Initializing' });
      expect(await processedCount(1)).toBe(1);
      await run.machine('apache-1').post('/api/machine/abort', { message: 'later' });
      expect(await processedCount(2)).toBe(2);
      expect(processed).toEqual([JOBS.advanceRun.name, JOBS.advanceRun.name]);
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });
});
