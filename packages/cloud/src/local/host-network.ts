import { execFile } from 'node:child_process';
import {
  access,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Gives each local machine an address of its own: a network namespace joined by a veth
 * pair to a bridge on the host. Needs Linux, root and iproute2; `probeNamespaces` tells.
 *
 * Addresses come from 10.213.0.0/16; the bridge slipway0 holds 10.213.0.1, which is also
 * where machines reach the API. A Linux bridge takes at most 1,024 ports, so machines sit
 * on segments of SEGMENT_SIZE: slot 0–999 on slipway0, 1000–1999 on slipway1 and so on,
 * each further bridge joined to slipway0 by a veth pair (its uplink). It stays one layer-2
 * network and one subnet: machines on different segments reach each other and the host as
 * if they shared one bridge, and nothing is routed.
 */
export const BRIDGE = 'slipway0';
export const SUBNET_PREFIX = '10.213';
export const BRIDGE_ADDRESS = `${SUBNET_PREFIX}.0.1`;
export const SEGMENT_SIZE = 1000;
export const SEGMENTS = 8;
export const MAX_NAMESPACES = SEGMENT_SIZE * SEGMENTS;

/** The bridge a slot's machine is attached to. */
export function bridgeOf(slot: number): string {
  return `slipway${Math.floor(slot / SEGMENT_SIZE)}`;
}

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

/**
 * The bridge's own hardware address, set once: left to itself, a Linux bridge takes the
 * lowest address of its ports, so it changed each time machines came and went, and
 * machines that had cached the old one lost their packets to the API until ARP caught up
 * (connections stuck for two minutes in SYN-SENT on a 1,000-machine run).
 */
export const BRIDGE_MAC = '02:53:4c:57:00:01';

export async function ensureBridge(): Promise<void> {
  await raiseNeighbourThresholds();
  try {
    await ip(['link', 'show', BRIDGE]);
  } catch {
    await ip(['link', 'add', BRIDGE, 'type', 'bridge']).catch(() => undefined); // another worker may win the race
    await ip(['addr', 'replace', `${BRIDGE_ADDRESS}/16`, 'dev', BRIDGE]);
  }
  // Also on a bridge an earlier version made without it.
  await ip(['link', 'set', BRIDGE, 'address', BRIDGE_MAC, 'up']);
}

const segmentsReady = new Set<string>([BRIDGE]);

/**
 * Makes the bridge of a slot's segment, and its uplink to slipway0, if this host does not
 * have them yet (once per process; another worker may make them at the same time, which
 * is fine: what exists already is left as it is).
 */
export async function ensureSegment(slot: number): Promise<void> {
  const bridge = bridgeOf(slot);
  if (segmentsReady.has(bridge)) return;
  const segment = Math.floor(slot / SEGMENT_SIZE);
  const [uplink, downlink] = [`swb${segment}`, `swc${segment}`];
  await ipBatchForce([
    `link add ${bridge} type bridge`,
    `link add ${uplink} type veth peer name ${downlink}`,
    `link set ${uplink} master ${BRIDGE} up`,
    `link set ${downlink} master ${bridge} up`,
    `link set ${bridge} up`,
  ]).catch(() => undefined); // "File exists" from a bridge made before: checked next
  try {
    await ip(['link', 'show', downlink]);
  } catch {
    throw new Error(`cannot make bridge ${bridge} for local machines ${segment * SEGMENT_SIZE}+`);
  }
  segmentsReady.add(bridge);
}

/** Host-wide: every Slipway process on this host allocates from the same slots. */
export const SLOTS_DIRECTORY = '/run/slipway/local-slots';

/**
 * Slots are taken with mkdir, which is atomic across every process on this host: two
 * machines never get the same address. A slot whose namespace is gone (its holder was
 * killed before releasing it) is taken back once every slot is in use.
 */
export class SlotAllocator {
  /** Where the next search starts: after the last slot taken, so taking stays O(1) as slots fill up. */
  private hint: number;

  constructor(
    private readonly directory: string = SLOTS_DIRECTORY,
    firstSlot = 0,
  ) {
    this.hint = firstSlot;
  }

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
export async function writeNamespaceEtc(slot: number): Promise<void> {
  const etc = join('/etc/netns', namespaceOf(slot));
  await mkdir(etc, { recursive: true });
  await writeFile(
    join(etc, 'hosts'),
    `127.0.0.1 localhost\n::1 localhost\n${addressOf(slot)} ${namespaceOf(slot)}\n`,
  );
  await writeFile(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
}

/**
 * Runs `ip -force -batch -`: one process for many commands (a fork of this process is dear:
 * see machine-launcher.ts), going on past commands that fail (what is already gone).
 */
function ipBatchForce(commands: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', ['-force', '-batch', '-'], (error) =>
      error ? reject(error) : resolve(),
    );
    child.stdin?.end(`${commands.join('\n')}\n`);
  });
}

/**
 * Pids of every process inside each of these namespaces, from one pass over /proc: what
 * `ip netns pids` tells, without starting a process per namespace (a thousand of those
 * every few seconds would take the host's two cores).
 */
export async function namespaceMembers(slots: number[]): Promise<Map<number, number[]>> {
  const members = new Map(slots.map((slot) => [slot, [] as number[]]));
  const slotOfInode = new Map<number, number>();
  for (const slot of slots) {
    const namespace = await stat(join('/run/netns', namespaceOf(slot))).catch(() => null);
    if (namespace) slotOfInode.set(namespace.ino, slot);
  }
  if (slotOfInode.size === 0) return members;
  const pids = (await readdir('/proc')).map(Number).filter((pid) => Number.isInteger(pid));
  await Promise.all(
    pids.map(async (pid) => {
      const link = await readlink(`/proc/${pid}/ns/net`).catch(() => '');
      const inode = /^net:\[(\d+)\]$/.exec(link)?.[1];
      const slot = inode === undefined ? undefined : slotOfInode.get(Number(inode));
      if (slot !== undefined) members.get(slot)?.push(pid);
    }),
  );
  return members;
}

/** Deletes these namespaces and their veth pairs, with one `ip` for all of them. */
export async function deleteNamespaces(slots: number[]): Promise<void> {
  if (slots.length === 0) return;
  await ipBatchForce(
    // Deleting a namespace destroys its veth pair; the host's neighbour entry for the
    // address would outlive it.
    slots.flatMap((slot) => [
      `netns delete ${namespaceOf(slot)}`,
      `link delete swh${slot}`,
      `neigh flush to ${addressOf(slot)} dev ${BRIDGE}`,
    ]),
  ).catch(() => undefined); // what was already gone is reported, and is fine
  await Promise.all(
    slots.map((slot) =>
      rm(join('/etc/netns', namespaceOf(slot)), { recursive: true, force: true }),
    ),
  );
}

export async function deleteNamespace(slot: number): Promise<void> {
  await deleteNamespaces([slot]);
}
