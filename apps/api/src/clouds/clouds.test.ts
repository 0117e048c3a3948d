import {
  CloudResponse,
  ListCloudsResponse,
  ProfileResponse,
  QuotaResponse,
} from '@slipway/contracts';
import { schema } from '@slipway/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.js';
import { ensureBuiltinClouds } from './ensure-builtin-clouds.js';

type User = TestClient & { userId: string; email: string };

let api: TestApi;
let admin: User;
let user: User;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.login(undefined, { admin: true });
  user = await api.login();
});
afterAll(async () => {
  await api.close();
});

const cloudRows = () => api.database.db.select().from(schema.clouds).orderBy(schema.clouds.name);
const quotaRows = () => api.database.db.select().from(schema.quotas);

async function quotaOf(client: TestClient, cloud: string) {
  const { profile } = ProfileResponse.parse((await client.get('/api/me/profile')).body);
  return profile.quotas.find((quota) => quota.cloud === cloud);
}

describe('clouds', () => {
  it('has the local cloud from the start, with no limit, and lists clouds to any user', async () => {
    const listed = ListCloudsResponse.parse((await user.get('/api/clouds')).body);
    expect(listed.clouds).toEqual([
      { name: 'local', kind: 'local', defaultQuota: null, enabled: true },
    ]);
    expect((await api.anonymous.get('/api/clouds')).status).toBe(401);
  });

  it('lets only administrators create or change a cloud', async () => {
    const before = await cloudRows();
    const refused = await user.put('/api/clouds/aws', { kind: 'ec2', config: { region: 'x' } });
    expect(refused.status).toBe(403);
    expect((await api.anonymous.put('/api/clouds/aws', { kind: 'ec2' })).status).toBe(401);
    expect(await cloudRows()).toEqual(before);
  });

  it('gives clouds that cost money a default quota of 20, and keeps a given one', async () => {
    const created = await admin.put('/api/clouds/aws', {
      kind: 'ec2',
      config: { region: 'eu-west-1' },
    });
    expect(created.status).toBe(201);
    expect(CloudResponse.parse(created.body).cloud).toEqual({
      name: 'aws',
      kind: 'ec2',
      defaultQuota: 20,
      enabled: true,
      config: { region: 'eu-west-1' },
    });
    const pool = await admin.put('/api/clouds/pool', { kind: 'ssh', config: { hosts: ['a'] } });
    expect(pool.body.cloud.defaultQuota).toBe(20);

    const changed = await admin.put('/api/clouds/aws', { kind: 'ec2', defaultQuota: 5 });
    expect(changed.status).toBe(200);
    expect(changed.body.cloud).toMatchObject({ defaultQuota: 5, config: {} });
    const unlimited = await admin.put('/api/clouds/pool', { kind: 'ssh', defaultQuota: null });
    expect(unlimited.body.cloud.defaultQuota).toBeNull();

    // Users see names, kinds and quotas; connector settings only administrators.
    const seen = ListCloudsResponse.parse((await user.get('/api/clouds')).body).clouds;
    expect(seen.map((cloud) => [cloud.name, cloud.defaultQuota, 'config' in cloud])).toEqual([
      ['aws', 5, false],
      ['local', null, false],
      ['pool', null, false],
    ]);
    const forAdmin = ListCloudsResponse.parse((await admin.get('/api/clouds')).body).clouds;
    expect(forAdmin.find((cloud) => cloud.name === 'pool')?.config).toEqual({});
  });

  it('refuses a bad cloud name or settings, writing nothing', async () => {
    const before = await cloudRows();
    for (const [name, body] of [
      ['Not_A_Name', { kind: 'ec2' }],
      ['gce', { kind: 'gce' }],
      ['neg', { kind: 'ssh', defaultQuota: -1 }],
      ['half', { kind: 'ssh', defaultQuota: 1.5 }],
      ['extra', { kind: 'ssh', secretAccessKey: 'x' }],
    ] as const) {
      const response = await admin.put(`/api/clouds/${name}`, body);
      expect(response.status, name).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    }
    expect(await cloudRows()).toEqual(before);
  });

  it('makes the local cloud exist on every start without undoing an administrator', async () => {
    await admin.put('/api/clouds/local', { kind: 'local', defaultQuota: 50 });
    await ensureBuiltinClouds(api.database.db);
    await ensureBuiltinClouds(api.database.db);
    const local = (await cloudRows()).filter((row) => row.name === 'local');
    expect(local).toEqual([expect.objectContaining({ kind: 'local', defaultQuota: 50 })]);
    await admin.put('/api/clouds/local', { kind: 'local' });
    expect((await cloudRows()).find((row) => row.name === 'local')?.defaultQuota).toBeNull();
  });
});

describe('per-user quotas', () => {
  it("lets an administrator override one user's quota, and remove the override", async () => {
    const other = await api.login();
    expect(await quotaOf(user, 'aws')).toEqual({ cloud: 'aws', max: 5, inUse: 0 });

    const set = await admin.put(`/api/admin/users/${user.userId}/quotas/aws`, { maxMachines: 40 });
    expect(set.status).toBe(200);
    expect(QuotaResponse.parse(set.body).quota).toEqual({
      userId: user.userId,
      cloud: 'aws',
      maxMachines: 40,
    });
    expect((await quotaOf(user, 'aws'))?.max).toBe(40);
    expect((await quotaOf(other, 'aws'))?.max).toBe(5);

    await admin.put(`/api/admin/users/${user.userId}/quotas/aws`, { maxMachines: null });
    expect((await quotaOf(user, 'aws'))?.max).toBeNull();

    expect((await admin.delete(`/api/admin/users/${user.userId}/quotas/aws`)).status).toBe(204);
    expect((await quotaOf(user, 'aws'))?.max).toBe(5);
  });

  it('refuses non-administrators, unknown users and clouds, and bad limits, writing nothing', async () => {
    const before = await quotaRows();
    const path = `/api/admin/users/${user.userId}/quotas/aws`;
    expect((await user.put(path, { maxMachines: 1000 })).status).toBe(403);
    expect((await user.delete(path)).status).toBe(403);
    expect((await api.anonymous.put(path, { maxMachines: 1000 })).status).toBe(401);
    const nobody = '00000000-0000-0000-0000-000000000000';
    const unknownUser = await admin.put(`/api/admin/users/${nobody}/quotas/aws`, {
      maxMachines: 1,
    });
    expect(unknownUser.status).toBe(404);
    const unknownCloud = await admin.put(`/api/admin/users/${user.userId}/quotas/mars`, {
      maxMachines: 1,
    });
    expect(unknownCloud.status).toBe(404);
    expect(unknownCloud.body.error.message).toContain('cloud mars');
    expect((await admin.put(path, { maxMachines: -3 })).status).toBe(400);
    expect((await admin.put(path, {})).status).toBe(400);
    expect(await quotaRows()).toEqual(before);
  });
});
