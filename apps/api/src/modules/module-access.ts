import {
  formatModuleRef,
  type ImageLookup,
  type ImageModule,
  type ModuleDocument,
  type ModuleRef,
  type VersionedImage,
  parseModuleRef,
} from '@slipway/domain';
import { schema, type Database } from '@slipway/db';
import { and, desc, eq, isNull, lte } from 'drizzle-orm';
import { AppError } from '../app-error.js';

export interface Viewer {
  id: string;
  isAdmin: boolean;
}

export type ModuleRow = typeof schema.modules.$inferSelect;

/** Owner, administrators, and anyone when the module is public-readable. */
export function canRead(module: ModuleRow, viewer: Viewer | null): boolean {
  return module.publicRead || (viewer !== null && (viewer.isAdmin || viewer.id === module.ownerId));
}

/** Only the owner and administrators change a module. */
export function canWrite(module: ModuleRow, viewer: Viewer | null): boolean {
  return viewer !== null && (viewer.isAdmin || viewer.id === module.ownerId);
}

export interface ModuleVersionView {
  module: ModuleRow;
  version: number;
  document: ModuleDocument;
  comment: string;
  authorId: string;
  createdAt: Date;
}

/**
 * One version of a module the viewer may read (the latest when the reference has none).
 * A module the viewer may not read is reported exactly like a missing one, so private
 * paths do not leak.
 */
export async function findModuleVersion(
  db: Database,
  viewer: Viewer | null,
  ref: ModuleRef,
): Promise<ModuleVersionView> {
  const { modules, moduleVersions } = schema;
  const [module] = await db
    .select()
    .from(modules)
    .where(and(eq(modules.path, ref.path), isNull(modules.deletedAt)));
  if (!module || !canRead(module, viewer)) {
    throw new AppError('not_found', `module ${ref.path} does not exist or you cannot read it`);
  }
  const version = ref.version ?? module.latestVersion;
  const [row] = await db
    .select()
    .from(moduleVersions)
    .where(and(eq(moduleVersions.moduleId, module.id), eq(moduleVersions.version, version)));
  if (!row) throw new AppError('not_found', `module ${ref.path} has no version ${version}`);
  return {
    module,
    version,
    document: row.document as ModuleDocument,
    comment: row.comment,
    authorId: row.authorId,
    createdAt: row.createdAt,
  };
}

/** The live module at `path` if the viewer may read it; otherwise not_found, as if missing. */
export async function findModule(
  db: Database,
  viewer: Viewer | null,
  path: string,
): Promise<ModuleRow> {
  const { modules } = schema;
  const [module] = await db
    .select()
    .from(modules)
    .where(and(eq(modules.path, path), isNull(modules.deletedAt)));
  if (!module || !canRead(module, viewer)) {
    throw new AppError('not_found', `module ${path} does not exist or you cannot read it`);
  }
  return module;
}

/**
 * The version of `path` a run used, as the run recorded it. Whoever sees the run (its owner,
 * administrators) reads it, even once the module is deleted or made private: it is part of
 * the run's record. Paths freed by a delete can be reused, so the module meant is the one
 * with that path created last before the run.
 */
export async function findRunModuleVersion(
  db: Database,
  viewer: Viewer | null,
  runId: string,
  path: string,
): Promise<ModuleVersionView> {
  const { modules, moduleVersions, runs } = schema;
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  if (!run || viewer === null || (!viewer.isAdmin && viewer.id !== run.ownerId)) {
    throw new AppError('not_found', `run ${runId} does not exist or you cannot see it`);
  }
  const used = run.moduleVersions as Record<string, number>;
  const version =
    path === run.modulePath
      ? run.moduleVersion
      : Object.hasOwn(used, path)
        ? used[path]
        : undefined;
  if (version === undefined) {
    throw new AppError('not_found', `run ${runId} did not use module ${path}`);
  }
  const [module] = await db
    .select()
    .from(modules)
    .where(and(eq(modules.path, path), lte(modules.createdAt, run.createdAt)))
    .orderBy(desc(modules.createdAt))
    .limit(1);
  const [row] = module
    ? await db
        .select()
        .from(moduleVersions)
        .where(and(eq(moduleVersions.moduleId, module.id), eq(moduleVersions.version, version)))
    : [];
  if (!module || !row)
    throw new AppError('not_found', `module ${path}@${version} no longer exists`);
  return {
    module,
    version,
    document: row.document as ModuleDocument,
    comment: row.comment,
    authorId: row.authorId,
    createdAt: row.createdAt,
  };
}

/**
 * Loads every image a set of references needs, parents included, and returns the
 * synchronous lookup packages/domain resolves with. Versions used are recorded in
 * `used` (path → version) so a run can be re-launched identically.
 */
export async function loadImages(
  db: Database,
  viewer: Viewer | null,
  refs: ModuleRef[],
): Promise<{ lookup: ImageLookup; used: Map<string, number> }> {
  const found = new Map<string, VersionedImage | string>();
  const used = new Map<string, number>();
  const queue = [...refs];
  while (queue.length > 0) {
    const ref = queue.shift() as ModuleRef;
    const key = formatModuleRef(ref);
    if (found.has(key)) continue;
    try {
      const view = await findModuleVersion(db, viewer, ref);
      if (view.document.kind !== 'image') {
        found.set(key, `is a ${view.document.kind}, not an image`);
        continue;
      }
      const builds = await db
        .select()
        .from(schema.imageBuilds)
        .where(
          and(
            eq(schema.imageBuilds.moduleId, view.module.id),
            eq(schema.imageBuilds.version, view.version),
          ),
        );
      const image: VersionedImage = {
        image: view.document as ImageModule,
        version: view.version,
        builtImageIds: Object.fromEntries(builds.map((build) => [build.cloud, build.cloudImageId])),
      };
      found.set(key, image);
      used.set(ref.path, view.version);
      if (image.image.parent) {
        const parent = parseModuleRef(image.image.parent);
        if (typeof parent !== 'string') queue.push(parent);
      }
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'not_found') throw error;
      found.set(key, 'does not exist or you cannot read it');
    }
  }
  return {
    lookup: (ref) => found.get(formatModuleRef(ref)) ?? 'does not exist or you cannot read it',
    used,
  };
}
