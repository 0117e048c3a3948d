import { JOBS, runJobId } from '@slipway/contracts';
import { schema } from '@slipway/db';
import { and, eq, inArray, isNotNull, isNull, notInArray, or } from 'drizzle-orm';
import type { OrchestratorDeps } from './deps.js';

/** Options every run job is added with; the job id is the run id, so a run has one job. */
export function runJobOptions(runId: string) {
  return { ...JOBS.advanceRun.options, jobId: runJobId(runId) };
}

/**
 * Makes sure every run that needs driving has a job: a launch whose enqueue failed after
 * its commit, or a job lost with its Redis, is picked up here. Adding a job whose id
 * exists does nothing, so every worker may sweep.
 */
export async function sweepRuns(deps: OrchestratorDeps): Promise<number> {
  const unreleased = deps.db
    .select({ runId: schema.instances.runId })
    .from(schema.instances)
    .where(and(isNotNull(schema.instances.cloudInstanceId), isNull(schema.instances.releasedAt)));
  const runs = await deps.db
    .select({ id: schema.runs.id })
    .from(schema.runs)
    .where(
      or(
        notInArray(schema.runs.state, ['Done', 'Aborted', 'Ready']),
        and(inArray(schema.runs.state, ['Done', 'Aborted']), inArray(schema.runs.id, unreleased)),
      ),
    );
  for (const run of runs)
    await deps.runQueue.add(JOBS.advanceRun.name, { runId: run.id }, runJobOptions(run.id));
  return runs.length;
}

/**
 * Releases machines a cloud still has for runs that are over (or unknown): nothing
 * outlives its run except by keep-running, even after an orchestrator crash.
 */
export async function reapMachines(deps: OrchestratorDeps): Promise<number> {
  let reaped = 0;
  for (const [cloudName, cloud] of deps.clouds) {
    const machines = await cloud.connector.describe();
    if (machines.length === 0) continue;
    const runIds = [...new Set(machines.map((machine) => machine.runId))].filter((id) =>
      /^[0-9a-f-]{36}$/.test(id),
    );
    const live =
      runIds.length === 0
        ? []
        : await deps.db
            .select({ id: schema.runs.id, state: schema.runs.state })
            .from(schema.runs)
            .where(inArray(schema.runs.id, runIds));
    const keep = new Set(
      live.filter((run) => run.state !== 'Done' && run.state !== 'Aborted').map((run) => run.id),
    );
    const doomed = machines.filter((machine) => !keep.has(machine.runId));
    if (doomed.length === 0) continue;
    deps.logger.info(
      { cloud: cloudName, machines: doomed.map((machine) => machine.cloudInstanceId) },
      'reaping machines of finished runs',
    );
    await cloud.connector.terminate(doomed.map((machine) => machine.cloudInstanceId));
    for (const machine of doomed) {
      await deps.db
        .update(schema.instances)
        .set({ releasedAt: new Date() })
        .where(
          and(
            eq(schema.instances.runId, machine.runId),
            eq(schema.instances.name, machine.instance),
            isNull(schema.instances.releasedAt),
          ),
        )
        .catch(() => undefined);
    }
    reaped += doomed.length;
  }
  return reaped;
}
