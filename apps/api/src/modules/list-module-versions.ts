import type { ModuleVersionsResponse } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import { desc, eq } from 'drizzle-orm';
import { findModule, type Viewer } from './module-access.js';

const { moduleVersions, users } = schema;

/** Every version of a live module the viewer may read, newest first. */
export async function listModuleVersions(
  db: Database,
  viewer: Viewer | null,
  path: string,
): Promise<ModuleVersionsResponse> {
  const module = await findModule(db, viewer, path);
  const rows = await db
    .select({
      version: moduleVersions.version,
      comment: moduleVersions.comment,
      author: users.email,
      createdAt: moduleVersions.createdAt,
    })
    .from(moduleVersions)
    .innerJoin(users, eq(users.id, moduleVersions.authorId))
    .where(eq(moduleVersions.moduleId, module.id))
    .orderBy(desc(moduleVersions.version));
  return {
    path,
    versions: rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
  };
}
