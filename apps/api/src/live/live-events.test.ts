import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LiveRunMessage, LiveRunSnapshot, LiveUserMessage } from '@slipway/contracts';
import { runChannel, userChannel } from '@slipway/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../create-app.js';
import { createTestRun, type TestRun } from '../machine/testing-run.js';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.js';

let api: TestApi;
let peer: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  peer = await api.startPeer();
});
afterAll(async () => {
  await api.close();
});

interface ServerSentEvent {
  event: string;
  data: unknown;
}

/** The session cookie a logged-in TestClient sends (it keeps it private). */
function cookieOf(client: TestClient): string {
  return (client as unknown as { auth: { cookie: string } }).auth.cookie;
}

/** Reads a Server-Sent Events response the way EventSource does, one event at a time. */
async function openStream(client: TestClient, path: string, baseUrl = client.baseUrl) {
  const controller = new AbortController();
  const response = await fetch(baseUrl + path, {
    headers: { accept: 'text/event-stream', cookie: cookieOf(client) },
    signal: controller.signal,
  });
  const events: ServerSentEvent[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body ?? []) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
        waiters.splice(0).forEach((wake) => wake());
      }
    } catch {
      // aborted by the test
    }
    ended = true;
    waiters.splice(0).forEach((wake) => wake());
  })();
  let read = 0;
  return {
    response,
    async next(): Promise<ServerSentEvent> {
      const deadline = Date.now() + 3000;
      while (read >= events.length) {
        if (ended) throw new Error('the stream ended');
        if (Date.now() > deadline) throw new Error('no event within 3 s');
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return events[read++]!;
    },
    async ended(): Promise<boolean> {
      for (let i = 0; i < 30 && !ended; i++) await new Promise((r) => setTimeout(r, 100));
      return ended;
    },
    close: () => controller.abort(),
  };
}

