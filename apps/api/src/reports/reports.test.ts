import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { expandRun, validateDeployment, type ImageModule } from '@slipway/domain';
import { schema } from '@slipway/db';
import { createRunRecords, issueMachineToken } from '@slipway/engine';
import { eq } from 'drizzle-orm';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TestClient, type TestApi } from '../testing/test-api.js';
import { unsafeEntryProblem } from './report-store.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

const image: ImageModule = {
  path: 'P/box',
  kind: 'image',
  description: '',
  cloudImageIds: { local: 'host' },
  instanceType: {},
  packages: [],
  recipe: '',
  parameters: [],
  targets: {},
};

/** A run of two `box` machines owned by `ownerId`, with a token for each machine. */
async function runWithMachines(ownerId: string) {
  const validated = validateDeployment(
    {
      path: 'P/d',
      kind: 'deployment',
      description: '',
      nodes: [
        { name: 'box', image: 'P/box', multiplicity: 2, maxProvisioningFailures: 0, mappings: {} },
      ],
    },
    () => ({ image, version: 1 }),
  );
  if (!validated.ok) throw new Error('fixture');
  const plan = expandRun(validated.value, { defaultCloud: 'local' });
  if (!plan.ok) throw new Error('fixture');
  const runId = await api.database.db.transaction((tx) =>
    createRunRecords(tx, {
      ownerId,
      kind: 'deployment',
      modulePath: 'P/d',
      moduleVersion: 1,
      keepRunning: 'never',
      timeoutMinutes: 60,
      tags: [],
      moduleVersions: {},
      overrides: {},
      plan: plan.value,
      maxProvisioningFailures: {},
    }),
  );
  const machine = async (name: string) =>
    new TestClient(api.url, { token: await issueMachineToken(api.database.db, runId, name) });
  return { runId, box1: await machine('box-1'), box2: await machine('box-2') };
}

async function tarGz(
  entries: {
    name: string;
    content?: string;
    type?: 'file' | 'symlink' | 'directory';
    linkname?: string;
  }[],
): Promise<Buffer> {
  const archive = pack();
  for (const entry of entries) {
    if (entry.type === 'symlink' || entry.type === 'directory')
      archive.entry({ name: entry.name, type: entry.type, linkname: entry.linkname });
    else archive.entry({ name: entry.name }, entry.content ?? '');
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const upload = (machine: TestClient, body: Buffer) =>
  machine.request('POST', '/api/machine/report', body, { 'content-type': 'application/gzip' });

async function reportRows(runId: string) {
  return api.database.db.select().from(schema.reports).where(eq(schema.reports.runId, runId));
}

describe('reports', () => {
  it('takes an upload from a machine, lists it, serves it and its files to the owner', async () => {
    const owner = await api.login();
    const { runId, box1 } = await runWithMachines(owner.userId);
    const archive = await tarGz([
      { name: 'data.txt', content: 'Hello from Apache deployed by SlipStream!\n' },
      { name: 'logs', type: 'directory' },
      { name: 'logs/execute.log', content: '+ ss-get port\n' },
    ]);
    const uploaded = await upload(box1, archive);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.report).toMatchObject({
      instance: 'box-1',
      files: 2,
      sizeBytes: archive.length,
    });

    const listed = await owner.get(`/api/runs/${runId}/reports`);
    expect(listed.body.reports).toEqual([
      expect.objectContaining({ instance: 'box-1', fileName: 'box-1.tar.gz' }),
    ]);
    const reportId = listed.body.reports[0].id;

    const download = await fetch(`${api.url}/api/runs/${runId}/reports/${reportId}`, {
      headers: { cookie: (owner as any).auth.cookie },
    });
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(Buffer.from(await download.arrayBuffer()).equals(archive)).toBe(true);

    const files = await owner.get(`/api/runs/${runId}/reports/${reportId}/files`);
    expect(files.body.files).toEqual([
      { path: 'data.txt', size: 42 },
      { path: 'logs/execute.log', size: 14 },
    ]);
    const file = await owner.get(`/api/runs/${runId}/reports/${reportId}/files/logs/execute.log`);
    expect(file.body).toBe('+ ss-get port\n');
    expect((await owner.get(`/api/runs/${runId}/reports/${reportId}/files/nope.txt`)).status).toBe(
      404,
    );
  });

  it.each([
    ['an absolute path', [{ name: '/etc/passwd', content: 'x' }], 'absolute path or ".."'],
    [
      'a parent path',
      [
        { name: 'ok.txt', content: 'x' },
        { name: 'a/../../escape', content: 'x' },
      ],
      'absolute path or ".."',
    ],
    [
      'a link out',
      [{ name: 'link', type: 'symlink' as const, linkname: '../../../etc' }],
      'links outside',
    ],
  ])('refuses an archive with %s and keeps nothing', async (_what, entries, message) => {
    const owner = await api.login();
    const { runId, box1 } = await runWithMachines(owner.userId);
    const refused = await upload(box1, await tarGz(entries));
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain(message);
    expect(await reportRows(runId)).toEqual([]);
  });

  it('refuses something that is not a tar.gz', async () => {
    const owner = await api.login();
    const { runId, box1 } = await runWithMachines(owner.userId);
    const refused = await upload(box1, Buffer.from('just text'));
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('not a valid tar.gz');
    expect(await reportRows(runId)).toEqual([]);
  });

  it('refuses a report over the size limit', async () => {
    const owner = await api.login();
    const { runId, box1 } = await runWithMachines(owner.userId);
    const saved = api.deps.config.reportMaxBytes;
    api.deps.config.reportMaxBytes = 1024;
    try {
      const big = await tarGz([
        { name: 'noise.bin', content: randomBytes(64 * 1024).toString('base64') },
      ]);
      expect(big.length).toBeGreaterThan(1024);
      const refused = await upload(box1, big);
      expect(refused.status).toBe(413);
    } finally {
      api.deps.config.reportMaxBytes = saved;
    }
    expect(await reportRows(runId)).toEqual([]);
  });

  it("shows a run's reports to its owner and admins only", async () => {
    const owner = await api.login();
    const other = await api.login();
    const admin = await api.login(undefined, { admin: true });
    const { runId, box1, box2 } = await runWithMachines(owner.userId);
    await upload(box1, await tarGz([{ name: 'a.txt', content: 'a' }]));
    const path = `/api/runs/${runId}/reports`;
    expect((await api.anonymous.get(path)).status).toBe(401);
    expect((await other.get(path)).status).toBe(404);
    expect((await admin.get(path)).body.reports).toHaveLength(1);
    // A machine uploads; it does not browse reports.
    expect((await box2.get(path)).status).toBe(403);
    // A user cannot upload as a machine.
    expect(
      (
        await owner.request(
          'POST',
          '/api/machine/report',
          await tarGz([{ name: 'x', content: 'x' }]),
          { 'content-type': 'application/gzip' },
        )
      ).status,
    ).toBe(401);
    expect(await reportRows(runId)).toHaveLength(1);
  });
});

describe('unsafeEntryProblem', () => {
  it('accepts ordinary relative entries and refuses escapes and devices', () => {
    expect(unsafeEntryProblem('./logs/a.log', 'file', null)).toBeNull();
    expect(unsafeEntryProblem('a..b/c', 'file', null)).toBeNull();
    expect(unsafeEntryProblem('C:/x', 'file', null)).toContain('absolute');
    expect(unsafeEntryProblem('a\\..\\..\\x', 'file', null)).toContain('".."');
    expect(unsafeEntryProblem('dev', 'character-device', null)).toContain('files and directories');
  });
});
