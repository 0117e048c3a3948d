import type { CompleteRequest, MachineState } from '@slipway/contracts';
import { schema } from '@slipway/db';
import { applyRunEvent, type RunMessage } from '@slipway/engine';
import type { RunState } from '@slipway/domain';
import { and, eq } from 'drizzle-orm';
import { AppError } from '../app-error.js';
import type { ApiDeps } from '../deps.js';
import { announceRunEvent } from './announce-run-event.js';
import type { MachineCaller } from './machine-caller.js';

/**
 * The instance finished its target for `state`. When every instance has, the barrier
 * passes and ss:state moves on. A completion of another state than the run's (a retry
 * after a lost answer, a machine late to notice) changes nothing; the answer tells the
 * machine the state it should be in.
 */
export async function completeState(
  deps: ApiDeps,
  caller: MachineCaller,
  request: CompleteRequest,
): Promise<MachineState> {
  const { runs, runParameters } = schema;
  const outcome = await deps.db.transaction(async (tx) => {
    const [run] = await tx
      .select({ state: runs.state, abort: runs.abortMessage })
      .from(runs)
      .where(eq(runs.id, caller.runId))
      .for('update');
    if (!run) throw new AppError('not_found', `run ${caller.runId} does not exist`);
    if (run.state !== request.state) {
      return { stale: true as const, current: { state: run.state as RunState, abort: run.abort } };
    }
    const applied = await applyRunEvent(tx, caller.runId, {
      type: 'completed',
      instance: caller.instance,
      state: request.state,
      failed: (request.exitCode ?? 0) > 0,
      ...(request.exitCode !== undefined && { exitCode: request.exitCode }),
    });
    const parameters: RunMessage[] = [];
    if (applied.status.instances[caller.instance]?.completed === request.state) {
      const keys: [string, string][] = [['complete', request.state]];
      if (request.exitCode !== undefined) keys.push(['exitcode', String(request.exitCode)]);
      for (const [name, value] of keys) {
        const key = `${caller.instance}:${name}`;
        await tx
          .update(runParameters)
          .set({ value, updatedAt: new Date() })
          .where(and(eq(runParameters.runId, caller.runId), eq(runParameters.key, key)));
        parameters.push({ type: 'parameter', key, value });
      }
    }
    return { stale: false as const, applied, parameters };
  });
  if (outcome.stale) return outcome.current;
  await announceRunEvent(deps, caller.runId, outcome.applied, outcome.parameters);
  return { state: outcome.applied.status.state, abort: outcome.applied.status.abort };
}
