import type { ModuleListItem } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import { and, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import { findModule, type Viewer } from './module-access.js';

const { modules, moduleVersions, users } = schema;

/** The same rule as canRead, as SQL, so a list never holds what the viewer may not read. */
function readableBy(viewer: Viewer | null): SQL | undefined {
  if (viewer?.isAdmin) return undefined;
  if (viewer === null) return eq(modules.publicRead, true);
  return or(eq(modules.publicRead, true), eq(modules.ownerId, viewer.id));
}

/** List items of the live modules matching `where`, by path. */
export async function moduleListItems(
  db: Database,
  viewer: Viewer | null,
  where: SQL | undefined,
): Promise<ModuleListItem[]> {
  const rows = await db
    .select({
      path: modules.path,
      kind: modules.kind,
      description: sql<string | null>`${moduleVersions.document}->>'description'`,
      latestVersion: modules.latestVersion,
      publicRead: modules.publicRead,
      owner: users.email,
      updatedAt: modules.updatedAt,
    })
    .from(modules)
    .innerJoin(users, eq(users.id, modules.ownerId))
    .innerJoin(
      moduleVersions,
      and(
        eq(moduleVersions.moduleId, modules.id),
        eq(moduleVersions.version, modules.latestVersion),
      ),
    )
    .where(and(isNull(modules.deletedAt), readableBy(viewer), where))
    .orderBy(asc(modules.path));
  return rows.map((row) => ({
    ...row,
    description: row.description ?? '',
    updatedAt: row.updatedAt.toISOString(),
  }));
}

/**
 * The root projects, or the modules of project `parent`, that the viewer may read. A project
 * the viewer may not read has no children to show, as if it did not exist.
 */
export async function listModules(
  db: Database,
  viewer: Viewer | null,
  parent: string | undefined,
): Promise<ModuleListItem[]> {
  if (parent === undefined) return moduleListItems(db, viewer, isNull(modules.parentPath));
  await findModule(db, viewer, parent);
  return moduleListItems(db, viewer, eq(modules.parentPath, parent));
}
