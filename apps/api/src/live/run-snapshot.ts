import type { LiveRunSnapshot } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import type { RunState } from '@slipway/domain';
import { and, asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';

/** The run as a live view starts from: its state, abort flag and every instance's state. */
export async function readRunSnapshot(
  db: Database,
  runId: string,
): Promise<LiveRunSnapshot | null> {
  const { runs, instances, runParameters } = schema;
  const [run] = await db
    .select({ state: runs.state, abort: runs.abortMessage })
    .from(runs)
    .where(eq(runs.id, runId));
  if (!run) return null;
  const state = alias(runParameters, 'instance_state');
  const custom = alias(runParameters, 'instance_statecustom');
  const rows = await db
    .select({
      name: instances.name,
      node: instances.node,
      index: instances.index,
      state: state.value,
      statecustom: custom.value,
    })
    .from(instances)
    .leftJoin(
      state,
      and(eq(state.runId, instances.runId), eq(state.key, sql`${instances.name} || ':state'`)),
    )
    .leftJoin(
      custom,
      and(
        eq(custom.runId, instances.runId),
        eq(custom.key, sql`${instances.name} || ':statecustom'`),
      ),
    )
    .where(eq(instances.runId, runId))
    .orderBy(asc(instances.node), asc(instances.index));
  return { runId, state: run.state as RunState, abort: run.abort, instances: rows };
}
