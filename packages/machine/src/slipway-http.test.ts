import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LIB = new URL('../lib/slipway.sh', import.meta.url).pathname;
/** What a machine of the local cloud starts with; the commands need sh and curl from it. */
const HOST_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * Answers /body/<status> with a multi-line body, /slow after 2.5 s; holds /hold until the
 * client goes.
 */
let server: Server;
let api: string;
const held: IncomingMessage[] = [];
const closed: IncomingMessage[] = [];
/** Bodies of PUT /api/machine/parameters/…, as ss-set sent them. */
const received: string[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-http-'));
  server = createServer((req, res) => {
    if (req.method === 'PUT' && req.url?.startsWith('/api/machine/parameters/')) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204).end();
      });
      return;
    }
    if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 2500);
      return;
    }
    if (req.url === '/hold') {
      held.push(req);
      res.on('close', () => closed.push(req));
      return;
    }
    const status = Number(req.url?.split('/')[2] ?? 200);
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(`first line\n\n"quoted" $HOME \\ last\n\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function sh(script: string, env: Record<string, string> = {}) {
  const child = spawn('sh', ['-c', `. ${LIB}\n${script}`], {
    env: { PATH: HOST_PATH, SLIPWAY_API: api, SLIPWAY_TOKEN: 't', ...env },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<string>((resolve) => child.on('close', () => resolve(out)));
  return { child, exited };
}

describe('slipway_http', () => {
  const show = 'slipway_http GET "$1"; printf "%s|%s" "$SLIPWAY_STATUS" "$SLIPWAY_BODY"';

  it.each([
    ['through a command substitution', false],
    ['through a file (SLIPWAY_HTTP_FILE)', true],
  ] as const)('reads the status and the body %s', async (_mode, file) => {
    const env: Record<string, string> = file ? { SLIPWAY_HTTP_FILE: join(dir, 'answer') } : {};
    for (const status of [200, 404]) {
      const { exited } = sh(`set -- /body/${status}\n${show}`, env);
      // The body keeps its inner blank line and loses its trailing newlines.
      expect(await exited).toBe(`${status}|first line\n\n"quoted" $HOME \\ last`);
    }
    const { exited } = sh(`set -- /x\n${show}`, { ...env, SLIPWAY_API: 'http://127.0.0.1:1' });
    expect(await exited).toBe('000|');
  });

  it('gives up a call that moves no byte (000, which callers retry), unless told to wait', async () => {
    const before = held.length;
    const { exited } = sh(
      `slipway_http GET /hold; echo "$SLIPWAY_STATUS"
       slipway_http GET /slow --speed-time 10; echo "$SLIPWAY_STATUS $SLIPWAY_BODY"`,
      { SLIPWAY_STALL_SECONDS: '1' },
    );
    expect(await exited).toBe('000\n200 late\n');
    expect(held.length).toBe(before + 1);
  });

  it('with SLIPWAY_HTTP_FILE, a TERM trap stops a pending long poll with its shell', async () => {
    const file = join(dir, 'held');
    const before = held.length;
    const { child, exited } = sh(
      `trap '[ -z "$SLIPWAY_CURL_PID" ] || kill "$SLIPWAY_CURL_PID"; exit 0' TERM
       echo ready; slipway_http GET /hold; echo "not stopped"`,
      { SLIPWAY_HTTP_FILE: file },
    );
    await expect.poll(() => held.length).toBe(before + 1);
    child.kill('SIGTERM');
    expect(await exited).toBe('ready\n');
    // The server saw the request end: the curl is gone, not left holding the poll.
    await expect.poll(() => closed.includes(held[before]!)).toBe(true);
    expect(await readFile(file, 'utf8')).toBe('');
  });
});

describe('ss-set', () => {
  it('sends the value exactly as given, whatever it holds', async () => {
    const values = [
      '@/etc/passwd',
      'two\nlines\n\n',
      ' spaced\ttab ',
      'quote " \\ $HOME',
      'héllo ✓',
      '',
    ];
    for (const value of values) {
      const child = spawn(join(LIB, '../../bin/ss-set'), ['greeting', value], {
        env: { PATH: HOST_PATH, SLIPWAY_API: api, SLIPWAY_TOKEN: 't' },
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(received.at(-1)).toBe(value);
    }
  });
});
