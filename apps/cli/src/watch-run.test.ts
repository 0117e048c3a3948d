import { startTestApi, type TestApi, type TestClient } from '@slipway/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchTiming } from './cli-io.js';
import {
  completeState,
  PAIR_YAML,
  startRun,
  userWithToken,
  writeFixture,
} from './testing/cli-fixtures.js';
import { eventually, slipway, startSlipway, temporaryDirectory } from './testing/cli-harness.js';

let api: TestApi;
let alice: { client: TestClient; env: Record<string, string> };
let dir: string;

const timing: Partial<WatchTiming> = {
  pollMs: 30,
  reconnectMs: 20,
  idleMs: 5000,
  giveUpMs: 10_000,
};

beforeAll(async () => {
  api = await startTestApi();
  alice = await userWithToken(api);
  dir = await temporaryDirectory();
  await writeFixture(dir, 'pair.yaml', PAIR_YAML);
  expect(
    (await slipway(['module', 'put', '-f', 'pair.yaml'], { env: alice.env, cwd: dir })).code,
  ).toBe(0);
});
afterAll(async () => {
  await api?.close();
});

async function launch(): Promise<string> {
  const result = await slipway(['run', 'Cli/pair'], { env: alice.env, cwd: dir });
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

type Watcher = ReturnType<typeof startSlipway>;

/** Waits until the watcher has shown `text` on stderr. */
const shown = (watcher: Watcher, text: string) =>
  eventually(() => watcher.stderr.text.includes(text), `"${text}" in:\n${watcher.stderr.text}`);

describe('slipway run --wait', () => {
  it('follows the run live to Done/failed: states, counts, statecustom; exit 1', async () => {
    const watcher = startSlipway(['run', 'Cli/pair', '--wait'], {
      env: alice.env,
      cwd: dir,
      timing,
    });
    await eventually(() => watcher.stdout.text.includes('\n'), 'the run id');
    const id = watcher.stdout.text.trim();
    await shown(watcher, `of Cli/pair@1: Initializing`);
    const machines = await startRun(api, alice.client, id);

    await completeState(machines, 'Initializing');
    await shown(watcher, '] Running\n');
    const display = await machines
      .get('web-1')!
      .request('PUT', '/api/machine/parameters/statecustom', 'serving on 8080', {
        'content-type': 'text/plain',
      });
    expect(display.status).toBe(204);
    await shown(watcher, '] web-1: serving on 8080\n');
    await completeState(machines, 'Running', { 'client-2': 1 });
    await shown(watcher, '] SendingReport\n');
    await completeState(machines, 'SendingReport');

    expect(await watcher.done).toBe(1);
    expect(watcher.stdout.text).toBe(`${id}\n`);
    const lines = watcher.stderr.text.trimEnd().split('\n');
    expect(lines[0]).toBe(`launched run ${id} of Cli/pair@1`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[\d+:\d\d\] 3 instances: 3 Initializing$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d+:\d\d\] Done$/));
    expect(lines.at(-1)).toMatch(new RegExp(`^run ${id} Done: failed \\(\\d+:\\d\\d\\)$`));
    expect(watcher.stderr.text).not.toContain('\r');
  });

  it('shows the abort message and exits 2 when the run is aborted', async () => {
    const id = await launch();
    const machines = await startRun(api, alice.client, id);
    await completeState(machines, 'Initializing');
    const watcher = startSlipway(['run', 'watch', id], { env: alice.env, cwd: dir, timing });
    await shown(watcher, `of Cli/pair@1: Running`);
    await shown(watcher, '3 instances: 3 Running');

    const abort = await slipway(['run', 'abort', id, 'client gave up'], {
      env: alice.env,
      cwd: dir,
    });
    expect(abort.code).toBe(0);
    await shown(watcher, '] abort: client gave up\n');
    await shown(watcher, '] SendingReport\n');
    await completeState(machines, 'SendingReport');

    expect(await watcher.done).toBe(2);
    expect(watcher.stdout.text).toBe('');
    expect(watcher.stderr.text).toMatch(
      new RegExp(`run ${id} Aborted: client gave up \\(\\d+:\\d\\d\\)\\n$`),
    );
  });

  it('reads the run every pollMs when the live stream is unavailable, redrawing a status line on a terminal; exit 0', async () => {
    const id = await launch();
    const machines = await startRun(api, alice.client, id);
    const streams: string[] = [];
    const noStream: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.endsWith('/stream')) {
        streams.push(url);
        return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no route' } }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        });
      }
      return fetch(input, init);
    };
    const watcher = startSlipway(
      ['run', 'watch', id],
      { env: alice.env, cwd: dir, timing, fetch: noStream },
      { tty: true },
    );
    await shown(watcher, 'the live stream is unavailable; reading the run every 0.03 s');
    await completeState(machines, 'Initializing');
    await shown(watcher, '] Running\n');
    await completeState(machines, 'Running');
    await shown(watcher, '] SendingReport\n');
    await completeState(machines, 'SendingReport');

    expect(await watcher.done).toBe(0);
    expect(streams).toHaveLength(1);
    // ESC [2K erases the line; \r returns to its start: the status line is redrawn in place.
    const screen = watcher.stderr.text.replaceAll('\x1b[2K', '<erase>');
    expect(screen).toContain('\r<erase>Running ');
    expect(screen).toMatch(/\r<erase>Initializing \d+:\d\d · 3 instances: 3 Initializing/);
    expect(screen).toMatch(new RegExp(`\\r<erase>run ${id} Done: success \\(\\d+:\\d\\d\\)\\n$`));
  });

  it('reconnects a dropped stream and misses nothing', async () => {
    const id = await launch();
    const machines = await startRun(api, alice.client, id);
    let connections = 0;
    const dropFirst: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/stream') && ++connections === 1) {
        // The connection dies right after the API said hello.
        const body = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(': connected\n\n'));
            controller.close();
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      }
      return fetch(input, init);
    };
    const watcher = startSlipway(['run', 'watch', id], {
      env: alice.env,
      cwd: dir,
      timing,
      fetch: dropFirst,
    });
    await eventually(() => connections >= 2, 'a second stream connection');
    await completeState(machines, 'Initializing');
    await shown(watcher, '] Running\n');
    await completeState(machines, 'Running');
    await completeState(machines, 'SendingReport');

    expect(await watcher.done).toBe(0);
    expect(connections).toBe(2);
    expect(watcher.stderr.text).not.toContain('unavailable');
  });

  it('reconnects a stream that falls silent, keep-alives and all', async () => {
    const id = await launch();
    const machines = await startRun(api, alice.client, id);
    let connections = 0;
    const silentFirst: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/stream') && ++connections === 1) {
        const body = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(': connected\n\n'));
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      }
      return fetch(input, init);
    };
    const watcher = startSlipway(['run', 'watch', id], {
      env: alice.env,
      cwd: dir,
      timing: { ...timing, idleMs: 200 },
      fetch: silentFirst,
    });
    await eventually(() => connections >= 2, 'a second stream connection');
    await completeState(machines, 'Initializing');
    await completeState(machines, 'Running');
    await completeState(machines, 'SendingReport');
    expect(await watcher.done).toBe(0);
  });

  it('reads the run instead after the stream was refused three times in a row', async () => {
    const id = await launch();
    const machines = await startRun(api, alice.client, id);
    let refusals = 0;
    const proxy: typeof fetch = async (input, init) => {
      if (!String(input).endsWith('/stream')) return fetch(input, init);
      refusals += 1;
      return new Response('<html>502 Bad Gateway</html>', {
        status: 502,
        headers: { 'content-type': 'text/html' },
      });
    };
    const watcher = startSlipway(['run', 'watch', id], {
      env: alice.env,
      cwd: dir,
      timing,
      fetch: proxy,
    });
    await shown(watcher, 'the live stream is unavailable');
    expect(refusals).toBe(3);
    await completeState(machines, 'Initializing');
    await completeState(machines, 'Running');
    await completeState(machines, 'SendingReport');
    expect(await watcher.done).toBe(0);
    expect(refusals).toBe(3);
  });

  it('stops at once when the token is refused', async () => {
    const id = await launch();
    const revoked: typeof fetch = async (input, init) =>
      String(input).endsWith('/stream')
        ? new Response(
            JSON.stringify({
              error: { code: 'unauthenticated', message: 'invalid or revoked token' },
            }),
            {
              status: 401,
              headers: { 'content-type': 'application/json' },
            },
          )
        : fetch(input, init);
    const result = await slipway(['run', 'watch', id], {
      env: alice.env,
      cwd: dir,
      timing,
      fetch: revoked,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /error: invalid or revoked token \(run `slipway login URL`, or check SLIPWAY_TOKEN\) \[unauthenticated\]\n$/,
    );
  });

  it('exits 3 for a run that does not exist', async () => {
    const result = await slipway(['run', 'watch', '00000000-0000-4000-8000-000000000000'], {
      env: alice.env,
      cwd: dir,
      timing,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: .*does not exist.*\[not_found\]\n$/);
  });
});
