/*
 * The one interface every cloud implements. The orchestrator speaks only this; a new cloud
 * (OpenStack, …) is a new implementation, nothing else.
 */

/** What a machine needs to run its part of a run: files under SLIPWAY_HOME and environment. */
export interface MachineBundle {
  /** Paths relative to SLIPWAY_HOME, e.g. `bin/ss-get`, `targets/execute/01-apache`. */
  files: { path: string; content: string; mode: number }[];
  /** Environment of the bootstrap (SLIPWAY_API, SLIPWAY_TOKEN, SLIPWAY_RUN, SLIPWAY_INSTANCE, …). */
  env: Record<string, string>;
}

export interface ProvisionRequest {
  runId: string;
  instance: string;
  /** The cloud's own image id (`host` for the local cloud, `ami-…` on EC2). */
  cloudImageId: string;
  instanceType?: string;
  bundle: MachineBundle;
}

export interface Machine {
  /** The cloud's id of the machine; `terminate` takes it. */
  cloudInstanceId: string;
  /** An address the run's other machines can reach. */
  hostname: string;
  urlSsh?: string;
}

/** A machine this Slipway created, as the cloud reports it (tags link it to its run). */
export interface MachineDescription {
  cloudInstanceId: string;
  runId: string;
  instance: string;
  hostname: string;
  running: boolean;
  /**
   * Being started right now, perhaps by a worker that has since died: neither running nor
   * failed yet. Adopt it or start it again only once this is over.
   */
  starting?: boolean;
}

export interface CloudCapabilities {
  /** The cloud can snapshot a machine into a new image. */
  buildImage: boolean;
  /** Instances of the same image can listen on the same port (each has its own address). */
  addressPerInstance: boolean;
  /** Machines started at once; the orchestrator never asks for more in parallel. */
  maxParallelProvisioning: number;
}

export interface CloudConnector {
  readonly name: string;
  readonly kind: 'local' | 'ssh' | 'ec2';
  capabilities(): CloudCapabilities;
  /**
   * Starts a machine and its bootstrap. Idempotent per (runId, instance): a machine that
   * already exists for them is returned as is, so a worker that died mid-provisioning
   * never causes a duplicate.
   */
  provision(request: ProvisionRequest): Promise<Machine>;
  /** Every machine this Slipway created on this cloud, optionally only those of one run. */
  describe(runId?: string): Promise<MachineDescription[]>;
  /** Releases machines completely; releasing one that is already gone is not an error. */
  terminate(cloudInstanceIds: string[]): Promise<void>;
  /** Snapshots a machine into a new image and returns its id. */
  buildImage?(cloudInstanceId: string, name: string): Promise<string>;
  /** Frees what the connector holds (network, connections). */
  close?(): Promise<void>;
}

export class CloudError extends Error {
  constructor(
    readonly cloud: string,
    message: string,
    readonly options: { cause?: unknown } = {},
  ) {
    super(`${cloud}: ${message}`);
    this.name = 'CloudError';
  }
}
