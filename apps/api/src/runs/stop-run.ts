import type { RunSummary } from '@slipway/contracts';
import { isFinalState, type RunEvent } from '@slipway/domain';
import { applyRunEvent, publishRunMessages } from '@slipway/engine';
import { AppError } from '../app-error.js';
import type { ApiDeps } from '../deps.js';
import type { Viewer } from '../modules/module-access.js';
import { enqueueAdvanceRun } from './enqueue-advance-run.js';
import { findVisibleRun, readRunSummary } from './read-runs.js';

/**
 * The user's Abort or Terminate. The event is recorded at once; machines are stopped and
 * released by the orchestrator worker driving the run, which follows the run's channel;
 * the queue gets the run's job again in case no worker holds it.
 */
export async function stopRun(
  deps: Pick<ApiDeps, 'db' | 'events' | 'runQueue' | 'logger'>,
  viewer: Viewer,
  runId: string,
  event: Extract<RunEvent, { type: 'abort' | 'terminate' }>,
): Promise<RunSummary> {
  await findVisibleRun(deps.db, viewer, runId);
  const applied = await applyRunEvent(deps.db, runId, event);
  // Decided under the run's row lock: a run that ended a moment ago is refused, not re-ended.
  if (isFinalState(applied.status.state) && applied.messages.length === 0) {
    throw new AppError('run_finished', `run ${runId} has already ended (${applied.status.state})`);
  }
  if (applied.messages.length > 0) {
    // Both are best effort once the event is committed: the orchestrator also finds runs to
    // reconcile by their state, and live views catch up on their next read.
    await publishRunMessages(deps.events, runId, applied).catch((error: unknown) =>
      deps.logger.error({ err: error, runId }, 'run messages could not be published'),
    );
    await enqueueAdvanceRun(deps.runQueue, runId).catch((error: unknown) =>
      deps.logger.error({ err: error, runId }, 'the run could not be queued after a stop'),
    );
  }
  return readRunSummary(deps.db, viewer, runId);
}
