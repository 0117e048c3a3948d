import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineBundle } from '../cloud-connector.js';
import {
  addressOf,
  BRIDGE,
  BRIDGE_MAC,
  bridgeOf,
  MAX_NAMESPACES,
  namespaceOf,
  probeNamespaces,
  SEGMENT_SIZE,
} from './host-network.js';
import { LocalCloud } from './local-cloud.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-local-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A bootstrap that serves a file on port 8080 of the machine's own address, then waits. */
function serverBundle(runId: string, instance: string): MachineBundle {
  const bootstrap = [
    '#!/bin/sh',
    'cd "$SLIPWAY_WORKDIR"',
    'echo "$SLIPWAY_INSTANCE" > name.txt',
    'python3 -m http.server 8080 --bind "$SLIPWAY_HOSTNAME" > server.log 2>&1 &',
    '(setsid sleep 600 &)', // escapes the process group: release must still find it
    'echo started > started',
    'wait',
  ].join('\n');
  return {
    files: [{ path: 'lib/bootstrap.sh', content: bootstrap, mode: 0o755 }],
    env: { SLIPWAY_RUN: runId, SLIPWAY_INSTANCE: instance },
  };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function processesMarked(marker: string): number {
  const out = execFileSync('sh', [
    '-c',
    `grep -l -a "SLIPWAY_MACHINE=${marker}" /proc/[0-9]*/environ 2>/dev/null | wc -l`,
  ]);
  return Number(out.toString().trim());
}

const namespaces = await probeNamespaces();

describe('local cloud', () => {
  it.runIf(namespaces.ok)(
    'gives two machines their own address, both listening on port 8080, and releases them completely',
    async () => {
      const cloud = await LocalCloud.create({ root, isolation: 'namespace' });
      expect(cloud.capabilities().addressPerInstance).toBe(true);
      const runId = '11111111-1111-1111-1111-111111111111';
      const [a, b] = await Promise.all(
        ['web-1', 'web-2'].map((instance) =>
          cloud.provision({
            runId,
            instance,
            cloudImageId: 'host',
            bundle: serverBundle(runId, instance),
          }),
        ),
      );
      try {
        expect(a!.hostname).not.toBe(b!.hostname);
        for (const machine of [a!, b!]) {
          const name = await waitFor(async () => {
            const response = await fetch(`http://${machine.hostname}:8080/name.txt`);
            return response.ok ? (await response.text()).trim() : undefined;
          });
          expect(name).toBe(machine.cloudInstanceId.split('/')[1]);
        }
        // Provisioning again is idempotent: the same machine, no second process tree.
        const again = await cloud.provision({
          runId,
          instance: 'web-1',
          cloudImageId: 'host',
          bundle: serverBundle(runId, 'web-1'),
        });
        expect(again).toEqual(a);
        expect((await cloud.describe(runId)).map((m) => [m.instance, m.running]).sort()).toEqual([
          ['web-1', true],
          ['web-2', true],
        ]);
      } finally {
        await cloud.terminate([a!.cloudInstanceId, b!.cloudInstanceId]);
      }
      expect(processesMarked(`${runId}/`)).toBe(0);
      expect(await cloud.describe(runId)).toEqual([]);
      // Their namespaces are gone (other runs' may exist on this host meanwhile).
      const left = execFileSync('ip', ['netns', 'list']).toString().split('\n');
      for (const machine of [a!, b!]) {
        const slot = Array.from({ length: MAX_NAMESPACES }, (_, n) => n).find(
          (n) => addressOf(n) === machine.hostname,
        );
        expect(slot).toBeDefined();
        expect(left.filter((line) => line.startsWith(`${namespaceOf(slot!)} `))).toEqual([]);
      }
      await expect(
        fetch(`http://${a!.hostname}:8080/name.txt`, { signal: AbortSignal.timeout(1000) }),
      ).rejects.toThrow();
    },
  );

  it.runIf(namespaces.ok)(
    'puts machines past the first thousand on a further bridge, one network with the rest',
    async () => {
      const first = await LocalCloud.create({ root, isolation: 'namespace' });
      const beyond = await LocalCloud.create({
        root,
        isolation: 'namespace',
        firstSlot: SEGMENT_SIZE + 7,
      });
      const runId = '22222222-2222-2222-2222-222222222222';
      const provision = (cloud: LocalCloud, instance: string) =>
        cloud.provision({
          runId,
          instance,
          cloudImageId: 'host',
          bundle: serverBundle(runId, instance),
        });
      const [near, far] = await Promise.all([
        provision(first, 'near-1'),
        provision(beyond, 'far-1'),
      ]);
      try {
        const farSlot = Array.from({ length: MAX_NAMESPACES }, (_, n) => n).find(
          (n) => addressOf(n) === far!.hostname,
        )!;
        expect(bridgeOf(farSlot)).not.toBe(BRIDGE);
        // The host reaches the far machine across the uplink…
        const name = await waitFor(async () => {
          const response = await fetch(`http://${far!.hostname}:8080/name.txt`);
          return response.ok ? (await response.text()).trim() : undefined;
        });
        expect(name).toBe('far-1');
        // …and the far machine reaches one on slipway0, with no route but the subnet's.
        const fromFar = await waitFor(async () =>
          execFileSync('ip', [
            'netns',
            'exec',
            namespaceOf(farSlot),
            'curl',
            '-sS',
            '--max-time',
            '2',
            `http://${near!.hostname}:8080/name.txt`,
          ])
            .toString()
            .trim(),
        );
        expect(fromFar).toBe('near-1');
      } finally {
        await first.terminate([near!.cloudInstanceId]);
        await beyond.terminate([far!.cloudInstanceId]);
      }
      expect(processesMarked(`${runId}/`)).toBe(0);
    },
  );

  it.runIf(namespaces.ok)(
    "keeps the bridge's hardware address as machines come and go",
    async () => {
      await LocalCloud.create({ root, isolation: 'namespace' });
      const address = () =>
        execFileSync('cat', [`/sys/class/net/${BRIDGE}/address`])
          .toString()
          .trim();
      expect(address()).toBe(BRIDGE_MAC);
      // A port whose address is lower than any other would become the bridge's own.
      execFileSync('ip', [
        'link',
        'add',
        'swtest0',
        'address',
        '02:00:00:00:00:01',
        'type',
        'veth',
        'peer',
        'name',
        'swtest1',
      ]);
      try {
        execFileSync('ip', ['link', 'set', 'swtest0', 'master', BRIDGE, 'up']);
        expect(address()).toBe(BRIDGE_MAC);
      } finally {
        execFileSync('ip', ['link', 'delete', 'swtest0']);
      }
      expect(address()).toBe(BRIDGE_MAC);
    },
  );

  it('shares the loopback when asked, and still kills every process of a machine at release', async () => {
    const cloud = await LocalCloud.create({ root, isolation: 'shared' });
    expect(cloud.limitation).toContain('shared');
    expect(cloud.capabilities().addressPerInstance).toBe(false);
    const runId = '22222222-2222-2222-2222-222222222222';
    const machine = await cloud.provision({
      runId,
      instance: 'box-1',
      cloudImageId: 'host',
      bundle: {
        files: [
          {
            path: 'lib/bootstrap.sh',
            content:
              '#!/bin/sh\n(setsid sleep 600 &)\necho up > "$SLIPWAY_WORKDIR/up"\nsleep 600\n',
            mode: 0o755,
          },
        ],
        env: {},
      },
    });
    expect(machine.hostname).toBe('127.0.0.1');
    await waitFor(
      async () => (await readFile(join(root, runId, 'box-1', 'work', 'up'), 'utf8')) || undefined,
    );
    await waitFor(async () => (processesMarked(`${runId}/box-1`) >= 2 ? true : undefined));
    await cloud.terminate([machine.cloudInstanceId]);
    expect(processesMarked(`${runId}/box-1`)).toBe(0);
  });

  it('tells a machine still being started (recorded, no process yet) from one that never started', async () => {
    const cloud = await LocalCloud.create({ root, isolation: 'shared' });
    const runId = '33333333-3333-3333-3333-333333333333';
    const record = async (instance: string, recordedAt: number) => {
      const directory = join(root, runId, instance);
      await mkdir(directory, { recursive: true });
      const json = { runId, instance, pid: 0, recordedAt, slot: null, hostname: '127.0.0.1' };
      await writeFile(join(directory, 'machine.json'), JSON.stringify(json));
    };
    await record('fresh-1', Date.now());
    await record('stale-1', Date.now() - 5 * 60_000);
    const described = await cloud.describe(runId);
    expect(described.map((m) => [m.instance, m.running, m.starting ?? false]).sort()).toEqual([
      ['fresh-1', false, true],
      ['stale-1', false, false],
    ]);
    await cloud.terminate(described.map((m) => m.cloudInstanceId));
    expect(await cloud.describe(runId)).toEqual([]);
  });

  it('refuses an image it does not have, with the name of the one it has', async () => {
    const cloud = await LocalCloud.create({ root, isolation: 'shared' });
    await expect(
      cloud.provision({
        runId: 'r',
        instance: 'x-1',
        cloudImageId: 'ami-123',
        bundle: { files: [], env: {} },
      }),
    ).rejects.toThrow('image "ami-123" does not exist (the local cloud has "host")');
  });
});
