import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { connectDatabase } from './connect-database.js';
import { users } from './schema.js';
import { createTestDatabase } from './testing.js';

describe('connectDatabase', () => {
  it('migrates once when several processes start at the same moment', async () => {
    const database = await createTestDatabase();
    try {
      // Five more connections racing on the already-created database must all succeed.
      const handles = await Promise.all(
        Array.from({ length: 5 }, () => connectDatabase({ url: database.url, poolSize: 1 })),
      );
      await Promise.all(handles.map((handle) => handle.close()));
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const applied = await client.query(
        'select count(*)::int as n from drizzle.__drizzle_migrations',
      );
      await client.end();
      expect(applied.rows[0].n).toBeGreaterThanOrEqual(1);
      const journal = (await import('../migrations/meta/_journal.json', { with: { type: 'json' } }))
        .default;
      expect(applied.rows[0].n).toBe(journal.entries.length);
    } finally {
      await database.drop();
    }
  });

  it('runs embedded (PGlite) with the same schema, and keeps data across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-pglite-'));
    try {
      const first = await connectDatabase({ dataDir });
      await first.db.insert(users).values({ email: 'a@example.org', passwordHash: 'x' });
      await first.close();
      const second = await connectDatabase({ dataDir });
      const rows = await second.db.select().from(users).where(eq(users.email, 'a@example.org'));
      await second.close();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.keepRunning).toBe('never');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000); // PGlite is WebAssembly: 9 s alone, over a minute beside every other package's tests
});
