import type { AddressInfo } from 'node:net';
import { runChannel } from '@slipway/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../create-app.js';
import { startTestApi, TestClient, type TestApi } from '../testing/test-api.js';
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

const get = (client: TestClient, reference: string, query = '') =>
  client.get(`/api/machine/parameters/${encodeURIComponent(reference)}${query}`);
const put = (client: TestClient, reference: string, value: string | Buffer) =>
  client.put(`/api/machine/parameters/${encodeURIComponent(reference)}`, value, {
    'content-type': 'text/plain',
  });

/** Resolves once `processes` API processes hold a subscription to the run's channel. */
async function subscribers(run: TestRun, processes: number): Promise<void> {
  const channel = api.deps.events.channel(runChannel(run.runId));
  for (let i = 0; i < 200; i++) {
    const [, count] = (await api.deps.redis.pubsub('NUMSUB', channel)) as [string, number];
    if (count >= processes) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`fewer than ${processes} processes subscribed to ${channel}`);
}

describe('who may read and write', () => {
  it('lets every machine of the run read, only the instance write its own keys, and nobody else in', async () => {
    const run = await createTestRun(api, { apache: 2 });
    const other = await createTestRun(api);
    const apache1 = run.machine('apache-1');
    const apache2 = run.machine('apache-2');
    const testsuite = run.machine('testsuite-1');

    expect((await get(api.anonymous, 'apache:port')).status).toBe(401);
    const user = await api.login();
    const asUser = await get(user, 'apache:port');
    expect(asUser.status).toBe(401);
    expect(asUser.body.error.code).toBe('unauthenticated');
    expect((await put(user, 'apache-1:ready', 'yes')).status).toBe(401);

    const set = await put(apache1, 'ready', 'yes');
    expect(set.status).toBe(204);
    expect(set.body).toBe('');
    expect(await run.stored('apache-1:ready')).toBe('yes');
    const read = await get(testsuite, 'apache:ready');
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(read.body).toBe('yes');
    expect((await get(apache2, 'apache.1:ready')).body).toBe('yes');

    // Another instance of the same run reads but cannot write.
    const foreign = await put(apache2, 'apache-1:ready', 'no');
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toContain('not a parameter of this instance (apache-2)');
    expect((await put(testsuite, 'apache:port', '1')).status).toBe(403);
    expect(await run.stored('apache-1:ready')).toBe('yes');
    expect(await run.stored('apache-1:port')).toBe('8080');

    // A machine of another run sees only its own run, whatever it names.
    const otherMachine = other.machine('apache-1');
    expect((await get(otherMachine, 'apache:ready')).status).toBe(204);
    expect((await put(otherMachine, 'apache-1:ready', 'theirs')).status).toBe(204);
    expect(await run.stored('apache-1:ready')).toBe('yes');
    expect(await other.stored('apache-1:ready')).toBe('theirs');

    // A token dies with its run.
    await run.end('Done');
    const ended = await get(apache1, 'ready');
    expect(ended.status).toBe(401);
    expect(ended.body.error.message).toContain('run has ended');
    expect((await put(apache1, 'ready', 'late')).status).toBe(401);
    expect(await run.stored('apache-1:ready')).toBe('yes');
    expect((await get(otherMachine, 'ready')).body).toBe('theirs');
  });

  it('refuses global keys, keys Slipway manages, mapped inputs and unknown keys, writing nothing', async () => {
    const run = await createTestRun(api);
    const apache = run.machine('apache-1');
    const testsuite = run.machine('testsuite-1');
    const global = await put(apache, 'ss:abort', 'x');
    expect(global.status).toBe(403);
    expect(await run.stored('ss:abort')).toBeNull();
    expect((await put(apache, 'apache:*:ready', 'x')).status).toBe(403);
    expect((await put(apache, 'apache:multiplicity', '9')).status).toBe(403);
    expect(await run.stored('apache:multiplicity')).toBe('1');

    const managed = await put(apache, 'abort', 'x');
    expect(managed.status).toBe(403);
    expect(managed.body.error.message).toContain('use ss-abort');
    expect(await run.stored('apache-1:abort')).toBeNull();
    expect((await put(apache, 'state', 'Done')).status).toBe(403);
    expect(await run.stored('apache-1:state')).toBe('Initializing');

    const mapped = await put(testsuite, 'webserver.port', '1');
    expect(mapped.status).toBe(403);
    expect(mapped.body.error.message).toContain('takes its value from apache-1:port');
    expect(await run.stored('testsuite-1:webserver.port')).toBeNull();

    const unknown = await put(apache, 'nosuch', 'x');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_key');
    expect(await run.stored('apache-1:nosuch')).toBeUndefined();

    // ss-display
    expect((await put(apache, 'statecustom', 'warming up')).status).toBe(204);
    expect(await run.stored('apache-1:statecustom')).toBe('warming up');
  });

  it('limits a value to 4096 bytes of UTF-8 and writes nothing larger', async () => {
    const run = await createTestRun(api);
    const apache = run.machine('apache-1');
    expect((await put(apache, 'ready', 'a'.repeat(4096))).status).toBe(204);
    expect(await run.stored('apache-1:ready')).toBe('a'.repeat(4096));

    const tooLong = await put(apache, 'ready', 'b'.repeat(4097));
    expect(tooLong.status).toBe(413);
    expect(tooLong.body.error.message).toContain('at most 4096 bytes');
    // 2049 characters, 4098 bytes.
    expect((await put(apache, 'ready', 'é'.repeat(2049))).status).toBe(413);
    expect(await run.stored('apache-1:ready')).toBe('a'.repeat(4096));

    const notUtf8 = await put(apache, 'ready', Buffer.from([0xff, 0xfe]));
    expect(notUtf8.status).toBe(400);
    expect(await run.stored('apache-1:ready')).toBe('a'.repeat(4096));

    expect((await put(apache, 'ready', 'ünïcödé ✓')).status).toBe(204);
    expect((await get(apache, 'ready')).body).toBe('ünïcödé ✓');
    expect((await put(apache, 'ready', '')).status).toBe(204);
    const empty = await get(apache, 'ready');
    expect([empty.status, empty.body]).toEqual([200, '']);
  });

  it('answers 400 for a malformed reference and 404 for an unknown key', async () => {
    const run = await createTestRun(api);
    const apache = run.machine('apache-1');
    for (const bad of ['a:b:c', 'apache-0:port', 'bad key', 'ss:', 'ss-1:x']) {
      const response = await get(apache, bad);
      expect(response.status, bad).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    }
    const unknown = await get(apache, 'apache-7:port', '?wait=5');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('apache-7:port');
    expect((await get(apache, 'nosuch:*:port')).status).toBe(404);
    expect((await get(apache, 'port', '?wait=soon')).status).toBe(400);
  });
});

