import {
  ErrorBody,
  JOBS,
  LaunchRunResponse,
  ListRunsResponse,
  ProfileResponse,
  RunDetailResponse,
  RunEventsResponse,
  RunParametersResponse,
  RunResponse,
  RUNS_QUEUE,
} from '@slipway/contracts';
import { schema } from '@slipway/db';
import { applyRunEvent } from '@slipway/engine';
import { and, count, eq } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApi,
  TEST_REDIS_URL,
  type TestApi,
  type TestClient,
} from '../testing/test-api.js';
import { enqueueAdvanceRun } from './enqueue-advance-run.js';
import { launchRun } from './launch-run.js';
import { saveModule, saveTutorial } from './testing-fixtures.js';

type User = TestClient & { userId: string; email: string };

let api: TestApi;
let admin: User;
let alice: User;
let bob: User;
let tutorial: Awaited<ReturnType<typeof saveTutorial>>;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.login(undefined, { admin: true });
  alice = await api.login();
  bob = await api.login();
  const metered = await admin.put('/api/clouds/metered', { kind: 'ssh', defaultQuota: 2 });
  expect(metered.status).toBe(201);
  tutorial = await saveTutorial(api.database.db, alice.userId, 'Hello', {
    clouds: ['local', 'metered'],
  });
});
afterAll(async () => {
  await api.close();
});

async function counts() {
  const { db } = api.database;
  const [[runs], [instances], [parameters]] = await Promise.all([
    db.select({ n: count() }).from(schema.runs),
    db.select({ n: count() }).from(schema.instances),
    db.select({ n: count() }).from(schema.runParameters),
  ]);
  const jobs = await api.deps.runQueue.getJobCountByTypes('waiting', 'delayed', 'active');
  return { runs: runs?.n, instances: instances?.n, parameters: parameters?.n, jobs };
}

async function launch(client: TestClient, body: unknown) {
  return client.post('/api/runs', body);
}

