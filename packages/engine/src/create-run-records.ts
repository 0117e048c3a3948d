import { createRunStatus, type KeepRunning, type RunPlan } from '@slipway/domain';
import { schema, type Database } from '@slipway/db';

export interface NewRun {
  ownerId: string;
  kind: 'deployment' | 'image' | 'build';
  modulePath: string;
  moduleVersion: number;
  keepRunning: KeepRunning;
  timeoutMinutes: number;
  tags: string[];
  /** Every module version the run uses, path → version. */
  moduleVersions: Record<string, number>;
  overrides: unknown;
  plan: RunPlan;
  maxProvisioningFailures: Record<string, number>;
}

// Inserting a 10,000-instance run row by row would take seconds; chunks keep each
// statement under PostgreSQL's parameter limit.
const CHUNK = 1000;

/**
 * Writes a run, its instances and its parameter table. Call it inside the caller's
 * transaction so that a run is either whole or absent.
 */
export async function createRunRecords(tx: Database, input: NewRun): Promise<string> {
  const status = createRunStatus({
    instances: input.plan.instances.map(({ name, node }) => ({ name, node })),
    keepRunning: input.keepRunning,
    maxProvisioningFailures: input.maxProvisioningFailures,
  });
  const [run] = await tx
    .insert(schema.runs)
    .values({
      ownerId: input.ownerId,
      kind: input.kind,
      modulePath: input.modulePath,
      moduleVersion: input.moduleVersion,
      state: status.state,
      keepRunning: input.keepRunning,
      timeoutMinutes: input.timeoutMinutes,
      tags: input.tags,
      moduleVersions: input.moduleVersions,
      overrides: input.overrides,
      status,
    })
    .returning({ id: schema.runs.id });
  if (!run) throw new Error('inserting the run returned nothing');
  const instances = input.plan.instances.map((instance) => ({
    runId: run.id,
    name: instance.name,
    node: instance.node,
    index: instance.index,
    cloud: instance.cloud,
    imagePath: instance.image.path,
    imageVersion: instance.image.version,
  }));
  for (let start = 0; start < instances.length; start += CHUNK) {
    await tx.insert(schema.instances).values(instances.slice(start, start + CHUNK));
  }
  const parameters = input.plan.parameters.map((parameter) => ({
    runId: run.id,
    key: parameter.key,
    value: parameter.value,
    follows: parameter.follows ?? null,
  }));
  for (let start = 0; start < parameters.length; start += CHUNK) {
    await tx.insert(schema.runParameters).values(parameters.slice(start, start + CHUNK));
  }
  return run.id;
}
