import { chmod, mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CloudError,
  type CloudCapabilities,
  type CloudConnector,
  type Machine,
  type MachineDescription,
  type ProvisionRequest,
} from '../cloud-connector.js';
import {
  addressOf,
  bridgeOf,
  BRIDGE_ADDRESS,
  BRIDGE,
  deleteNamespace,
  deleteNamespaces,
  ensureBridge,
  ensureSegment,
  namespaceOf,
  namespaceMembers,
  probeNamespaces,
  SlotAllocator,
  writeNamespaceEtc,
} from './host-network.js';
import { MachineLauncher } from './machine-launcher.js';

export interface LocalCloudOptions {
  name?: string;
  /** Where machines' working directories live, e.g. `.slipway/machines`. */
  root: string;
  /**
   * `namespace`: each machine in its own network namespace with its own address (Linux, root).
   * `shared`: every machine on the host's loopback, so two of them cannot listen on one port.
   * `auto`: namespaces when possible.
   */
  isolation?: 'namespace' | 'shared' | 'auto';
  /** The PATH machines start with (the host's by default). */
  path?: string;
  /** Where the search for a free address slot starts (tests use it to reach a segment). */
  firstSlot?: number;
}

interface MachineRecord {
  runId: string;
  instance: string;
  /** 0 until the launcher has started it. */
  pid: number;
  /** When the record was first written (ms since the epoch). */
  recordedAt?: number;
  slot: number | null;
  hostname: string;
}

const RECORD = 'machine.json';
/**
 * How long a recorded machine may take to start before it counts as never started. A
 * launch the launcher received finishes in a second or two even after the worker that
 * asked is killed; a request still in the killed worker's buffers never arrives, and
 * the next worker starts that machine again once this has passed.
 */