async function launched(client: TestClient, body: unknown) {
  const response = await launch(client, body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return LaunchRunResponse.parse(response.body);
}

function parameterMap(body: unknown) {
  const { parameters } = RunParametersResponse.parse(body);
  return new Map(parameters.map((parameter) => [parameter.key, parameter]));
}

describe('launching a run', () => {
  it('writes a deployment run with its instances and parameter table, then queues its job', async () => {
    // Version 2 of apache changes the port; the deployment pins nothing, so it uses 2.
    await saveModule(api.database.db, alice.userId, {
      path: tutorial.apache,
      kind: 'image',
      parent: tutorial.base,
      parameters: [
        { name: 'port', kind: 'output', default: '9090' },
        { name: 'ready', kind: 'output' },
      ],
    });
    const { run, warnings } = await launched(alice, {
      module: tutorial.deployment,
      multiplicity: { testclient1: 2 },
      parameters: { testclient1: { greeting: 'bonjour' } },
      tags: ['nightly'],
    });
    expect(run).toMatchObject({
      state: 'Initializing',
      kind: 'deployment',
      module: tutorial.deployment,
      moduleVersion: 1,
      owner: { id: alice.userId, email: alice.email },
      keepRunning: 'never',
      timeoutMinutes: 60,
      tags: ['nightly'],
    });
    expect(warnings).toEqual([]);

    const detail = RunDetailResponse.parse((await alice.get(`/api/runs/${run.id}`)).body).run;
    expect(detail.moduleVersions).toEqual({
      [tutorial.deployment]: 1,
      [tutorial.apache]: 2,
      [tutorial.testclient]: 1,
      [tutorial.base]: 1,
    });
    expect(detail.instances.map((instance) => [instance.name, instance.cloud])).toEqual([
      ['apache1-1', 'local'],
      ['testclient1-1', 'local'],
      ['testclient1-2', 'local'],
    ]);
    expect(detail.instances[0]).toMatchObject({ completed: null, failed: false, gone: false });
    expect(detail.history.map((entry) => entry.state)).toEqual(['Initializing']);

    const parameters = parameterMap((await alice.get(`/api/runs/${run.id}/parameters`)).body);
    expect(parameters.get('ss:state')?.value).toBe('Initializing');
    expect(parameters.get('ss:tags')?.value).toBe('nightly');
    expect(parameters.get('testclient1:ids')?.value).toBe('1,2');
    expect(parameters.get('apache1-1:port')?.value).toBe('9090');
    expect(parameters.get('testclient1-2:greeting')?.value).toBe('bonjour');
    // An input linked to an output shows that output's value and what it follows.
    expect(parameters.get('testclient1-2:webserver.port')).toMatchObject({
      value: '9090',
      follows: 'apache1-1:port',
    });
    expect(parameters.get('testclient1-1:webserver.ready')).toMatchObject({
      value: null,
      follows: 'apache1-1:ready',
    });
    expect([...parameters.keys()][0]).toBe('ss:abort');

    const job = await api.deps.runQueue.getJob(run.id);
    expect(job?.name).toBe(JOBS.advanceRun.name);
    expect(job?.data).toEqual({ runId: run.id });
    expect(job?.opts.attempts).toBe(JOBS.advanceRun.options.attempts);
  });

  it('runs a single image as a one-node deployment, at the version asked for', async () => {
    const { run } = await launched(alice, { module: `${tutorial.apache}@1` });
    expect(run).toMatchObject({ kind: 'image', module: tutorial.apache, moduleVersion: 1 });
    const detail = RunDetailResponse.parse((await alice.get(`/api/runs/${run.id}`)).body).run;
    expect(detail.instances.map((instance) => instance.name)).toEqual(['machine-1']);
    expect(detail.moduleVersions).toEqual({ [tutorial.apache]: 1, [tutorial.base]: 1 });
    const parameters = parameterMap((await alice.get(`/api/runs/${run.id}/parameters`)).body);
    expect(parameters.get('machine-1:port')?.value).toBe('8080');
    expect((await api.deps.runQueue.getJob(run.id))?.data).toEqual({ runId: run.id });
  });

  it("uses the user's defaults unless the launch overrides them", async () => {
    const carol = await api.login();
    await saveTutorial(api.database.db, carol.userId, 'Carol', { clouds: ['local', 'metered'] });
    const patched = await carol.patch('/api/me', {
      keepRunning: 'on-error',
      runTimeoutMinutes: 30,
      defaultCloud: 'metered',
    });
    expect(patched.status).toBe(200);
    const defaults = await launched(carol, { module: 'Carol/apache' });
    expect(defaults.run).toMatchObject({ keepRunning: 'on-error', timeoutMinutes: 30 });
    const detail = RunDetailResponse.parse(
      (await carol.get(`/api/runs/${defaults.run.id}`)).body,
    ).run;
    expect(detail.instances[0]?.cloud).toBe('metered');

    const overridden = await launched(carol, {
      module: 'Carol/client_server',
      keepRunning: 'always',
      timeoutMinutes: 5,
      cloud: { apache1: 'local' },
    });
    expect(overridden.run).toMatchObject({ keepRunning: 'always', timeoutMinutes: 5 });
    const instances = RunDetailResponse.parse(
      (await carol.get(`/api/runs/${overridden.run.id}`)).body,
    ).run.instances;
    expect(instances.map((instance) => instance.cloud)).toEqual(['local', 'metered']);
    const local = await launched(carol, { module: 'Carol/client_server', cloud: 'local' });
    const onLocal = RunDetailResponse.parse((await carol.get(`/api/runs/${local.run.id}`)).body).run
      .instances;
    expect(onLocal.map((instance) => instance.cloud)).toEqual(['local', 'local']);
  });

  it('warns about an input with neither mapping nor default, and still launches', async () => {
    await saveModule(api.database.db, alice.userId, {
      path: 'Hello/lonely',
      kind: 'deployment',
      nodes: [{ name: 'client', image: tutorial.testclient }],
    });
    const { warnings } = await launched(alice, { module: 'Hello/lonely' });
    expect(warnings.map((warning) => warning.at.join('.'))).toEqual([
      'nodes.client.mappings.webserver.hostname',
      'nodes.client.mappings.webserver.port',
      'nodes.client.mappings.webserver.ready',
    ]);
  });
});

describe('when the queue fails', () => {
  it('keeps the committed run, says so, and a later re-add of its job is idempotent', async () => {
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const broken = new Queue(RUNS_QUEUE, { connection, prefix: api.deps.config.redisPrefix });
    await broken.close();
    connection.disconnect();
    const { run, warnings } = await launchRun(
      { db: api.deps.db, runQueue: broken, logger: api.deps.logger },
      { id: alice.userId, isAdmin: false },
      { module: tutorial.apache },
    );
    expect(warnings).toEqual([expect.objectContaining({ at: ['queue'] })]);
    expect(run.state).toBe('Initializing');
    expect((await alice.get(`/api/runs/${run.id}`)).status).toBe(200);
    expect(await api.deps.runQueue.getJob(run.id)).toBeUndefined();

    // What a sweep of Initializing runs without a job does: adding twice makes one job.
    await enqueueAdvanceRun(api.deps.runQueue, run.id);
    await enqueueAdvanceRun(api.deps.runQueue, run.id);
    const jobs = await api.deps.runQueue.getJobs(['waiting']);
    expect(jobs.filter((job) => job.data.runId === run.id).map((job) => job.id)).toEqual([run.id]);
  });
});

describe('refusing a launch', () => {
  async function refused(client: TestClient, body: unknown, status = 400) {
    const before = await counts();
    const response = await launch(client, body);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(await counts()).toEqual(before);
    return ErrorBody.parse(response.body).error;
  }

  it('lists every problem of the overrides at once, with where each is', async () => {
    const error = await refused(alice, {
      module: tutorial.deployment,
      multiplicity: { nosuch: 2, testclient1: -1 },
      parameters: { apache1: { colour: 'blue' } },
      cloud: { apache1: 'nowhere' },
    });
    expect(error.code).toBe('invalid_run');
    const where = error.problems?.map((problem) => problem.at.join('.')).sort();
    expect(where).toEqual([
      'nodes.apache1.cloud',
      'nodes.apache1.parameters.colour',
      'nodes.nosuch.multiplicity',
      'nodes.testclient1.multiplicity',
    ]);
    const byPlace = new Map(error.problems?.map((problem) => [problem.at.join('.'), problem]));
    expect(byPlace.get('nodes.apache1.cloud')?.message).toContain('"nowhere"');
    expect(byPlace.get('nodes.apache1.parameters.colour')?.message).toContain('no such parameter');
    expect(byPlace.get('nodes.nosuch.multiplicity')?.message).toContain('does not have');
  });

  it('refuses a module the caller cannot read exactly like a missing one', async () => {
    const hidden = await refused(bob, { module: tutorial.deployment });
    const missing = await refused(bob, { module: 'Hello/nothing_here' });
    expect(hidden.code).toBe('invalid_run');
    expect(hidden.problems?.[0]?.at).toEqual(['module']);
    expect(hidden.message).toBe(
      `module: ${tutorial.deployment} does not exist or you cannot read it`,
    );
    expect(missing.message).toBe('module: Hello/nothing_here does not exist or you cannot read it');
    const noVersion = await refused(alice, { module: `${tutorial.deployment}@7` });
    expect(noVersion.message).toContain('no version 7');
  });

  it('refuses a project, and a deployment whose image the caller cannot read', async () => {
    expect((await refused(alice, { module: tutorial.project })).message).toContain('is a project');
    await saveModule(api.database.db, bob.userId, {
      path: 'Bob/uses_alice',
      kind: 'deployment',
      nodes: [{ name: 'web', image: tutorial.apache }],
    });
    const error = await refused(bob, { module: 'Bob/uses_alice' });
    expect(error.problems?.map((problem) => problem.at.join('.'))).toEqual(['nodes.web.image']);
  });

  it('refuses an unknown or disabled cloud, and an image with no id for its cloud', async () => {
    const unknown = await refused(alice, { module: tutorial.apache, cloud: 'atlantis' });
    expect(unknown.problems).toEqual([
      expect.objectContaining({ at: ['cloud'], message: expect.stringContaining('atlantis') }),
    ]);
    expect(unknown.message).toContain('the clouds are: local, metered');

    await admin.put('/api/clouds/frozen', { kind: 'ec2', enabled: false });
    const disabled = await refused(alice, { module: tutorial.apache, cloud: 'frozen' });
    expect(disabled.message).toContain('disabled');

    await admin.put('/api/clouds/bare', { kind: 'ssh' });
    const noImage = await refused(alice, { module: tutorial.deployment, cloud: 'bare' });
    expect(noImage.problems?.map((problem) => problem.at.join('.'))).toEqual([
      'nodes.apache1.image',
      'nodes.testclient1.image',
    ]);
    expect(noImage.problems?.[0]?.message).toContain('cloud "bare"');
  });

  it('refuses a malformed request before looking at modules', async () => {
    const error = await refused(alice, {
      module: tutorial.deployment,
      multiplicity: { testclient1: '3' },
      timeoutMinutes: 0,
      surprise: true,
    });
    expect(error.code).toBe('invalid_request');
    expect(error.problems?.map((problem) => problem.at.join('.')).sort()).toEqual([
      'body.multiplicity.testclient1',
      'body.surprise',
      'body.timeoutMinutes',
    ]);
    expect((await api.anonymous.post('/api/runs', { module: tutorial.apache })).status).toBe(401);
  });

  it('refuses a launch beyond the quota, naming the cloud, the limit, in use and requested', async () => {
    const error = await refused(
      alice,
      { module: tutorial.apache, cloud: 'metered', multiplicity: { machine: 3 } },
      429,
    );
    expect(error.code).toBe('quota_exceeded');
    expect(error.message).toBe(
      'quota exceeded: cloud "metered" allows you 2 machines at once: 0 in use, this run asks for 3',
    );

    // An administrator's override for this user lifts the limit; others keep the default.
    const raised = await admin.put(`/api/admin/users/${alice.userId}/quotas/metered`, {
      maxMachines: 3,
    });
    expect(raised.status).toBe(200);
    const { run } = await launched(alice, {
      module: tutorial.apache,
      cloud: 'metered',
      multiplicity: { machine: 3 },
    });
    const profile = ProfileResponse.parse((await alice.get('/api/me/profile')).body).profile;
    expect(profile.quotas.find((quota) => quota.cloud === 'metered')).toEqual({
      cloud: 'metered',
      max: 3,
      inUse: 3,
    });
    const again = await refused(alice, { module: tutorial.apache, cloud: 'metered' }, 429);
    expect(again.message).toContain('3 in use, this run asks for 1');

    // A finished run holds no machines.
    expect((await alice.post(`/api/runs/${run.id}/terminate`)).status).toBe(200);
    await launched(alice, { module: tutorial.apache, cloud: 'metered' });
  });

  it('lets two concurrent launches of one user together stay within the quota', async () => {
    const dave = await api.login();
    await saveTutorial(api.database.db, dave.userId, 'Dave', { clouds: ['local', 'metered'] });
    const body = { module: 'Dave/apache', cloud: 'metered', multiplicity: { machine: 2 } };
    for (let round = 0; round < 3; round += 1) {
      const responses = await Promise.all([launch(dave, body), launch(dave, body)]);
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 429]);
      const winner = responses.find((response) => response.status === 201)?.body.run.id;
      const profile = ProfileResponse.parse((await dave.get('/api/me/profile')).body).profile;
      expect(profile.quotas.find((quota) => quota.cloud === 'metered')?.inUse).toBe(2);
      expect((await dave.post(`/api/runs/${winner}/terminate`)).status).toBe(200);
    }
  });
});

