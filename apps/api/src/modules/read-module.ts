import type { ModuleView, ReadModuleQuery } from '@slipway/contracts';
import { parseModuleRef, resolveImage, type ModuleDocument, type Problem } from '@slipway/domain';
import { schema, type Database } from '@slipway/db';
import { inArray } from 'drizzle-orm';
import { AppError } from '../app-error.js';
import {
  findModuleVersion,
  findRunModuleVersion,
  loadImages,
  type ModuleVersionView,
  type Viewer,
} from './module-access.js';

/** E-mail addresses by user id. */
export async function emailsOf(db: Database, ids: string[]): Promise<Map<string, string>> {
  const rows = await db
    .select({ id: schema.users.id, email: schema.users.email })
    .from(schema.users)
    .where(inArray(schema.users.id, [...new Set(ids)]));
  return new Map(rows.map((row) => [row.id, row.email]));
}

/**
 * What a machine of this image version gets, with parents as the viewer sees them now: the
 * version itself is taken as read, so an image read through a run resolves even once deleted.
 */
async function effectiveParameters(
  db: Database,
  viewer: Viewer | null,
  view: ModuleVersionView,
): Promise<Pick<ModuleView, 'effectiveParameters' | 'effectiveProblems'>> {
  const image = view.document;
  if (image.kind !== 'image') return {};
  const parent = image.parent === undefined ? undefined : parseModuleRef(image.parent);
  const { lookup } = await loadImages(
    db,
    viewer,
    parent === undefined || typeof parent === 'string' ? [] : [parent],
  );
  const self = { path: image.path, version: view.version };
  const resolved = resolveImage(self, (ref) =>
    ref.path === self.path && ref.version === self.version
      ? { image, version: view.version }
      : lookup(ref),
  );
  if (resolved.ok) return { effectiveParameters: resolved.value.parameters };
  return {
    effectiveProblems: resolved.problems.map((problem: Problem) => ({
      ...problem,
      module: problem.module ?? image.path,
    })),
  };
}

/** One version of a module: the latest, `version`, or the one a run used. */
export async function readModule(
  db: Database,
  viewer: Viewer | null,
  path: string,
  query: ReadModuleQuery,
): Promise<ModuleView> {
  const view =
    query.run === undefined
      ? await findModuleVersion(db, viewer, { path, version: query.version })
      : await findRunModuleVersion(db, viewer, query.run, path);
  if (query.version !== undefined && query.version !== view.version) {
    throw new AppError(
      'not_found',
      `run ${query.run} used ${path}@${view.version}, not @${query.version}`,
    );
  }
  const { module } = view;
  const emails = await emailsOf(db, [module.ownerId, view.authorId]);
  return {
    path: module.path,
    kind: module.kind,
    version: view.version,
    latestVersion: module.latestVersion,
    owner: emails.get(module.ownerId) ?? '',
    publicRead: module.publicRead,
    createdAt: module.createdAt.toISOString(),
    updatedAt: module.updatedAt.toISOString(),
    deletedAt: module.deletedAt?.toISOString() ?? null,
    versionCreatedAt: view.createdAt.toISOString(),
    comment: view.comment,
    author: emails.get(view.authorId) ?? '',
    document: view.document as ModuleDocument,
    ...(await effectiveParameters(db, viewer, view)),
  };
}
