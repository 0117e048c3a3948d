import {
  publishRunMessages,
  runChannel,
  type AppliedRunEvent,
  type RunMessage,
} from '@slipway/engine';
import type { ApiDeps } from '../deps.js';
import { enqueueAdvanceRun } from '../runs/enqueue-advance-run.js';

/**
 * After the transaction that applied a machine's run event has committed: tells every API
 * process (waiters, browsers) what changed, then makes sure a worker drives the run. A
 * completion that leaves the barrier waiting gives a worker nothing to do, so it queues
 * nothing: a thousand completions do not make a thousand queue writes.
 */
export async function announceRunEvent(
  deps: ApiDeps,
  runId: string,
  applied: AppliedRunEvent,
  parameters: RunMessage[],
): Promise<void> {
  for (const message of parameters) await deps.events.publish(runChannel(runId), message);
  await publishRunMessages(deps.events, runId, applied);
  if (applied.messages.length > 0 || applied.effects.length > 0) {
    await enqueueAdvanceRun(deps.runQueue, runId);
  }
}
