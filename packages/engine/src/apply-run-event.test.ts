import {
  expandRun,
  validateDeployment,
  type DeploymentModule,
  type ImageModule,
} from '@slipway/domain';
import { schema } from '@slipway/db';
import { createTestDatabase, type TestDatabase } from '@slipway/db/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRunEvent, RunNotFoundError } from './apply-run-event.js';
import { createRunRecords } from './create-run-records.js';
import { issueMachineToken } from './machine-tokens.js';
import { hashToken } from './tokens.js';

let database: TestDatabase;
let ownerId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const [user] = await database.db
    .insert(schema.users)
    .values({ email: 'o@example.org', passwordHash: 'x' })
    .returning();
  ownerId = user!.id;
});
afterAll(async () => {
  await database.drop();
});

const image: ImageModule = {
  path: 'P/server',
  kind: 'image',
  description: '',
  cloudImageIds: { local: 'host' },
  instanceType: {},
  packages: [],
  recipe: '',
  parameters: [{ name: 'port', kind: 'output', description: '', default: '8080' }],
  targets: {},
};

async function newRun(multiplicity: number): Promise<string> {
  const deployment: DeploymentModule = {
    path: 'P/d',
    kind: 'deployment',
    description: '',
    nodes: [
      { name: 'server', image: 'P/server', multiplicity, maxProvisioningFailures: 0, mappings: {} },
    ],
  };
  const validated = validateDeployment(deployment, () => ({ image, version: 1 }));
  if (!validated.ok) throw new Error('invalid fixture');
  const plan = expandRun(validated.value, { defaultCloud: 'local' });
  if (!plan.ok) throw new Error('invalid fixture');
  return database.db.transaction((tx) =>
    createRunRecords(tx, {
      ownerId,
      kind: 'deployment',
      modulePath: 'P/d',
      moduleVersion: 1,
      keepRunning: 'never',
      timeoutMinutes: 60,
      tags: [],
      moduleVersions: { 'P/d': 1, 'P/server': 1 },
      overrides: {},
      plan: plan.value,
      maxProvisioningFailures: {},
    }),
  );
}

async function parameter(runId: string, key: string) {
  const [row] = await database.db
    .select()
    .from(schema.runParameters)
    .where(and(eq(schema.runParameters.runId, runId), eq(schema.runParameters.key, key)));
  return row?.value;
}

describe('createRunRecords', () => {
  it('writes the run, every instance and the parameter table', async () => {
    const runId = await newRun(3);
    const instances = await database.db
      .select()
      .from(schema.instances)
      .where(eq(schema.instances.runId, runId));
    expect(instances.map((instance) => instance.name).sort()).toEqual([
      'server-1',
      'server-2',
      'server-3',
    ]);
    expect(await parameter(runId, 'server-2:port')).toBe('8080');
    expect(await parameter(runId, 'server:ids')).toBe('1,2,3');
    expect(await parameter(runId, 'ss:state')).toBe('Initializing');
  });

  it('writes nothing when the transaction fails', async () => {
    const before = (await database.db.select().from(schema.runs)).length;
    await expect(
      database.db.transaction(async (tx) => {
        await createRunRecords(tx, {
          ownerId: '00000000-0000-0000-0000-000000000000', // no such user: the insert fails
          kind: 'deployment',
          modulePath: 'P/d',
          moduleVersion: 1,
          keepRunning: 'never',
          timeoutMinutes: 60,
          tags: [],
          moduleVersions: {},
          overrides: {},
          plan: { instances: [], parameters: [] },
          maxProvisioningFailures: {},
        });
      }),
    ).rejects.toThrow();
    expect((await database.db.select().from(schema.runs)).length).toBe(before);
  });
});

describe('applyRunEvent', () => {
  it('stores each transition, mirrors state and abort into the parameter table, and records events', async () => {
    const runId = await newRun(2);
    const started = await applyRunEvent(database.db, runId, { type: 'start' });
    expect(started.effects).toEqual([{ type: 'provision', instances: ['server-1', 'server-2'] }]);
    await applyRunEvent(database.db, runId, {
      type: 'completed',
      instance: 'server-1',
      state: 'Initializing',
    });
    const second = await applyRunEvent(database.db, runId, {
      type: 'completed',
      instance: 'server-2',
      state: 'Initializing',
    });
    expect(second.messages).toContainEqual({ type: 'state', state: 'Running' });
    expect(await parameter(runId, 'ss:state')).toBe('Running');

    const aborted = await applyRunEvent(database.db, runId, { type: 'abort', message: 'boom' });
    expect(aborted.messages).toContainEqual({ type: 'abort', message: 'boom' });
    expect(await parameter(runId, 'ss:abort')).toBe('boom');
    const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
    expect(run).toMatchObject({ state: 'SendingReport', abortMessage: 'boom', revision: 4 });
    const events = await database.db
      .select()
      .from(schema.runEvents)
      .where(eq(schema.runEvents.runId, runId));
    expect(events.map((event) => [event.kind, event.message])).toEqual([
      ['state', 'Running'],
      ['state', 'SendingReport'],
      ['abort', 'boom'],
    ]);
  });

  it("shows each instance in the run's final state once it ends", async () => {
    const runId = await newRun(2);
    await applyRunEvent(database.db, runId, { type: 'start' });
    for (const state of ['Initializing', 'Running', 'SendingReport'] as const) {
      for (const instance of ['server-1', 'server-2']) {
        await applyRunEvent(database.db, runId, { type: 'completed', instance, state });
      }
      expect(await parameter(runId, 'server-2:state')).not.toBe(state);
    }
    expect(await parameter(runId, 'ss:state')).toBe('Done');
    expect(await parameter(runId, 'server-1:state')).toBe('Done');
    expect(await parameter(runId, 'server-2:state')).toBe('Done');
  });

  it('applies concurrent events one at a time: none is lost', async () => {
    const runId = await newRun(20);
    await applyRunEvent(database.db, runId, { type: 'start' });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        applyRunEvent(database.db, runId, {
          type: 'completed',
          instance: `server-${i + 1}`,
          state: 'Initializing',
        }),
      ),
    );
    expect(await parameter(runId, 'ss:state')).toBe('Running');
  });

  it('changes nothing for an event the state machine ignores', async () => {
    const runId = await newRun(1);
    const stale = await applyRunEvent(database.db, runId, {
      type: 'completed',
      instance: 'server-1',
      state: 'Running',
    });
    expect(stale.messages).toEqual([]);
    const [run] = await database.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
    expect(run?.revision).toBe(0);
  });

  it('refuses an unknown run', async () => {
    await expect(
      applyRunEvent(database.db, '00000000-0000-0000-0000-000000000000', { type: 'start' }),
    ).rejects.toBeInstanceOf(RunNotFoundError);
  });
});

describe('issueMachineToken', () => {
  it('stores only the hash, and a new token replaces the old one', async () => {
    const runId = await newRun(1);
    const first = await issueMachineToken(database.db, runId, 'server-1');
    const second = await issueMachineToken(database.db, runId, 'server-1');
    const [row] = await database.db
      .select()
      .from(schema.instances)
      .where(eq(schema.instances.runId, runId));
    expect(first).toMatch(/^swm_/);
    expect(row?.tokenHash).toBe(hashToken(second));
    expect(row?.tokenHash).not.toBe(hashToken(first));
    await expect(issueMachineToken(database.db, runId, 'server-9')).rejects.toThrow(
      'no instance server-9',
    );
  });
});
