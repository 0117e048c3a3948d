import { isFinalState, type RunState } from '@slipway/domain';
import type { ParameterQuery } from '@slipway/contracts';
import type { RunMessage } from '@slipway/engine';
import { AppError } from '../app-error.js';
import type { ApiDeps } from '../deps.js';
import type { Draining } from '../live/draining.js';
import type { MachineCaller } from './machine-caller.js';
import { qualifyMachineReference } from './qualify-machine-reference.js';
import { readValues, resolveParameter, storedKeysOf, valueOf } from './resolve-parameter.js';
import { waitOnRun } from './wait-on-run.js';

export type ParameterAnswer =
  | { kind: 'value'; value: string }
  /** Not set and the caller did not wait (ss-get --noblock). */
  | { kind: 'notSet' }
  | { kind: 'gone' };

type Outcome = { value: string } | { aborted: string } | { ended: RunState };

const runAborted = (message: string) => new AppError('run_aborted', message);

/**
 * ss-get: the value of a parameter of the caller's run. With `wait`, blocks until the value
 * is set, the run aborts, or the wait (capped by the configuration) runs out.
 */
export async function getParameter(
  deps: ApiDeps,
  draining: Draining,
  caller: MachineCaller,
  referenceText: string,
  query: ParameterQuery,
  signal: AbortSignal,
): Promise<ParameterAnswer> {
  const { key } = qualifyMachineReference(referenceText, caller);
  const ignoreAbort = query.ignoreAbort ?? false;
  const { source, values, abort } = await resolveParameter(deps.db, caller.runId, key);
  if (abort !== null && !ignoreAbort) throw runAborted(abort);
  const value = valueOf(source, values);
  if (value !== null) return { kind: 'value', value };
  const seconds = Math.min(query.wait ?? 0, deps.config.longPollMaxSeconds);
  if (seconds <= 0) return { kind: 'notSet' };

  const watched = new Set(storedKeysOf(source));
  const settle = (): Outcome | undefined => {
    const current = valueOf(source, values);
    return current === null ? undefined : { value: current };
  };
  const result = await waitOnRun<Outcome>(
    deps.events,
    caller.runId,
    {
      onMessage(message: RunMessage) {
        if (message.type === 'abort' && message.message !== null && !ignoreAbort)
          return { aborted: message.message };
        // An Aborted run's abort message follows its state message and answers 409 instead.
        if (message.type === 'state' && isFinalState(message.state)) {
          if (message.state === 'Done' || ignoreAbort) return { ended: message.state };
        }
        if (message.type !== 'parameter' || !watched.has(message.key)) return undefined;
        values.set(message.key, message.value);
        return settle();
      },
      async recheck() {
        const fresh = await readValues(deps.db, caller.runId, [...watched]);
        if (fresh.abort !== null && !ignoreAbort) return { aborted: fresh.abort };
        for (const [stored, current] of fresh.values) {
          if (watched.has(stored) && (values.get(stored) ?? null) === null)
            values.set(stored, current);
        }
        return settle();
      },
    },
    { seconds, draining, signal },
  );
  switch (result.kind) {
    case 'answer':
      if ('value' in result.answer) return { kind: 'value', value: result.answer.value };
      if ('aborted' in result.answer) throw runAborted(result.answer.aborted);
      throw new AppError('unauthenticated', `the run has ended (${result.answer.ended})`);
    case 'timeout':
      throw new AppError('timeout', `${referenceText} is still not set after ${seconds} s`);
    case 'draining':
      throw new AppError('unavailable', 'this API process is shutting down; ask again');
    case 'gone':
      return { kind: 'gone' };
  }
}
