import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE, BRIDGE_ADDRESS } from './host-network.js';
import { MACHINE_NICENESS, MachineLauncher } from './machine-launcher.js';

let root: string;
const launcher = new MachineLauncher(BRIDGE, BRIDGE_ADDRESS);
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-launcher-'));
});
afterAll(async () => {
  launcher.close();
  await rm(root, { recursive: true, force: true });
});

async function machineDirectory(name: string, bootstrap: string): Promise<string> {
  const directory = join(root, name);
  await mkdir(join(directory, 'home/lib'), { recursive: true });
  await mkdir(join(directory, 'work'), { recursive: true });
  await writeFile(
    join(directory, 'home/env'),
    `export SLIPWAY_HOME='${directory}/home'\nexport GREETING='from the env file'\n`,
  );
  await writeFile(join(directory, 'home/lib/bootstrap.sh'), bootstrap);
  return directory;
}

async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out');
}

describe('machine launcher', () => {
  it('starts machines in parallel from their env file alone, each the leader of its own session, below our priority', async () => {
    const directories = await Promise.all(
      ['one', 'two', 'three'].map((name) =>
        machineDirectory(
          name,
          'echo "$GREETING|${VITEST:-no vitest}|$(pwd)|$$|$(ps -o sid= -p $$)|$(ps -o ni= -p $$)" > out.txt',
        ),
      ),
    );
    const pids = await Promise.all(
      directories.map((directory) => launcher.launch({ directory, network: null })),
    );
    expect(new Set(pids).size).toBe(3);
    for (const [i, directory] of directories.entries()) {
      const line = await eventually(async () => {
        const text = await readFile(join(directory, 'work/out.txt'), 'utf8');
        return text.endsWith('\n') ? text.trim() : undefined;
      });
      const [greeting, leaked, cwd, pid, sid, niceness] = line.split('|');
      expect([greeting, leaked, cwd]).toEqual([
        'from the env file',
        'no vitest',
        join(directory, 'work'),
      ]);
      expect(Number(pid)).toBe(pids[i]);
      expect(Number(sid)).toBe(pids[i]);
      expect(Number(niceness)).toBe(Math.min(19, getPriority() + MACHINE_NICENESS));
    }
  });

  it('says why a machine could not start', async () => {
    await expect(
      launcher.launch({ directory: join(root, 'missing'), network: null }),
    ).rejects.toThrow(`${join(root, 'missing')}/work does not exist`);
    await expect(launcher.launch({ directory: 'a\tb', network: null })).rejects.toThrow(
      'tabs or newlines',
    );
  });
});