async function subscribed(channel: string): Promise<void> {
  const name = api.deps.events.channel(channel);
  for (let i = 0; i < 200; i++) {
    const [, count] = (await api.deps.redis.pubsub('NUMSUB', name)) as [string, number];
    if (count >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`nobody subscribed to ${name}`);
}

async function ownedRun(): Promise<{ run: TestRun; owner: TestClient & { userId: string } }> {
  const owner = await api.login();
  const run = await createTestRun(api, { ownerId: owner.userId, apache: 1, testsuite: 1 });
  return { run, owner };
}

describe('the live view of a run', () => {
  it('sends the snapshot, then changes made through another API process as they happen', async () => {
    const { run, owner } = await ownedRun();
    await run.machine('apache-1').put('/api/machine/parameters/statecustom', 'booting', {
      'content-type': 'text/plain',
    });
    const stream = await openStream(owner, `/api/runs/${run.runId}/stream`);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const snapshot = await stream.next();
    expect(snapshot.event).toBe('snapshot');
    expect(LiveRunSnapshot.parse(snapshot.data)).toEqual({
      runId: run.runId,
      state: 'Initializing',
      abort: null,
      instances: [
        {
          name: 'apache-1',
          node: 'apache',
          index: 1,
          state: 'Initializing',
          statecustom: 'booting',
        },
        {
          name: 'testsuite-1',
          node: 'testsuite',
          index: 1,
          state: 'Initializing',
          statecustom: null,
        },
      ],
    });

    await run.machine('apache-1', peer).put('/api/machine/parameters/statecustom', 'serving', {
      'content-type': 'text/plain',
    });
    const parameter = await stream.next();
    expect(parameter).toEqual({
      event: 'parameter',
      data: { type: 'parameter', key: 'apache-1:statecustom', value: 'serving' },
    });

    await run.machine('apache-1', peer).post('/api/machine/complete', { state: 'Initializing' });
    await run.machine('testsuite-1', peer).post('/api/machine/complete', { state: 'Initializing' });
    const received: unknown[] = [];
    for (;;) {
      const next = await stream.next();
      received.push(LiveRunMessage.parse(next.data));
      expect(next.event).toBe((next.data as { type: string }).type);
      if (next.event === 'state') break;
    }
    expect(received).toContainEqual({
      type: 'parameter',
      key: 'testsuite-1:complete',
      value: 'Initializing',
    });
    expect(received.at(-1)).toEqual({ type: 'state', state: 'Running' });
    expect(await stream.next()).toEqual({
      event: 'parameter',
      data: { type: 'parameter', key: 'ss:state', value: 'Running' },
    });

    await run
      .machine('apache-1', peer)
      .post('/api/machine/logs', { stream: 'stderr', lines: ['oops'] });
    expect(await stream.next()).toEqual({
      event: 'log',
      data: { type: 'log', instance: 'apache-1', stream: 'stderr', lines: ['oops'] },
    });

    // Raw output in one request.
    const shipped = await run
      .machine('testsuite-1', peer)
      .post('/api/machine/logs?stream=stdout&target=execute', 'GET / 200\r\nGET /x 404\n', {
        'content-type': 'text/plain; charset=utf-8',
      });
    expect(shipped.body).toEqual({ lines: 2 });
    expect(await stream.next()).toEqual({
      event: 'log',
      data: {
        type: 'log',
        instance: 'testsuite-1',
        stream: 'stdout',
        lines: ['GET / 200', 'GET /x 404'],
      },
    });

    // A whole target's log in one request that stays open (the bootstrap's tail -f | curl -T -):
    // lines reach the browser while the request is still arriving.
    const upload = request(`${peer.url}/api/machine/logs?target=execute`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${run.tokens.get('testsuite-1')}`,
        'content-type': 'text/plain; charset=utf-8',
      },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      upload.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      upload.on('error', reject);
    });
    upload.write('first line\nsecond ');
    expect(await stream.next()).toEqual({
      event: 'log',
      data: { type: 'log', instance: 'testsuite-1', stream: 'stdout', lines: ['first line'] },
    });
    upload.write('h\u00e9');
    upload.end(Buffer.from('\u00e9'.repeat(2)).subarray(0, 3)); // a character cut in two
    const streamed: string[] = [];
    while (streamed.length < 1) {
      const next = await stream.next();
      streamed.push(...(next.data as { lines: string[] }).lines);
    }
    expect(streamed).toEqual(['second h\u00e9\u00e9\ufffd']);
    expect(await answered).toEqual({ status: 200, body: JSON.stringify({ lines: 2 }) });
    stream.close();
  });

  it('is for the owner and administrators: another user gets 404, an anonymous caller 401', async () => {
    const { run } = await ownedRun();
    const stranger = await api.login();
    const refused = await stranger.get(`/api/runs/${run.runId}/stream`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('not_found');
    const unknown = await stranger.get('/api/runs/00000000-0000-4000-8000-000000000000/stream');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(
      refused.body.error.message.replace(run.runId, '00000000-0000-4000-8000-000000000000'),
    );
    expect((await api.anonymous.get(`/api/runs/${run.runId}/stream`)).status).toBe(401);
    const machine = await run.machine('apache-1').get(`/api/runs/${run.runId}/stream`);
    expect(machine.status).toBe(403);

    const admin = await api.login(undefined, { admin: true });
    const stream = await openStream(admin, `/api/runs/${run.runId}/stream`);
    expect((await stream.next()).event).toBe('snapshot');
    stream.close();
  });

  it('refuses a malformed run id with 400, naming the id as the problem, like the other run routes', async () => {
    const { owner } = await ownedRun();
    const malformed = await owner.get('/api/runs/not-a-uuid/stream');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(malformed.body.error).toMatchObject({
      code: 'invalid_request',
      problems: [{ at: ['path', 'id'], message: 'not a run id' }],
    });
    expect(malformed.body).toEqual((await owner.get('/api/runs/not-a-uuid')).body);
    // Who is asking is checked first, as on every run route.
    expect((await api.anonymous.get('/api/runs/not-a-uuid/stream')).status).toBe(401);
  });

  it('ends the stream when the API process shuts down, and stops listening when the browser leaves', async () => {
    const { run, owner } = await ownedRun();
    const { app, beginShutdown } = createApp(api.deps);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const stream = await openStream(owner, `/api/runs/${run.runId}/stream`, url);
      expect((await stream.next()).event).toBe('snapshot');
      beginShutdown();
      expect(await stream.ended()).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }

    const channel = api.deps.events.channel(runChannel(run.runId));
    const leaving = await openStream(owner, `/api/runs/${run.runId}/stream`);
    await leaving.next();
    await subscribed(runChannel(run.runId));
    leaving.close();
    let count = 1;
    for (let i = 0; i < 100 && count > 0; i++) {
      [, count] = (await api.deps.redis.pubsub('NUMSUB', channel)) as [string, number];
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(count).toBe(0);
  });
});

describe("the caller's run list, live", () => {
  it("tells a user when one of their runs changes state, and nothing of other users' runs", async () => {
    const { run, owner } = await ownedRun();
    const { run: otherRun } = await ownedRun();
    const stream = await openStream(owner, '/api/events');
    expect(stream.response.status).toBe(200);
    await subscribed(userChannel(owner.userId));
    await otherRun.machine('apache-1', peer).post('/api/machine/abort', { message: 'theirs' });
    await run.machine('apache-1', peer).post('/api/machine/abort', { message: 'mine' });
    const event = await stream.next();
    expect(event.event).toBe('run');
    expect(LiveUserMessage.parse(event.data)).toEqual({
      type: 'run',
      runId: run.runId,
      state: 'SendingReport',
    });
    stream.close();
    expect((await api.anonymous.get('/api/events')).status).toBe(401);
  });
});