describe('who sees and stops a run', () => {
  let runId: string;
  beforeAll(async () => {
    runId = (await launched(alice, { module: tutorial.apache })).run.id;
  });

  it('shows a run to its owner and administrators only', async () => {
    for (const path of ['', '/parameters', '/events']) {
      expect((await api.anonymous.get(`/api/runs/${runId}${path}`)).status).toBe(401);
      const other = await bob.get(`/api/runs/${runId}${path}`);
      expect(other.status).toBe(404);
      expect(other.body.error.code).toBe('not_found');
      expect((await alice.get(`/api/runs/${runId}${path}`)).status).toBe(200);
      expect((await admin.get(`/api/runs/${runId}${path}`)).status).toBe(200);
    }
    const missing = await bob.get('/api/runs/00000000-0000-0000-0000-000000000000');
    expect(missing.body.error.message).toBe(
      (await bob.get(`/api/runs/${runId}`)).body.error.message.replace(
        runId,
        '00000000-0000-0000-0000-000000000000',
      ),
    );
    expect((await alice.get('/api/runs/not-a-uuid')).status).toBe(400);
  });

  it('lists own runs newest first; administrators list all and filter by owner', async () => {
    const own = ListRunsResponse.parse((await alice.get('/api/runs?pageSize=2')).body);
    expect(own.runs).toHaveLength(2);
    expect(own.runs[0]?.id).toBe(runId);
    expect(own.total).toBeGreaterThan(2);
    expect(own.runs.every((run) => run.owner.id === alice.userId)).toBe(true);
    const second = ListRunsResponse.parse((await alice.get('/api/runs?pageSize=2&page=2')).body);
    expect(second.runs.map((run) => run.id)).not.toContain(runId);

    const bobs = ListRunsResponse.parse((await bob.get('/api/runs')).body);
    expect(bobs.runs.map((run) => run.id)).not.toContain(runId);
    expect((await bob.get(`/api/runs?owner=${alice.userId}`)).status).toBe(403);
    expect((await api.anonymous.get('/api/runs')).status).toBe(401);

    const all = ListRunsResponse.parse((await admin.get('/api/runs?pageSize=100')).body);
    expect(new Set(all.runs.map((run) => run.owner.id)).size).toBeGreaterThan(1);
    const byEmail = ListRunsResponse.parse(
      (await admin.get(`/api/runs?owner=${encodeURIComponent(alice.email)}`)).body,
    );
    expect(byEmail.total).toBe(own.total);
    const filtered = ListRunsResponse.parse(
      (await alice.get(`/api/runs?module=${tutorial.apache}&state=Initializing`)).body,
    );
    expect(filtered.runs.every((run) => run.module === tutorial.apache)).toBe(true);
    expect(filtered.runs.map((run) => run.id)).toContain(runId);
    expect((await alice.get('/api/runs?pageSize=101')).status).toBe(400);
  });

  it('lets only the owner and administrators abort or terminate', async () => {
    const before = RunDetailResponse.parse((await alice.get(`/api/runs/${runId}`)).body).run;
    for (const action of ['abort', 'terminate']) {
      expect((await api.anonymous.post(`/api/runs/${runId}/${action}`)).status).toBe(401);
      expect((await bob.post(`/api/runs/${runId}/${action}`)).status).toBe(404);
    }
    const after = RunDetailResponse.parse((await alice.get(`/api/runs/${runId}`)).body).run;
    expect(after).toEqual(before);

    const other = (await launched(alice, { module: tutorial.apache })).run.id;
    const byAdmin = await admin.post(`/api/runs/${other}/terminate`);
    expect(byAdmin.status).toBe(200);
    expect(RunResponse.parse(byAdmin.body).run).toMatchObject({
      state: 'Aborted',
      abortMessage: 'run terminated by user',
    });
    const byOwner = await alice.post(`/api/runs/${runId}/abort`);
    expect(RunResponse.parse(byOwner.body).run).toMatchObject({
      state: 'Aborted',
      abortMessage: `aborted by ${alice.email}`,
    });
  });

  it('keeps the first abort message, records the events, and refuses to stop a finished run', async () => {
    const { run } = await launched(alice, { module: tutorial.deployment });
    // An orchestrator would start it; here the engine does, as a worker would.
    await applyRunEvent(api.database.db, run.id, { type: 'start' });

    const first = await alice.post(`/api/runs/${run.id}/abort`, { message: 'first' });
    expect(RunResponse.parse(first.body).run).toMatchObject({
      state: 'SendingReport',
      abortMessage: 'first',
    });
    const second = await admin.post(`/api/runs/${run.id}/abort`, { message: 'second' });
    expect(second.status).toBe(200);
    expect(second.body.run.abortMessage).toBe('first');
    const parameters = parameterMap((await alice.get(`/api/runs/${run.id}/parameters`)).body);
    expect(parameters.get('ss:abort')?.value).toBe('first');
    expect(parameters.get('ss:state')?.value).toBe('SendingReport');

    // A stop never makes a second job: one job per run, so two workers never drive it at once.
    const jobs = await api.deps.runQueue.getJobs(['waiting', 'delayed', 'active']);
    const forRun = jobs.filter((job) => job.data.runId === run.id);
    expect(forRun.map((job) => [job.id, job.name])).toEqual([[run.id, JOBS.advanceRun.name]]);

    const terminated = await alice.post(`/api/runs/${run.id}/terminate`);
    expect(terminated.body.run).toMatchObject({ state: 'Aborted', abortMessage: 'first' });
    for (const action of ['abort', 'terminate']) {
      const late = await alice.post(`/api/runs/${run.id}/${action}`);
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('run_finished');
    }

    const detail = RunDetailResponse.parse((await alice.get(`/api/runs/${run.id}`)).body).run;
    expect(detail.history.map((entry) => entry.state)).toEqual([
      'Initializing',
      'SendingReport',
      'Aborted',
    ]);
    const page = RunEventsResponse.parse(
      (await alice.get(`/api/runs/${run.id}/events?limit=2`)).body,
    );
    expect(page.events.map((event) => [event.kind, event.message])).toEqual([
      ['state', 'SendingReport'],
      ['abort', 'first'],
    ]);
    expect(page.hasMore).toBe(true);
    const rest = RunEventsResponse.parse(
      (await alice.get(`/api/runs/${run.id}/events?after=${page.events[1]?.id}`)).body,
    );
    expect(rest.events.map((event) => event.message)).toEqual(['Aborted']);
    expect(rest.hasMore).toBe(false);
  });
});

describe('instances on the run page', () => {
  it('shows statecustom, hostname and url.* values of each instance', async () => {
    const { run } = await launched(alice, { module: tutorial.apache });
    const set = async (key: string, value: string) =>
      api.database.db
        .update(schema.runParameters)
        .set({ value })
        .where(and(eq(schema.runParameters.runId, run.id), eq(schema.runParameters.key, key)));
    await set('machine-1:statecustom', 'warming up');
    await set('machine-1:hostname', '10.0.0.7');
    await set('machine-1:url.ssh', 'ssh://root@10.0.0.7');
    const detail = RunDetailResponse.parse((await alice.get(`/api/runs/${run.id}`)).body).run;
    expect(detail.instances).toEqual([
      expect.objectContaining({
        name: 'machine-1',
        statecustom: 'warming up',
        hostname: '10.0.0.7',
        urls: { 'url.ssh': 'ssh://root@10.0.0.7' },
      }),
    ]);
  });
});
