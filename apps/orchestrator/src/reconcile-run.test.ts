import type { RunStatus } from '@slipway/domain';
import { schema } from '@slipway/db';
import { createTestDatabase, type TestDatabase } from '@slipway/db/testing';
import { applyRunEvent } from '@slipway/engine';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '@slipway/cloud';
import type { OrchestratorDeps } from './deps.js';
import { reconcileRun } from './reconcile-run.js';
import { createSleeperRun, createTestOrchestratorDeps } from './testing/test-orchestrator.js';

let database: TestDatabase;
let deps: OrchestratorDeps;
let local: LocalCloud;
let close: () => Promise<void>;
beforeAll(async () => {
  database = await createTestDatabase();
  ({ deps, local, close } = await createTestOrchestratorDeps(database.db));
});
afterAll(async () => {
  await close();
  await database.drop();
});

async function instancesOf(runId: string) {
  return database.db
    .select()
    .from(schema.instances)
    .where(eq(schema.instances.runId, runId))
    .orderBy(schema.instances.name);
}
async function parameter(runId: string, key: string) {
  const [row] = await database.db
    .select()
    .from(schema.runParameters)
    .where(and(eq(schema.runParameters.runId, runId), eq(schema.runParameters.key, key)));
  return row?.value;
}

describe('reconcileRun', () => {
  it('starts a run, provisions every machine once, publishes hostnames, and adopts a machine a crashed worker left unrecorded', async () => {
    const runId = await createSleeperRun(database.db, 3);
    expect(await reconcileRun(deps, runId)).toBe(false); // start
    expect(await reconcileRun(deps, runId)).toBe(false); // provision
    const provisioned = await instancesOf(runId);
    expect(provisioned.map((instance) => instance.cloudInstanceId)).toEqual([
      `${runId}/box-1`,
      `${runId}/box-2`,
      `${runId}/box-3`,
    ]);
    expect(provisioned.every((instance) => instance.tokenHash !== null)).toBe(true);
    expect(await parameter(runId, 'box-2:hostname')).toBe('127.0.0.1');
    expect(await parameter(runId, 'box-2:instanceid')).toBe(`${runId}/box-2`);

    // A worker died after starting box-2 but before recording it.
    await database.db
      .update(schema.instances)
      .set({ cloudInstanceId: null })
      .where(and(eq(schema.instances.runId, runId), eq(schema.instances.name, 'box-2')));
    const tokenBefore = provisioned[1]?.tokenHash;
    await reconcileRun(deps, runId);
    const machines = await local.describe(runId);
    expect(machines.filter((machine) => machine.running)).toHaveLength(3);
    const after = await instancesOf(runId);
    expect(after[1]?.cloudInstanceId).toBe(`${runId}/box-2`);
    // Adopted, not re-made: its token (which the running machine holds) is unchanged.
    expect(after[1]?.tokenHash).toBe(tokenBefore);

    // Terminate: everything is released, and the run needs no more driving.
    await applyRunEvent(database.db, runId, { type: 'terminate' });
    expect(await reconcileRun(deps, runId)).toBe(true);
    expect(await local.describe(runId)).toEqual([]);
    expect((await instancesOf(runId)).every((instance) => instance.releasedAt !== null)).toBe(true);
  });

  it('starts no more machines once its worker is shutting down; the next pass provisions the rest', async () => {
    const runId = await createSleeperRun(database.db, 2);
    const stopping = new AbortController();
    stopping.abort();
    await reconcileRun(deps, runId, { signal: stopping.signal });
    await reconcileRun(deps, runId, { signal: stopping.signal });
    expect((await instancesOf(runId)).map((instance) => instance.cloudInstanceId)).toEqual([
      null,
      null,
    ]);
    expect(await local.describe(runId)).toEqual([]);
    await reconcileRun(deps, runId);
    expect((await local.describe(runId)).filter((machine) => machine.running)).toHaveLength(2);
    await applyRunEvent(database.db, runId, { type: 'terminate' });
    expect(await reconcileRun(deps, runId)).toBe(true);
    expect(await local.describe(runId)).toEqual([]);
  });

  it('aborts a run past its timeout with "run timed out"', async () => {
    const runId = await createSleeperRun(database.db, 1, 1);
    await reconcileRun(deps, runId);
    await reconcileRun(deps, runId);
    expect(await reconcileRun(deps, runId, { now: new Date(Date.now() + 2 * 60_000) })).toBe(false);
    const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
    expect(run).toMatchObject({ state: 'SendingReport', abortMessage: 'run timed out' });
    await applyRunEvent(database.db, runId, { type: 'terminate' });
    expect(await reconcileRun(deps, runId)).toBe(true);
    expect(await local.describe(runId)).toEqual([]);
  });

  it('starts no machine once the run is aborted in Initializing, and ends it Aborted', async () => {
    const runId = await createSleeperRun(database.db, 3);
    const stopping = new AbortController();
    stopping.abort();
    await reconcileRun(deps, runId, { signal: stopping.signal }); // started, nothing provisioned
    await applyRunEvent(database.db, runId, { type: 'abort', message: 'stop' });
    expect(await reconcileRun(deps, runId)).toBe(true);
    const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
    expect(run).toMatchObject({ state: 'Aborted', abortMessage: 'stop' });
    expect((await instancesOf(runId)).map((instance) => instance.cloudInstanceId)).toEqual([
      null,
      null,
      null,
    ]);
    expect(await local.describe(runId)).toEqual([]);
  });

  it('does not wait for the reports of instances an abort left without a machine', async () => {
    const runId = await createSleeperRun(database.db, 3);
    await reconcileRun(deps, runId); // start and provision
    // box-3 never got its machine: the abort came first.
    await local.terminate([`${runId}/box-3`]);
    await database.db
      .update(schema.instances)
      .set({ cloudInstanceId: null })
      .where(and(eq(schema.instances.runId, runId), eq(schema.instances.name, 'box-3')));
    await applyRunEvent(database.db, runId, { type: 'abort', message: 'stop' });
    for (const instance of ['box-1', 'box-2']) {
      await applyRunEvent(database.db, runId, {
        type: 'completed',
        instance,
        state: 'SendingReport',
      });
    }
    expect(await reconcileRun(deps, runId)).toBe(true);
    const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
    expect(run?.state).toBe('Aborted');
    expect((run?.status as RunStatus).instances['box-3']?.gone).toBe(true);
    expect(await local.describe(runId)).toEqual([]);
    const released = (await instancesOf(runId)).map((instance) => instance.releasedAt !== null);
    expect(released).toEqual([true, true, false]);
  });

  it('records a provisioning failure and aborts when the node tolerates none', async () => {
    const runId = await createSleeperRun(database.db, 2);
    deps.clouds.delete('local');
    try {
      await reconcileRun(deps, runId);
      await reconcileRun(deps, runId);
    } finally {
      deps.clouds.set('local', {
        connector: local,
        machineApiUrl: local.machineApiUrl(deps.config.publicUrl),
      });
    }
    const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
    expect(run?.abortMessage).toBe(
      'provisioning failed for node box: cloud "local" is not configured on this orchestrator',
    );
    expect(await local.describe(runId)).toEqual([]);
  });
});
