import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';

export class RedisMissingError extends Error {
  constructor() {
    super(
      'Slipway needs Redis, and redis-server is not installed.\n' +
        '  Debian/Ubuntu: sudo apt-get install redis-server\n' +
        '  macOS:         brew install redis\n' +
        'or point Slipway at a running one: REDIS_URL=redis://host:6379 pnpm start',
    );
    this.name = 'RedisMissingError';
  }
}

/**
 * A private redis-server for `slipway start` when no REDIS_URL is given: listening on a
 * unix socket in the data dir (no port to collide with), keeping nothing on disk — the
 * queue is rebuilt from PostgreSQL at start, so nothing is lost with it.
 */
export async function startPrivateRedis(
  dataDir: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const directory = resolve(dataDir, 'redis');
  await mkdir(directory, { recursive: true });
  const socket = join(directory, 'redis.sock');
  await rm(socket, { force: true });
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      directory,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolvePromise, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new RedisMissingError() : error),
    );
    child.once('spawn', () => resolvePromise());
  });
  // Ready when it answers PING.
  for (let attempt = 0; ; attempt += 1) {
    const probe = new Redis(socket, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined); // not up yet: the loop tries again
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      if (attempt > 100 || child.exitCode !== null)
        throw new Error(`redis-server did not start (socket ${socket})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: socket,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
