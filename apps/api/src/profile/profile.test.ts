import {
  CloudCredentialsResponse,
  ListCloudCredentialsResponse,
  ProfileResponse,
} from '@slipway/contracts';
import { schema } from '@slipway/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.js';
import { readCloudCredentials } from './cloud-credentials.js';

type User = TestClient & { userId: string; email: string };

let api: TestApi;
let admin: User;
let user: User;
let other: User;
beforeAll(async () => {
  api = await startTestApi();
  admin = await api.login(undefined, { admin: true });
  user = await api.login();
  other = await api.login();
  expect((await admin.put('/api/clouds/aws', { kind: 'ec2' })).status).toBe(201);
  expect((await admin.put('/api/clouds/pool', { kind: 'ssh', enabled: false })).status).toBe(201);
});
afterAll(async () => {
  await api.close();
});

async function profileOf(client: TestClient) {
  const response = await client.get('/api/me/profile');
  expect(response.status).toBe(200);
  return ProfileResponse.parse(response.body).profile;
}

describe('profile', () => {
  it('starts with the defaults and shows quota usage per cloud', async () => {
    expect(await profileOf(user)).toEqual({
      defaultCloud: 'local',
      keepRunning: 'never',
      runTimeoutMinutes: 60,
      quotas: [
        { cloud: 'aws', max: 20, inUse: 0 },
        { cloud: 'local', max: null, inUse: 0 },
        { cloud: 'pool', max: 20, inUse: 0 },
      ],
    });
    expect((await api.anonymous.get('/api/me/profile')).status).toBe(401);
    expect((await api.anonymous.patch('/api/me', { keepRunning: 'always' })).status).toBe(401);
  });

  it('changes only what is given, for the caller only', async () => {
    const response = await user.patch('/api/me', { keepRunning: 'on-error', defaultCloud: 'aws' });
    expect(response.status).toBe(200);
    expect(ProfileResponse.parse(response.body).profile).toMatchObject({
      defaultCloud: 'aws',
      keepRunning: 'on-error',
      runTimeoutMinutes: 60,
    });
    await user.patch('/api/me', { runTimeoutMinutes: 1 });
    await user.patch('/api/me', { runTimeoutMinutes: 10080 });
    expect(await profileOf(user)).toMatchObject({
      defaultCloud: 'aws',
      keepRunning: 'on-error',
      runTimeoutMinutes: 10080,
    });
    expect(await profileOf(other)).toMatchObject({
      defaultCloud: 'local',
      keepRunning: 'never',
      runTimeoutMinutes: 60,
    });
  });

  it('refuses an unknown or disabled cloud, a bad policy or timeout, and changes nothing', async () => {
    const before = await profileOf(user);
    const cases: [unknown, string, string][] = [
      [{ defaultCloud: 'mars' }, 'body.defaultCloud', 'does not exist'],
      [{ defaultCloud: 'pool' }, 'body.defaultCloud', 'disabled'],
      [{ defaultCloud: 'Not A Cloud' }, 'body.defaultCloud', 'lower-case'],
      [{ keepRunning: 'sometimes' }, 'body.keepRunning', ''],
      [{ runTimeoutMinutes: 0 }, 'body.runTimeoutMinutes', 'at least 1 minute'],
      [{ runTimeoutMinutes: 10081 }, 'body.runTimeoutMinutes', 'at most 10080'],
      [{ runTimeoutMinutes: 2.5 }, 'body.runTimeoutMinutes', 'whole number'],
      [{ isAdmin: true }, 'body.isAdmin', 'unknown field'],
      [{ keepRunning: 'always', defaultCloud: 'mars' }, 'body.defaultCloud', ''],
    ];
    for (const [body, at, message] of cases) {
      const response = await user.patch('/api/me', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
      expect(response.body.error.problems[0].at.join('.')).toBe(at);
      expect(response.body.error.message).toContain(message);
    }
    expect(await profileOf(user)).toEqual(before);
  });
});

describe('cloud credentials', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret };

  it('stores them encrypted, lists only their cloud and date, and never returns them', async () => {
    const saved = await user.put('/api/me/credentials/aws', credentials);
    expect(saved.status).toBe(200);
    expect(CloudCredentialsResponse.parse(saved.body).credentials.cloud).toBe('aws');

    const [row] = await api.database.db.select().from(schema.cloudCredentials);
    expect(row?.userId).toBe(user.userId);
    expect(row?.secret).not.toContain(secret);
    expect(row?.secret).not.toContain(credentials.accessKeyId);
    expect(Buffer.from(row?.secret ?? '', 'base64').toString('latin1')).not.toContain(secret);

    const listed = await user.get('/api/me/credentials');
    expect(ListCloudCredentialsResponse.parse(listed.body).credentials).toEqual([
      { cloud: 'aws', updatedAt: saved.body.credentials.updatedAt },
    ]);
    for (const path of ['/api/me/credentials', '/api/me/profile', '/api/clouds', '/api/me']) {
      for (const client of [user, admin]) {
        const body = JSON.stringify((await client.get(path)).body);
        expect(body).not.toContain(secret);
        expect(body).not.toContain(credentials.accessKeyId);
      }
    }
    expect(JSON.stringify(saved.body)).not.toContain(secret);

    // The orchestrator reads them back for this user only.
    const key = api.deps.secretKey;
    expect(await readCloudCredentials(api.deps.db, key, user.userId, 'aws')).toEqual(credentials);
    expect(await readCloudCredentials(api.deps.db, key, other.userId, 'aws')).toBeNull();
    expect(
      ListCloudCredentialsResponse.parse((await other.get('/api/me/credentials')).body),
    ).toEqual({ credentials: [] });
  });

  it('replaces them on a second put, and deletes only the caller’s', async () => {
    await other.put('/api/me/credentials/aws', { ...credentials, secretAccessKey: 'other-secret' });
    const replaced = { ...credentials, secretAccessKey: 'rotated-secret' };
    expect((await user.put('/api/me/credentials/aws', replaced)).status).toBe(200);
    const key = api.deps.secretKey;
    expect(await readCloudCredentials(api.deps.db, key, user.userId, 'aws')).toEqual(replaced);

    expect((await user.delete('/api/me/credentials/aws')).status).toBe(204);
    expect((await user.delete('/api/me/credentials/aws')).status).toBe(404);
    expect(await readCloudCredentials(api.deps.db, key, user.userId, 'aws')).toBeNull();
    expect(await readCloudCredentials(api.deps.db, key, other.userId, 'aws')).toMatchObject({
      secretAccessKey: 'other-secret',
    });
  });

  it('refuses incomplete or malformed credentials and unknown clouds, writing nothing', async () => {
    const before = await api.database.db.select().from(schema.cloudCredentials);
    const missing = await user.put('/api/me/credentials/aws', { accessKeyId: 'AKIA' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.problems).toEqual([
      expect.objectContaining({ at: ['body', 'secretAccessKey'] }),
    ]);
    expect((await user.put('/api/me/credentials/aws', {})).status).toBe(400);
    expect((await user.put('/api/me/credentials/aws', { accessKeyId: 7 })).status).toBe(400);
    expect((await user.put('/api/me/credentials/aws', { 'bad key': 'x' })).status).toBe(400);
    expect((await user.put('/api/me/credentials/mars', credentials)).status).toBe(404);
    expect((await api.anonymous.put('/api/me/credentials/aws', credentials)).status).toBe(401);
    expect((await api.anonymous.get('/api/me/credentials')).status).toBe(401);
    expect(await api.database.db.select().from(schema.cloudCredentials)).toEqual(before);
  });
});
