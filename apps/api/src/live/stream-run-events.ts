import type { LiveRunMessage, LiveUserMessage } from '@slipway/contracts';
import { schema } from '@slipway/db';
import { runChannel, userChannel, type RunMessage, type UserMessage } from '@slipway/engine';
import { eq } from 'drizzle-orm';
import type { Response } from 'express';
import { notFound } from '../app-error.js';
import type { UserSummary } from '../auth/accounts.js';
import type { ApiDeps } from '../deps.js';
import type { Draining } from './draining.js';
import { openEventStream } from './event-stream.js';
import { readRunSnapshot } from './run-snapshot.js';

/**
 * The run's owner and administrators see it; anyone else is told it does not exist.
 * `runId` is a UUID already (the route parses it): PostgreSQL refuses anything else.
 */
async function checkRunVisible(deps: ApiDeps, viewer: UserSummary, runId: string): Promise<void> {
  const [run] = await deps.db
    .select({ ownerId: schema.runs.ownerId })
    .from(schema.runs)
    .where(eq(schema.runs.id, runId));
  if (!run || (run.ownerId !== viewer.id && !viewer.isAdmin)) throw notFound(`run ${runId}`);
}

/**
 * A browser's live view of a run: a snapshot, then every change as it happens. Messages
 * arriving while the snapshot is read are held and sent after it, so nothing falls between.
 */
export async function streamRunEvents(
  deps: ApiDeps,
  draining: Draining,
  viewer: UserSummary,
  runId: string,
  res: Response,
): Promise<void> {
  await checkRunVisible(deps, viewer, runId);
  const stream = openEventStream(res, draining);
  let held: RunMessage[] | null = [];
  const relay = (message: RunMessage) =>
    stream.send(message.type, message satisfies LiveRunMessage);
  const unsubscribe = await deps.events.subscribe(runChannel(runId), (message) => {
    if (held) held.push(message as RunMessage);
    else relay(message as RunMessage);
  });
  stream.onClose(unsubscribe);
  if (stream.closed) return;
  const snapshot = await readRunSnapshot(deps.db, runId);
  if (!snapshot) return void res.end();
  stream.send('snapshot', snapshot);
  const pending = held;
  held = null;
  for (const message of pending) relay(message);
}

/** The caller's run list, live: an event whenever one of their runs changes state. */
export async function streamUserEvents(
  deps: ApiDeps,
  draining: Draining,
  viewer: UserSummary,
  res: Response,
): Promise<void> {
  const stream = openEventStream(res, draining);
  const unsubscribe = await deps.events.subscribe(userChannel(viewer.id), (message) =>
    stream.send('run', message as UserMessage satisfies LiveUserMessage),
  );
  stream.onClose(unsubscribe);
}