describe('long polls', () => {
  it('answers 204 at once without wait, and 408 when the wait runs out', async () => {
    const run = await createTestRun(api);
    const testsuite = run.machine('testsuite-1');
    const noWait = await get(testsuite, 'apache:ready');
    expect(noWait.status).toBe(204);
    expect((await get(testsuite, 'apache:ready', '?wait=0')).status).toBe(204);

    const start = Date.now();
    const timeout = await get(testsuite, 'apache:ready', '?wait=1');
    const elapsed = Date.now() - start;
    expect(timeout.status).toBe(408);
    expect(timeout.body.error.code).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2500);
  });

  it('caps a wait at the configured longest long poll', async () => {
    const run = await createTestRun(api);
    const deps = { ...api.deps, config: { ...api.deps.config, longPollMaxSeconds: 1 } };
    const { app } = createApp(deps);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const client = new TestClient(url, { token: run.tokens.get('testsuite-1')! });
      const start = Date.now();
      const response = await get(client, 'apache:ready', '?wait=600');
      expect(response.status).toBe(408);
      expect(Date.now() - start).toBeLessThan(2500);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // How fast a waiter wakes is measured by `pnpm bench` (apps/api/bench/wake-latency.ts); here,
  // that it wakes at all: a poll that ran out would answer 408, not the value.
  it('wakes a waiter on one API process when a value is set through another', async () => {
    const run = await createTestRun(api);
    const waiting = get(run.machine('testsuite-1'), 'apache:ready', '?wait=5');
    await subscribers(run, 1);
    expect((await put(run.machine('apache-1', peer), 'ready', 'go')).status).toBe(204);
    const response = await waiting;
    expect(response.status).toBe(200);
    expect(response.body).toBe('go');
  });

  it('gives an input mapped to another node the output it follows, once set', async () => {
    const run = await createTestRun(api);
    const testsuite = run.machine('testsuite-1');
    expect((await get(testsuite, 'webserver.port')).body).toBe('8080');
    expect((await get(testsuite, 'tries')).body).toBe('3');
    expect((await get(testsuite, 'webserver.hostname')).status).toBe(204);

    const waiting = get(testsuite, 'webserver.hostname', '?wait=5');
    await subscribers(run, 1);
    await put(run.machine('apache-1', peer), 'hostname', '10.0.0.7');
    const response = await waiting;
    expect([response.status, response.body]).toEqual([200, '10.0.0.7']);
    expect((await get(testsuite, 'testsuite-1:webserver.hostname')).body).toBe('10.0.0.7');
  });

  it('answers node:*:key once every instance has set its key, in instance order', async () => {
    const run = await createTestRun(api, { apache: 3 });
    const testsuite = run.machine('testsuite-1');
    expect((await get(testsuite, 'apache:*:port')).body).toBe('8080,8080,8080');
    expect((await get(testsuite, 'apache:*:hostname')).status).toBe(204);

    let answered = false;
    const direct = get(testsuite, 'apache:*:hostname', '?wait=5').then((response) => {
      answered = true;
      return response;
    });
    const mapped = get(testsuite, 'servers', '?wait=5');
    await subscribers(run, 1);
    await put(run.machine('apache-3', peer), 'hostname', 'h3');
    await put(run.machine('apache-1'), 'hostname', 'h1');
    // Both sets have been published; give the waiter time to (wrongly) answer.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    await put(run.machine('apache-2', peer), 'hostname', 'h2');
    expect((await direct).body).toBe('h1,h2,h3');
    expect((await mapped).body).toBe('h1,h2,h3');
  });

  it('answers node:*:key of a node without instances with an empty value at once', async () => {
    const run = await createTestRun(api, { testsuite: 0 });
    const response = await get(run.machine('apache-1'), 'testsuite:*:tries', '?wait=5');
    expect([response.status, response.body]).toEqual([200, '']);
  });

  it('wakes every waiter on every process with 409 and the message when the run aborts', async () => {
    const run = await createTestRun(api, { apache: 2, testsuite: 3 });
    const waiters = [
      get(run.machine('testsuite-1'), 'webserver.ready', '?wait=5'),
      get(run.machine('testsuite-2', peer), 'apache:ready', '?wait=5'),
      get(run.machine('testsuite-3'), 'apache:*:hostname', '?wait=5'),
      get(run.machine('apache-2', peer), 'testsuite-3:hostname', '?wait=5'),
      get(run.machine('apache-2'), 'ss:abort', '?wait=5'),
    ];
    const ignoring = get(run.machine('testsuite-1', peer), 'apache:ready', '?wait=5&ignoreAbort=1');
    await subscribers(run, 2);
    const abort = await run.machine('apache-1', peer).post('/api/machine/abort', {
      message: 'database did not start',
    });
    expect(abort.status).toBe(200);
    for (const waiter of await Promise.all(waiters)) {
      expect(waiter.status).toBe(409);
      expect(waiter.body.error).toEqual({
        code: 'run_aborted',
        message: 'database did not start',
      });
    }
    const later = await get(run.machine('testsuite-2'), 'apache:port', '?wait=5');
    expect([later.status, later.body.error.message]).toEqual([409, 'database did not start']);
    expect((await get(run.machine('testsuite-2'), 'apache:port', '?ignoreAbort=1')).body).toBe(
      '8080',
    );
    expect((await get(run.machine('apache-2'), 'ss:abort', '?ignoreAbort=true')).body).toBe(
      'database did not start',
    );

    // The waiter that ignores the abort still waits for its value.
    await put(run.machine('apache-1'), 'ready', 'anyway');
    expect((await ignoring).body).toBe('anyway');
  });

  it('keeps values across API processes: a restarted process reads what another wrote', async () => {
    const run = await createTestRun(api);
    const first = await api.startPeer();
    expect((await put(run.machine('apache-1', first), 'ready', 'persisted')).status).toBe(204);
    await first.close();
    const second = await api.startPeer();
    const response = await get(run.machine('testsuite-1', second), 'webserver.ready');
    expect([response.status, response.body]).toEqual([200, 'persisted']);
    await second.close();
  });

  it('ends waiting polls with 503 when the API process begins its shutdown', async () => {
    const run = await createTestRun(api);
    const { app, beginShutdown } = createApp(api.deps);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new TestClient(url, { token: run.tokens.get('testsuite-1')! });
    try {
      const waiting = get(client, 'apache:ready', '?wait=5');
      await subscribers(run, 1);
      beginShutdown();
      const response = await waiting;
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('unavailable');
      // A new poll during the shutdown does not wait either; a value that is set is still given.
      expect((await get(client, 'apache:ready', '?wait=5')).status).toBe(503);
      expect((await get(client, 'apache:port', '?wait=5')).body).toBe('8080');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
