import type { EventBus } from './event-bus.js';
import type { AppliedRunEvent } from './apply-run-event.js';
import { runChannel, userChannel, type RunMessage, type UserMessage } from './run-messages.js';

/** Tells every process what a committed run event changed. */
export async function publishRunMessages(
  bus: EventBus,
  runId: string,
  applied: AppliedRunEvent,
): Promise<void> {
  await Promise.all(
    applied.messages.map((message: RunMessage) => bus.publish(runChannel(runId), message)),
  );
  if (applied.messages.some((message) => message.type === 'state')) {
    const message: UserMessage = { type: 'run', runId, state: applied.status.state };
    await bus.publish(userChannel(applied.ownerId), message);
  }
}
