import { advanceRun, type RunEffect, type RunEvent, type RunStatus } from '@slipway/domain';
import { schema, type Database } from '@slipway/db';
import { and, eq, inArray } from 'drizzle-orm';
import type { RunMessage } from './run-messages.js';

export interface AppliedRunEvent {
  ownerId: string;
  status: RunStatus;
  effects: RunEffect[];
  /** What to publish on the run's channel once the transaction has committed. */
  messages: RunMessage[];
}

export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} does not exist`);
    this.name = 'RunNotFoundError';
  }
}

/**
 * Feeds one event to a run's state machine and stores the result. The run row is locked
 * for the transaction, so events from several API processes and workers are applied one
 * at a time, each on the status the previous one left.
 */
export async function applyRunEvent(
  db: Database,
  runId: string,
  event: RunEvent,
): Promise<AppliedRunEvent> {
  return db.transaction(async (tx) => {
    const [run] = await tx
      .select()
      .from(schema.runs)
      .where(eq(schema.runs.id, runId))
      .for('update');
    if (!run) throw new RunNotFoundError(runId);
    const before = run.status as RunStatus;
    const { status, effects } = advanceRun(before, event);
    const messages: RunMessage[] = [];
    if (status === before) return { ownerId: run.ownerId, status, effects, messages };

    const finish = effects.find((effect) => effect.type === 'finish');
    const now = new Date();
    await tx
      .update(schema.runs)
      .set({
        status,
        state: status.state,
        abortMessage: status.abort,
        revision: run.revision + 1,
        ...(finish && { outcome: finish.outcome, finishedAt: now }),
        ...(before.state === 'Initializing' &&
          status.state !== 'Initializing' && { startedAt: run.startedAt ?? now }),
      })
      .where(eq(schema.runs.id, runId));

    const events: { kind: string; message: string }[] = [];
    if (status.state !== before.state) {
      messages.push({ type: 'state', state: status.state });
      events.push({ kind: 'state', message: status.state });
    }
    if (status.abort !== before.abort) {
      messages.push({ type: 'abort', message: status.abort });
      events.push({ kind: 'abort', message: status.abort ?? 'abort cancelled' });
    }
    const changedKeys: [string, string | null][] = [];
    if (status.state !== before.state) changedKeys.push(['ss:state', status.state]);
    if (status.abort !== before.abort) changedKeys.push(['ss:abort', status.abort]);
    for (const [key, value] of changedKeys) {
      await tx
        .update(schema.runParameters)
        .set({ value, updatedAt: now })
        .where(and(eq(schema.runParameters.runId, runId), eq(schema.runParameters.key, key)));
      messages.push({ type: 'parameter', key, value });
    }
    if (status.state !== before.state) {
      // Every instance still in the run shows the state it is now in, and so do those
      // released as the run ends here (finishing marks them gone): Done, not SendingReport.
      const released = new Set(
        effects.flatMap((effect) => (effect.type === 'release' ? effect.instances : [])),
      );
      const current = Object.entries(status.instances)
        .filter(([name, instance]) => !instance.gone || released.has(name))
        .map(([name]) => `${name}:state`);
      if (current.length > 0) {
        await tx
          .update(schema.runParameters)
          .set({ value: status.state, updatedAt: now })
          .where(
            and(eq(schema.runParameters.runId, runId), inArray(schema.runParameters.key, current)),
          );
      }
    }
    if (events.length > 0) {
      await tx
        .insert(schema.runEvents)
        .values(events.map((e) => ({ runId, kind: e.kind, message: e.message })));
    }
    return { ownerId: run.ownerId, status, effects, messages };
  });
}
