import type { MachineState, StateQuery } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import type { RunMessage } from '@slipway/engine';
import type { RunState } from '@slipway/domain';
import { eq } from 'drizzle-orm';
import { AppError } from '../app-error.js';
import type { ApiDeps } from '../deps.js';
import type { Draining } from '../live/draining.js';
import type { MachineCaller } from './machine-caller.js';
import { waitOnRun } from './wait-on-run.js';

export async function readMachineState(db: Database, runId: string): Promise<MachineState> {
  const [run] = await db
    .select({ state: schema.runs.state, abort: schema.runs.abortMessage })
    .from(schema.runs)
    .where(eq(schema.runs.id, runId));
  if (!run) throw new AppError('not_found', `run ${runId} does not exist`);
  return { state: run.state as RunState, abort: run.abort };
}

/**
 * The run's state for a machine deciding what to run next. With `known` and `wait`, blocks
 * until ss:state differs from `known`, so a machine starts its next target within
 * milliseconds of the barrier passing.
 */
export async function waitForState(
  deps: ApiDeps,
  draining: Draining,
  caller: MachineCaller,
  query: StateQuery,
  signal: AbortSignal,
): Promise<MachineState | null> {
  const current = await readMachineState(deps.db, caller.runId);
  const seconds = Math.min(query.wait ?? 0, deps.config.longPollMaxSeconds);
  if (query.known === undefined || current.state !== query.known || seconds <= 0) return current;
  const result = await waitOnRun<true>(
    deps.events,
    caller.runId,
    {
      onMessage: (message: RunMessage) =>
        message.type === 'state' && message.state !== query.known ? true : undefined,
      recheck: async () =>
        (await readMachineState(deps.db, caller.runId)).state !== query.known ? true : undefined,
    },
    { seconds, draining, signal },
  );
  switch (result.kind) {
    case 'answer':
      // The abort message travels after the state change it causes: read both together.
      return readMachineState(deps.db, caller.runId);
    case 'timeout':
      throw new AppError('timeout', `the run is still ${query.known} after ${seconds} s`);
    case 'draining':
      throw new AppError('unavailable', 'this API process is shutting down; ask again');
    case 'gone':
      return null;
  }
}