const LAUNCH_GRACE_MS = 10_000;
const RELEASE_LANES = 16;

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function alive(pid: number): boolean {
  if (pid <= 0) return false; // not started yet (0 would signal our own process group)
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The built-in cloud: each machine is a process tree in its own working directory on this
 * host, started from the machine bundle's bootstrap and killed completely at release.
 */
export class LocalCloud implements CloudConnector {
  readonly kind = 'local' as const;
  readonly name: string;
  private readonly slots: SlotAllocator;
  private readonly launcher: MachineLauncher;

  private constructor(
    private readonly options: LocalCloudOptions,
    readonly isolation: 'namespace' | 'shared',
    /** Why machines share the loopback, when they do. */
    readonly limitation: string | null,
  ) {
    this.name = options.name ?? 'local';
    this.slots = new SlotAllocator(undefined, options.firstSlot);
    this.launcher = new MachineLauncher(BRIDGE, BRIDGE_ADDRESS);
  }

  static async create(options: LocalCloudOptions): Promise<LocalCloud> {
    const wanted = options.isolation ?? 'auto';
    if (wanted === 'shared')
      return new LocalCloud(options, 'shared', 'shared isolation was chosen');
    const probe = await probeNamespaces();
    if (!probe.ok) {
      if (wanted === 'namespace')
        throw new CloudError('local', `cannot isolate machines: ${probe.reason}`);
      return new LocalCloud(
        options,
        'shared',
        `${probe.reason}: machines share 127.0.0.1, so two of them cannot listen on the same port`,
      );
    }
    await ensureBridge();
    return new LocalCloud(options, 'namespace', null);
  }

  capabilities(): CloudCapabilities {
    return {
      buildImage: false,
      addressPerInstance: this.isolation === 'namespace',
      maxParallelProvisioning: 16,
    };
  }

  /** The API's address as machines see it: from a namespace, the host is the bridge. */
  machineApiUrl(publicUrl: string): string {
    if (this.isolation === 'shared') return publicUrl;
    const url = new URL(publicUrl);
    url.hostname = BRIDGE_ADDRESS;
    return url.toString().replace(/\/$/, '');
  }

  private directoryOf(runId: string, instance: string): string {
    return join(this.options.root, runId, instance);
  }

  private async readRecord(directory: string): Promise<MachineRecord | null> {
    try {
      return JSON.parse(await readFile(join(directory, RECORD), 'utf8')) as MachineRecord;
    } catch {
      return null;
    }
  }

  async provision(request: ProvisionRequest): Promise<Machine> {
    if (request.cloudImageId !== 'host') {
      throw new CloudError(
        this.name,
        `image "${request.cloudImageId}" does not exist (the local cloud has "host")`,
      );
    }
    const directory = this.directoryOf(request.runId, request.instance);
    const existing = await this.readRecord(directory);
    if (existing && alive(existing.pid)) return this.machineOf(existing);
    if (existing) await this.release([existing]);

    const home = join(directory, 'home');
    const work = join(directory, 'work');
    await mkdir(work, { recursive: true });
    for (const file of request.bundle.files) {
      const path = join(home, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { mode: file.mode });
      await chmod(path, file.mode);
    }
    const slot = this.isolation === 'namespace' ? await this.slots.take() : null;
    try {
      if (slot !== null) await Promise.all([writeNamespaceEtc(slot), ensureSegment(slot)]);
      const hostname = slot === null ? '127.0.0.1' : addressOf(slot);
      const env: Record<string, string> = {
        PATH: `${join(home, 'bin')}:${this.options.path ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'}`,
        HOME: work,
        LANG: 'C.UTF-8',
        TMPDIR: join(directory, 'tmp'),
        SLIPWAY_HOME: home,
        SLIPWAY_WORKDIR: work,
        SLIPSTREAM_REPORT_DIR: join(directory, 'reports'),
        SLIPWAY_REPORT_DIR: join(directory, 'reports'),
        SLIPWAY_HOSTNAME: hostname,
        // Marks every process of this machine, so release can find them all.
        SLIPWAY_MACHINE: `${request.runId}/${request.instance}`,
        SLIPWAY_PACKAGE_MANAGER: 'none',
        ...request.bundle.env,
      };
      await mkdir(env.TMPDIR as string, { recursive: true });
      const exports = Object.entries(env)
        .map(([key, value]) => `export ${key}=${shellQuote(value)}`)
        .join('\n');
      await writeFile(join(home, 'env'), `${exports}\n`, { mode: 0o600 });
      // Recorded before it starts: if this process dies while the launcher still starts
      // the machine, the next worker finds it (by its namespace, or its marker) and adopts
      // or releases it, instead of starting a second one beside an orphan.
      const record: MachineRecord = {
        runId: request.runId,
        instance: request.instance,
        pid: 0,
        recordedAt: Date.now(),
        slot,
        hostname,
      };
      await writeFile(join(directory, RECORD), JSON.stringify(record));
      record.pid = await this.launcher.launch({
        directory,
        network:
          slot === null
            ? null
            : {
                slot,
                bridge: bridgeOf(slot),
                namespace: namespaceOf(slot),
                address: addressOf(slot),
              },
      });
      await writeFile(join(directory, RECORD), JSON.stringify(record));
      return this.machineOf(record);
    } catch (error) {
      if (slot !== null) {
        await deleteNamespace(slot);
        await this.slots.release(slot);
      }
      throw new CloudError(
        this.name,
        `cannot start ${request.instance}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private machineOf(record: MachineRecord): Machine {
    return { cloudInstanceId: `${record.runId}/${record.instance}`, hostname: record.hostname };
  }

  async describe(runId?: string): Promise<MachineDescription[]> {
    const records = await this.records(runId);
    const members = await namespaceMembers(
      records.flatMap((record) => (record.slot === null ? [] : [record.slot])),
    );
    return records.map((record) => {
      const running =
        record.slot === null ? alive(record.pid) : (members.get(record.slot)?.length ?? 0) > 0;
      // Recorded, not yet known started: a launch in flight (the launcher finishes what it
      // was asked even when the worker that asked is killed) shows up within seconds.
      const starting =
        !running && record.pid === 0 && Date.now() - (record.recordedAt ?? 0) < LAUNCH_GRACE_MS;
      return {
        cloudInstanceId: `${record.runId}/${record.instance}`,
        runId: record.runId,
        instance: record.instance,
        hostname: record.hostname,
        running,
        ...(starting && { starting }),
      };
    });
  }

  /** The records of every machine on this cloud, or of one run's. */
  private async records(runId?: string): Promise<MachineRecord[]> {
    const runs = runId ? [runId] : await readdir(this.options.root).catch(() => [] as string[]);
    const records: MachineRecord[] = [];
    for (const run of runs.filter((name) => !name.startsWith('.'))) {
      const instances = await readdir(join(this.options.root, run)).catch(() => [] as string[]);
      for (const instance of instances) {
        const record = await this.readRecord(join(this.options.root, run, instance));
        if (record) records.push(record);
      }
    }
    return records;
  }

  /**
   * Releases machines together: one pass over /proc finds the processes of all of them,
   * one `ip` deletes all their namespaces. Machine by machine, a 1,000-machine run took
   * thousands of processes to tear down.
   */
  async terminate(cloudInstanceIds: string[]): Promise<void> {
    const found: { directory: string; record: MachineRecord | null }[] = [];
    for (const id of cloudInstanceIds) {
      const [runId, instance] = id.split('/');
      if (!runId || !instance) continue;
      const directory = this.directoryOf(runId, instance);
      found.push({ directory, record: await this.readRecord(directory) });
    }
    await this.release(found.flatMap(({ record }) => (record ? [record] : [])));
    const runDirectories = new Set<string>();
    await inLanes(found, RELEASE_LANES, async ({ directory }) => {
      await rm(directory, { recursive: true, force: true });
      runDirectories.add(dirname(directory));
    });
    // A run's folder goes with its last machine (rmdir refuses a folder not empty).
    for (const directory of runDirectories) await rmdir(directory).catch(() => undefined);
  }

  private async release(records: MachineRecord[]): Promise<void> {
    const slots = records.flatMap((record) => (record.slot === null ? [] : [record.slot]));
    const shared = records.filter((record) => record.slot === null);
    if (slots.length > 0) {
      await killAll(async () => [...(await namespaceMembers(slots)).values()].flat());
      await deleteNamespaces(slots);
      for (const slot of slots) await this.slots.release(slot);
    }
    if (shared.length > 0) {
      await killAll(async () => shared.filter((record) => alive(record.pid)).map((r) => -r.pid));
      await killMarked(new Set(shared.map((record) => `${record.runId}/${record.instance}`)));
    }
    await Promise.all(
      records.map((record) =>
        rm(join(this.directoryOf(record.runId, record.instance), RECORD), { force: true }),
      ),
    );
  }
}

async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}

/** TERM, then KILL after 5 s whatever is left. Negative pids are process groups. */
async function killAll(pids: () => Promise<number[]>): Promise<void> {
  const signal = (targets: number[], name: NodeJS.Signals) => {
    for (const pid of targets) {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    }
  };
  signal(await pids(), 'SIGTERM');
  for (let waited = 0; waited < 50; waited += 1) {
    if ((await pids()).length === 0) return;
    await sleep(100);
  }
  signal(await pids(), 'SIGKILL');
}

/** Kills every process whose environment carries one of the machine markers (shared mode). */
async function killMarked(markers: Set<string>): Promise<void> {
  const find = async () => {
    const found: number[] = [];
    for (const entry of await readdir('/proc').catch(() => [] as string[])) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
      const marker = /(?:^|\0)SLIPWAY_MACHINE=([^\0]*)/.exec(environ)?.[1];
      if (marker && markers.has(marker)) found.push(pid);
    }
    return found;
  };
  await killAll(find);
}
