import { randomBytes } from 'node:crypto';
import {
  expandRun,
  validateDeployment,
  type DeploymentModule,
  type ImageModule,
} from '@slipway/domain';
import { schema } from '@slipway/db';
import { applyRunEvent, createRunRecords, issueMachineToken } from '@slipway/engine';
import { and, eq } from 'drizzle-orm';
import { TestClient, type TestApi } from '../testing/test-api.js';

/*
 * A run written straight into the database, as a launch would write it, with a token for
 * every machine: tests of the parameter store need runs without going through the launch
 * API or an orchestrator.
 *
 *   apache (multiplicity `apache`)        outputs port (default 8080), ready
 *   testsuite (multiplicity `testsuite`)  inputs webserver.hostname ← apache:hostname,
 *                                         webserver.port ← apache:port,
 *                                         webserver.ready ← apache:ready,
 *                                         servers ← apache:*:hostname, tries = '3'
 */

const apacheImage: ImageModule = {
  path: 'Test/apache',
  kind: 'image',
  description: '',
  cloudImageIds: { local: 'host' },
  instanceType: {},
  packages: [],
  recipe: '',
  parameters: [
    { name: 'port', kind: 'output', description: '', default: '8080' },
    { name: 'ready', kind: 'output', description: '' },
  ],
  targets: {},
};

const testsuiteImage: ImageModule = {
  path: 'Test/testsuite',
  kind: 'image',
  description: '',
  cloudImageIds: { local: 'host' },
  instanceType: {},
  packages: [],
  recipe: '',
  parameters: ['webserver.hostname', 'webserver.port', 'webserver.ready', 'servers', 'tries'].map(
    (name) => ({ name, kind: 'input' as const, description: '' }),
  ),
  targets: {},
};

export interface TestRunOptions {
  /** The run's owner; a new user when absent. */
  ownerId?: string;
  apache?: number;
  testsuite?: number;
  /** Feed the state machine its start event, as the orchestrator does (default true). */
  started?: boolean;
}

export interface TestRun {
  runId: string;
  ownerId: string;
  /** Instance name → machine token. */
  tokens: Map<string, string>;
  /** An HTTP client of `api` (or of another API process) holding the instance's token. */
  machine(instance: string, via?: TestApi): TestClient;
  /** A value as stored, straight from the database; undefined when the key does not exist. */
  stored(key: string): Promise<string | null | undefined>;
  /** Puts the run in a final state behind the API's back, as a finished run would be. */
  end(state: 'Done' | 'Aborted'): Promise<void>;
}

export async function createTestRun(api: TestApi, options: TestRunOptions = {}): Promise<TestRun> {
  const db = api.database.db;
  let ownerId = options.ownerId;
  if (!ownerId) {
    const [user] = await db
      .insert(schema.users)
      .values({ email: `owner-${randomBytes(4).toString('hex')}@example.org`, passwordHash: 'x' })
      .returning({ id: schema.users.id });
    ownerId = user!.id;
  }
  const deployment: DeploymentModule = {
    path: 'Test/deployment',
    kind: 'deployment',
    description: '',
    nodes: [
      {
        name: 'apache',
        image: 'Test/apache',
        multiplicity: options.apache ?? 1,
        maxProvisioningFailures: 0,
        mappings: {},
      },
      {
        name: 'testsuite',
        image: 'Test/testsuite',
        multiplicity: options.testsuite ?? 1,
        maxProvisioningFailures: 0,
        mappings: {
          'webserver.hostname': 'apache:hostname',
          'webserver.port': 'apache:port',
          'webserver.ready': 'apache:ready',
          servers: 'apache:*:hostname',
          tries: "'3'",
        },
      },
    ],
  };
  const images = new Map([apacheImage, testsuiteImage].map((image) => [image.path, image]));
  const validated = validateDeployment(deployment, (ref) => {
    const image = images.get(ref.path);
    return image ? { image, version: 1 } : 'does not exist';
  });
  if (!validated.ok) throw new Error(`invalid fixture: ${JSON.stringify(validated.problems)}`);
  const plan = expandRun(validated.value, { defaultCloud: 'local' });
  if (!plan.ok) throw new Error(`invalid fixture: ${JSON.stringify(plan.problems)}`);
  const owner = ownerId;
  const runId = await db.transaction((tx) =>
    createRunRecords(tx, {
      ownerId: owner,
      kind: 'deployment',
      modulePath: deployment.path,
      moduleVersion: 1,
      keepRunning: 'never',
      timeoutMinutes: 60,
      tags: [],
      moduleVersions: { 'Test/deployment': 1, 'Test/apache': 1, 'Test/testsuite': 1 },
      overrides: {},
      plan: plan.value,
      maxProvisioningFailures: {},
    }),
  );
  if (options.started ?? true) await applyRunEvent(db, runId, { type: 'start' });
  const tokens = new Map<string, string>();
  for (const instance of plan.value.instances) {
    tokens.set(instance.name, await issueMachineToken(db, runId, instance.name));
  }
  return {
    runId,
    ownerId,
    tokens,
    machine(instance, via = api) {
      const token = tokens.get(instance);
      if (!token) throw new Error(`the test run has no instance ${instance}`);
      return new TestClient(via.url, { token });
    },
    async stored(key) {
      const [row] = await db
        .select({ value: schema.runParameters.value })
        .from(schema.runParameters)
        .where(and(eq(schema.runParameters.runId, runId), eq(schema.runParameters.key, key)));
      return row?.value;
    },
    async end(state) {
      await db.update(schema.runs).set({ state }).where(eq(schema.runs.id, runId));
    },
  };
}
