import { instanceName } from '@slipway/domain';
import { schema } from '@slipway/db';
import { runChannel, type RunMessage } from '@slipway/engine';
import { and, eq, isNull } from 'drizzle-orm';
import { AppError } from '../app-error.js';
import type { ApiDeps } from '../deps.js';
import type { MachineCaller } from './machine-caller.js';
import { qualifyMachineReference } from './qualify-machine-reference.js';

/** Instance keys whose meaning Slipway keeps: each has its own command or endpoint. */
const MANAGED_KEYS: Record<string, string> = {
  state: 'Slipway sets it as the run moves on',
  complete: 'Slipway sets it when the instance completes a state',
  exitcode: 'Slipway sets it when the instance completes a state',
  abort: 'use ss-abort',
};

/**
 * ss-set: sets a parameter of the calling instance, never another instance's, then wakes
 * every waiter on every API process. Inputs mapped to another node's output take that
 * output's value, so waiters on them wait on the output and only the output is published.
 */
export async function setParameter(
  deps: ApiDeps,
  caller: MachineCaller,
  referenceText: string,
  value: string,
): Promise<void> {
  const { reference, key } = qualifyMachineReference(referenceText, caller);
  const own = `${instanceName(caller.node, caller.index)}:`;
  if (reference.scope === 'global' || reference.scope === 'all' || !key.startsWith(own)) {
    throw new AppError(
      'forbidden',
      `${referenceText} is not a parameter of this instance (${caller.instance}); a machine sets only its own`,
    );
  }
  const name = key.slice(own.length);
  const managed = Object.hasOwn(MANAGED_KEYS, name) ? MANAGED_KEYS[name] : undefined;
  if (managed) throw new AppError('forbidden', `${name} cannot be set: ${managed}`);

  const { runParameters } = schema;
  const where = and(eq(runParameters.runId, caller.runId), eq(runParameters.key, key));
  const written = await deps.db
    .update(runParameters)
    .set({ value, updatedAt: new Date() })
    .where(and(where, isNull(runParameters.follows)))
    .returning({ key: runParameters.key });
  if (written.length === 0) {
    const [row] = await deps.db
      .select({ follows: runParameters.follows })
      .from(runParameters)
      .where(where);
    if (!row) throw new AppError('unknown_key', `this run has no parameter "${key}"`);
    throw new AppError(
      'forbidden',
      `${name} takes its value from ${row.follows ?? '?'} (a mapping of the deployment); it cannot be set`,
    );
  }
  const message: RunMessage = { type: 'parameter', key, value };
  await deps.events.publish(runChannel(caller.runId), message);
}
