import { schema, type Database } from '@slipway/db';

/**
 * The embedded `local` cloud exists from the first start, with no quota: a 1,000-instance
 * local run must not need an administrator first. An administrator's later changes to it
 * are kept.
 */
export async function ensureBuiltinClouds(db: Database): Promise<void> {
  await db
    .insert(schema.clouds)
    .values({ name: 'local', kind: 'local', config: {}, defaultQuota: null })
    .onConflictDoNothing();
}
