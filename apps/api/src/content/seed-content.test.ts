import { schema } from '@slipway/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing/test-api.js';
import { seedContent, shippedModules } from './seed-content.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('shipped content', () => {
  it('is valid, and holds the tutorials and a base image for the local cloud', async () => {
    const paths = (await shippedModules()).map((module) => module.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'Public/BaseImages/local-host',
        'Public/Tutorials/HelloWorld/apache',
        'Public/Tutorials/HelloWorld/testclient',
        'Public/Tutorials/HelloWorld/client_server',
        'Public/Tutorials/Performance/deployment',
      ]),
    );
  });

  it('is written once, public, owned by the administrator, and any user can launch the tutorial', async () => {
    const admin = await api.login('admin@slipway.local', { admin: true });
    const written = await seedContent(api.database.db, 'admin@slipway.local');
    expect(written).toContain('Public/Tutorials/HelloWorld/client_server');
    expect(await seedContent(api.database.db, 'admin@slipway.local')).toEqual([]);
    const rows = await api.database.db.select().from(schema.modules);
    expect(
      rows.every(
        (row) => row.publicRead && row.ownerId === admin.userId && row.latestVersion === 1,
      ),
    ).toBe(true);

    const user = await api.login();
    const launched = await user.post('/api/runs', {
      module: 'Public/Tutorials/HelloWorld/client_server',
    });
    expect(launched.status).toBe(201);
    expect(launched.body.warnings).toEqual([]);
    const performance = await user.post('/api/runs', {
      module: 'Public/Tutorials/Performance/deployment',
      multiplicity: { testsuite: 10 },
    });
    expect(performance.status).toBe(201);
    // A user cannot change what Slipway ships.
    const changed = await user.put('/api/modules/Public/Tutorials/HelloWorld/apache', {
      document: { path: 'Public/Tutorials/HelloWorld/apache', kind: 'image' },
    });
    expect(changed.status).toBe(403);
  });
});
