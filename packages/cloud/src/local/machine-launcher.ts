import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const LAUNCHER = fileURLToPath(new URL('./launcher.sh', import.meta.url));

/** How much lower than Slipway's own processes machines run (nice(1)). */
export const MACHINE_NICENESS = 10;

export interface LaunchRequest {
  /** The machine's directory: `home/env` and `home/lib/bootstrap.sh` in it, `work/` its cwd. */
  directory: string;
  /** Its network namespace, or none (the machine shares the host's network). */
  network: { slot: number; bridge: string; namespace: string; address: string } | null;
}

/**
 * Starts machines through one long-lived shell (launcher.sh) instead of forking this
 * process for each: a fork of a Node process of a few hundred megabytes costs a quarter of
 * a second here and stops the event loop meanwhile; four of them a machine made 1,000
 * machines take half an hour to start.
 */
export class MachineLauncher {
  private child: ChildProcessWithoutNullStreams | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    string,
    { resolve: (pid: number) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly bridge: string,
    private readonly gateway: string,
  ) {}

  /** Starts the machine; resolves with its pid, the leader of its own session. */
  launch(request: LaunchRequest): Promise<number> {
    const fields = [
      String(this.nextId++),
      request.network ? String(request.network.slot) : '-',
      request.network?.bridge ?? '-',
      request.network?.namespace ?? '-',
      request.network?.address ?? '-',
      request.directory,
    ];
    if (fields.some((field) => /[\t\n]/.test(field))) {
      return Promise.reject(new Error(`a machine directory cannot hold tabs or newlines`));
    }
    const id = fields[0] as string;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.process().stdin.write(`${fields.join('\t')}\n`);
    });
  }

  /** Ends the launcher; machines it started go on (they are sessions of their own). */
  close(): void {
    this.child?.stdin.end();
    this.child = null;
  }

  private process(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    // Machines run at a lower priority than Slipway itself (they inherit the launcher's):
    // a thousand of them on two cores otherwise left the API a tenth of a core, and a
    // health check took 18 s while they all waited on it.
    const child = spawn(
      'nice',
      ['-n', String(MACHINE_NICENESS), 'sh', LAUNCHER, this.bridge, this.gateway],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^(ok|fail) (\d+) ?(.*)$/.exec(line);
      const waiter = match ? this.pending.get(match[2] as string) : undefined;
      if (!match || !waiter) return;
      this.pending.delete(match[2] as string);
      if (match[1] === 'ok') waiter.resolve(Number(match[3]));
      else waiter.reject(new Error((match[3] ?? '').trim() || 'the machine did not start'));
    });
    // Not kept alive by the launcher: an orchestrator that is done may exit.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
    child.once('exit', (code) => {
      if (this.child === child) this.child = null;
      const error = new Error(
        `the machine launcher exited (code ${code})${stderr ? `: ${stderr.trim()}` : ''}`,
      );
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
    child.stdin.on('error', () => undefined); // reported through 'exit'
    this.child = child;
    return child;
  }
}
