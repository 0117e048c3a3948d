import { execFile } from 'node:child_process';
import { access, mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Gives each local machine an address of its own: a network namespace joined by a veth
 * pair to one bridge on the host. Needs Linux, root and iproute2; `probeNamespaces` tells.
 *
 * Addresses come from 10.213.0.0/16; the bridge holds 10.213.0.1, which is also where
 * machines reach the API. A Linux bridge takes at most 1,024 ports, so at most ~1,000
 * machines have their own address at once.
 */
export const BRIDGE = 'slipway0';
export const SUBNET_PREFIX = '10.213';
export const BRIDGE_ADDRESS = `${SUBNET_PREFIX}.0.1`;
export const MAX_NAMESPACES = 1020;

export function addressOf(slot: number): string {
  const n = slot + 2; // .0.0 is the network, .0.1 the bridge
  return `${SUBNET_PREFIX}.${Math.floor(n / 256)}.${n % 256}`;
}

export function namespaceOf(slot: number): string {
  return `slipway-${slot}`;
}

async function ip(args: string[]): Promise<void> {
  await run('ip', args);
}

/** Whether namespaces can be made here: Linux, root, and `ip` that works. */
export async function probeNamespaces(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux')
    return { ok: false, reason: `${process.platform} has no network namespaces` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root' };
  try {
    await run('ip', ['-V']);
  } catch {
    return { ok: false, reason: 'iproute2 (`ip`) is not installed' };
  }
  return { ok: true };
}

/**
 * The host keeps a neighbour (ARP) entry per machine it talks to; Linux's default table
 * overflows at 1,024 entries, after which machines beyond that cannot reach the API.
 * Thresholds are only ever raised, never lowered.
 */
const NEIGHBOUR_THRESHOLDS: [string, number][] = [
  ['/proc/sys/net/ipv4/neigh/default/gc_thresh1', 2048],
  ['/proc/sys/net/ipv4/neigh/default/gc_thresh2', 4096],
  ['/proc/sys/net/ipv4/neigh/default/gc_thresh3', 8192],
];

async function raiseNeighbourThresholds(): Promise<void> {
  for (const [file, wanted] of NEIGHBOUR_THRESHOLDS) {
    const current = Number((await readFile(file, 'utf8').catch(() => '0')).trim());
    if (current < wanted) await writeFile(file, String(wanted)).catch(() => undefined);
  }
}

export async function ensureBridge(): Promise<void> {
  await raiseNeighbourThresholds();
  try {
    await ip(['link', 'show', BRIDGE]);
  } catch {
    await ip(['link', 'add', BRIDGE, 'type', 'bridge']).catch(() => undefined); // another worker may win the race
    await ip(['addr', 'replace', `${BRIDGE_ADDRESS}/16`, 'dev', BRIDGE]);
  }
  await ip(['link', 'set', BRIDGE, 'up']);
}

/** Host-wide: every Slipway process on this host allocates from the same slots. */
export const SLOTS_DIRECTORY = '/run/slipway/local-slots';

/**
 * Slots are taken with mkdir, which is atomic across every process on this host: two
 * machines never get the same address. A slot whose namespace is gone (its holder was
 * killed before releasing it) is taken back once every slot is in use.
 */
export class SlotAllocator {
  constructor(private readonly directory: string = SLOTS_DIRECTORY) {}

  /** Where the next search starts: after the last slot taken, so taking stays O(1) as slots fill up. */
  private hint = 0;

  private async tryAll(): Promise<number | null> {
    for (let step = 0; step < MAX_NAMESPACES; step += 1) {
      const slot = (this.hint + step) % MAX_NAMESPACES;
      try {
        await mkdir(join(this.directory, String(slot)));
        this.hint = slot + 1;
        return slot;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return null;
  }

  async take(): Promise<number> {
    await mkdir(this.directory, { recursive: true });
    const slot = (await this.tryAll()) ?? ((await this.reclaim()) > 0 ? await this.tryAll() : null);
    if (slot === null) throw new Error(`all ${MAX_NAMESPACES} local machine addresses are in use`);
    return slot;
  }

  private async reclaim(): Promise<number> {
    let freed = 0;
    for (const entry of await readdir(this.directory)) {
      const slot = Number(entry);
      const age = Date.now() - (await stat(join(this.directory, entry))).mtimeMs;
      const hasNamespace = await access(join('/run/netns', namespaceOf(slot))).then(
        () => true,
        () => false,
      );
      if (!hasNamespace && age > 60_000) {
        await this.release(slot);
        freed += 1;
      }
    }
    return freed;
  }

  async release(slot: number): Promise<void> {
    await rmdir(join(this.directory, String(slot))).catch(() => undefined);
  }
}

/**
 * `ip netns exec` mounts /etc/netns/<name>/* over /etc. Machines get a hosts file naming
 * their own address and a resolver that fails at once: the host's resolver is out of
 * reach from a namespace, and a reverse lookup (Python's http.server does one at start)
 * would otherwise hang for seconds.
 */
async function writeNamespaceEtc(slot: number): Promise<void> {
  const etc = join('/etc/netns', namespaceOf(slot));
  await mkdir(etc, { recursive: true });
  await writeFile(
    join(etc, 'hosts'),
    `127.0.0.1 localhost\n::1 localhost\n${addressOf(slot)} ${namespaceOf(slot)}\n`,
  );
  await writeFile(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
}

/** Runs `ip -batch -`: one process for many commands, which matters at 1,000 machines. */
function ipBatch(commands: string[], namespace?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ip',
      [...(namespace ? ['-n', namespace] : []), '-batch', '-'],
      (error) => (error ? reject(error) : resolve()),
    );
    child.stdin?.end(`${commands.join('\n')}\n`);
  });
}

export async function createNamespace(slot: number): Promise<void> {
  const ns = namespaceOf(slot);
  const host = `swh${slot}`;
  const guest = `swg${slot}`;
  try {
    await ip(['netns', 'add', ns]);
  } catch {
    await deleteNamespace(slot); // a leftover of a killed worker
    await ip(['netns', 'add', ns]);
  }
  await ipBatch([
    `link add ${host} type veth peer name ${guest} netns ${ns}`,
    `link set ${host} master ${BRIDGE} up`,
    // The host may still map this address to the link of the machine that had it before;
    // replies would go nowhere for seconds, until that entry went stale.
    `neigh flush to ${addressOf(slot)} dev ${BRIDGE}`,
  ]);
  await ipBatch(
    [
      `addr add ${addressOf(slot)}/16 dev ${guest}`,
      `link set ${guest} up`,
      'link set lo up',
      `route add default via ${BRIDGE_ADDRESS}`,
    ],
    ns,
  );
  await writeNamespaceEtc(slot);
}

/** Pids of every process inside the namespace. */
export async function namespacePids(slot: number): Promise<number[]> {
  try {
    const { stdout } = await run('ip', ['netns', 'pids', namespaceOf(slot)]);
    return stdout
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}

export async function deleteNamespace(slot: number): Promise<void> {
  // Deleting the namespace destroys the veth pair with it.
  await ip(['netns', 'delete', namespaceOf(slot)]).catch(() => undefined);
  await ip(['link', 'delete', `swh${slot}`]).catch(() => undefined);
  await ip(['neigh', 'flush', 'to', addressOf(slot), 'dev', BRIDGE]).catch(() => undefined);
  await rm(join('/etc/netns', namespaceOf(slot)), { recursive: true, force: true });
}
