import type { MachineState } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import { applyRunEvent, type RunMessage } from '@slipway/engine';
import { and, eq, isNull } from 'drizzle-orm';
import type { ApiDeps } from '../deps.js';
import { announceRunEvent } from './announce-run-event.js';
import type { MachineCaller } from './machine-caller.js';

/** Sets (or clears, with null) the instance's `abort` key; a set keeps the first message. */
async function writeAbortKey(
  tx: Database,
  caller: MachineCaller,
  message: string | null,
): Promise<RunMessage[]> {
  const { runParameters } = schema;
  const key = `${caller.instance}:abort`;
  const written = await tx
    .update(runParameters)
    .set({ value: message, updatedAt: new Date() })
    .where(
      and(
        eq(runParameters.runId, caller.runId),
        eq(runParameters.key, key),
        message === null ? undefined : isNull(runParameters.value),
      ),
    )
    .returning({ key: runParameters.key });
  return written.length > 0 ? [{ type: 'parameter', key, value: message }] : [];
}

/**
 * ss-abort: sets the instance's abort key and aborts the run. The first abort message of the
 * run wins; every blocked ss-get of the run answers 409 at once.
 */
export async function abortFromMachine(
  deps: ApiDeps,
  caller: MachineCaller,
  message: string | undefined,
): Promise<MachineState> {
  const text = message?.trim() || `${caller.instance} aborted the run`;
  // The run row is locked first (applyRunEvent), then parameters: the order every run event keeps.
  const { applied, parameters } = await deps.db.transaction(async (tx) => {
    const applied = await applyRunEvent(tx, caller.runId, { type: 'abort', message: text });
    return { applied, parameters: await writeAbortKey(tx, caller, text) };
  });
  await announceRunEvent(deps, caller.runId, applied, parameters);
  return { state: applied.status.state, abort: applied.status.abort };
}

/** ss-abort --cancel: clears ss:abort and the instance's abort key (debugging a kept machine). */
export async function cancelAbortFromMachine(
  deps: ApiDeps,
  caller: MachineCaller,
): Promise<MachineState> {
  const { applied, parameters } = await deps.db.transaction(async (tx) => {
    const applied = await applyRunEvent(tx, caller.runId, { type: 'cancelAbort' });
    return { applied, parameters: await writeAbortKey(tx, caller, null) };
  });
  await announceRunEvent(deps, caller.runId, applied, parameters);
  return { state: applied.status.state, abort: applied.status.abort };
}
