/**
 * `pnpm bench` (apps/api): how long after a set through one API process a machine's long
 * poll on another process answers, and how long after an abort every waiter does. Medians
 * and 95th percentiles over many rounds, on the real PostgreSQL and Redis.
 * Usage: tsx src/bench/wake-latency.ts [rounds=50]
 */
import { runChannel } from '@slipway/engine';
import { createTestRun } from '../machine/testing-run.js';
import { startTestApi } from '../testing/test-api.js';

const rounds = Number(process.argv[2] ?? 50);

function summary(samples: number[]): { median: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p95: at(0.95), max: sorted.at(-1)! };
}

async function waitForSubscribers(api: Awaited<ReturnType<typeof startTestApi>>, runId: string) {
  const channel = api.deps.events.channel(runChannel(runId));
  for (let i = 0; i < 500; i += 1) {
    const [, count] = (await api.deps.redis.pubsub('NUMSUB', channel)) as [string, number];
    if (count >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the waiter never subscribed');
}

const api = await startTestApi();
const peer = await api.startPeer();
try {
  const setToWake: number[] = [];
  const abortToWake: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const run = await createTestRun(api, { apache: 1, testsuite: 3 });
    const waiter = run.machine('testsuite-1').get('/api/machine/parameters/apache:ready?wait=5');
    await waitForSubscribers(api, run.runId);
    const setAt = performance.now();
    const [, answer] = await Promise.all([
      run.machine('apache-1', peer).put('/api/machine/parameters/ready', 'go', {
        'content-type': 'text/plain',
      }),
      waiter.then((response) => ({ response, at: performance.now() })),
    ]);
    if (answer.response.status !== 200) throw new Error(`waiter got ${answer.response.status}`);
    setToWake.push(answer.at - setAt);

    const waiters = ['testsuite-2', 'testsuite-3'].map((instance) =>
      run
        .machine(instance)
        .get('/api/machine/parameters/apache:hostname?wait=5')
        .then((response) => ({ response, at: performance.now() })),
    );
    await waitForSubscribers(api, run.runId);
    const abortAt = performance.now();
    await run.machine('apache-1', peer).post('/api/machine/abort', { message: 'bench' });
    for (const { response, at } of await Promise.all(waiters)) {
      if (response.status !== 409) throw new Error(`waiter got ${response.status}`);
      abortToWake.push(at - abortAt);
    }
  }
  const ms = (s: { median: number; p95: number; max: number }) =>
    Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number(v.toFixed(1))]));
  console.log(
    JSON.stringify({
      rounds,
      setToWakeMs: ms(summary(setToWake)),
      abortToWakeMs: ms(summary(abortToWake)),
    }),
  );
} finally {
  await api.close();
}
