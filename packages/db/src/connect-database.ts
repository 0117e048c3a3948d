import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The database handle every app passes around, whichever engine is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  /** 'postgres' for a server given by URL, 'embedded' for PGlite in a directory. */
  engine: 'postgres' | 'embedded';
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url));

// Any constant works; it only has to be the same for every process of every version.
const MIGRATION_LOCK = 7_246_315_019;

export type DatabaseTarget = { url: string; poolSize?: number } | { dataDir: string };

/**
 * Connects and brings the schema up to date. Several processes may start at once: the
 * migrations run under a PostgreSQL advisory lock, so exactly one applies them and the
 * others wait, then find nothing left to do.
 */
export async function connectDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if ('dataDir' in target) {
    const client = new PGlite(target.dataDir);
    const db = drizzlePglite(client, { schema });
    await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db: db as unknown as Database, engine: 'embedded', close: () => client.close() };
  }
  await migrateServer(target.url);
  const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10 });
  // A broken idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = drizzlePg(pool, { schema });
  return { db: db as unknown as Database, engine: 'postgres', close: () => pool.end() };
}

async function migrateServer(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}
