import { runChannel, type RunMessage } from '@slipway/engine';
import type { OrchestratorDeps } from './deps.js';
import { reconcileRun } from './reconcile-run.js';

/** Longest a driven run goes without a reconcile pass: the resolution of timeouts. */
export const TICK_MS = 2000;

/**
 * Drives one run until it needs nothing more: a reconcile pass after every state or
 * abort change on the run's channel, and at least every TICK_MS.
 */
export async function driveRun(
  deps: OrchestratorDeps,
  runId: string,
  signal: AbortSignal,
): Promise<'done' | 'stopped'> {
  let dirty: boolean;
  let wake: (() => void) | null = null;
  const unsubscribe = await deps.events.subscribe(runChannel(runId), (message) => {
    const { type } = message as RunMessage;
    if (type === 'state' || type === 'abort') {
      dirty = true;
      wake?.();
    }
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      dirty = false;
      if (await reconcileRun(deps, runId, { signal })) return 'done';
      if (dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TICK_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
    return 'stopped';
  } finally {
    signal.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
