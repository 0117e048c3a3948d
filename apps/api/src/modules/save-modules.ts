import type { SavedModule } from '@slipway/contracts';
import {
  formatProblem,
  parentProjectPath,
  parseModuleRef,
  resolveImage,
  validateDeployment,
  type ImageModule,
  type ModuleDocument,
  type ModuleRef,
  type Problem,
} from '@slipway/domain';
import { schema, type Database } from '@slipway/db';
import { and, eq, isNull } from 'drizzle-orm';
import { AppError } from '../app-error.js';
import { canRead, canWrite, loadImages, type ModuleRow, type Viewer } from './module-access.js';

const { modules, moduleVersions, imageBuilds } = schema;

export interface SaveOptions {
  comment: string;
  /** `save` creates a module or adds a version; `create` refuses a path in use (a copy). */
  mode: 'save' | 'create';
}

export interface SaveResult {
  saved: SavedModule[];
  warnings: Problem[];
}

/*
 * Refusals come in three kinds. The request is answered with the most serious kind present,
 * and lists every problem found, whatever its kind, so a user fixes them all in one pass.
 */
type Refusal = 'forbidden' | 'conflict' | 'invalid';
const SEVERITY: Refusal[] = ['forbidden', 'conflict', 'invalid'];
const CODE = { forbidden: 'forbidden', conflict: 'conflict', invalid: 'invalid_module' } as const;

class Refusals {
  private readonly found: { kind: Refusal; problem: Problem }[] = [];

  add(kind: Refusal, problem: Problem): void {
    this.found.push({ kind, problem });
  }

  get count(): number {
    return this.found.length;
  }

  throwIfAny(): void {
    const worst = SEVERITY.find((kind) => this.found.some((refusal) => refusal.kind === kind));
    if (worst === undefined) return;
    const problems = [
      ...this.found.filter((refusal) => refusal.kind === worst),
      ...this.found.filter((refusal) => refusal.kind !== worst),
    ].map((refusal) => refusal.problem);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new AppError(CODE[worst], `${formatProblem(problems[0] as Problem)}${more}`, {
      problems,
    });
  }
}

/** Projects before what they hold, then images, then the deployments that use them. */
function writingOrder(documents: ModuleDocument[]): ModuleDocument[] {
  const rank = { project: 0, image: 1, deployment: 2 } as const;
  const depth = (path: string) => path.split('/').length;
  return [...documents].sort(
    (a, b) => rank[a.kind] - rank[b.kind] || depth(a.path) - depth(b.path),
  );
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonical(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** jsonb does not keep key order, so documents are compared in a canonical form. */
function sameDocument(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** DESIGN: editing packages, recipe or parent (or the base ids) clears the built image ids. */
function sameBuildSteps(before: ModuleDocument, after: ModuleDocument): boolean {
  if (before.kind !== 'image' || after.kind !== 'image') return false;
  const steps = (image: ImageModule) => [
    image.parent ?? null,
    image.packages,
    image.recipe,
    image.cloudImageIds,
  ];
  return sameDocument(steps(before), steps(after));
}

function withArticle(kind: ModuleDocument['kind']): string {
  return kind === 'image' ? 'an image' : `a ${kind}`;
}

function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return (error as { code?: string }).code === '23505' || cause?.code === '23505';
}

interface Context {
  tx: Database;
  author: Viewer;
  options: SaveOptions;
  refusals: Refusals;
  /** Projects this request saves: their children need not wait for them to exist. */
  batchProjects: Set<string>;
}

/** Whether the module may live where its path puts it: in a project the author may write. */
async function checkPlace(context: Context, document: ModuleDocument): Promise<boolean> {
  const { tx, author, refusals } = context;
  const module = document.path;
  const parent = parentProjectPath(document.path);
  const before = refusals.count;
  if (parent === null) {
    if (document.kind !== 'project')
      refusals.add('invalid', {
        module,
        at: ['path'],
        message: `${withArticle(document.kind)} lives in a project: write its path as Project/Name`,
      });
    return refusals.count === before;
  }
  if (context.batchProjects.has(parent)) return true;
  // Shared lock: a delete of the project waits for this save, or this save sees it deleted.
  const [project] = await tx
    .select()
    .from(modules)
    .where(and(eq(modules.path, parent), isNull(modules.deletedAt)))
    .for('share');
  if (!project || !canRead(project, author)) {
    refusals.add('invalid', {
      module,
      at: ['path'],
      message: `project ${parent} does not exist or you cannot read it; create the project first`,
    });
  } else if (project.kind !== 'project') {
    refusals.add('invalid', {
      module,
      at: ['path'],
      message: `${parent} is ${withArticle(project.kind)}, not a project; modules live in projects`,
    });
  } else if (!canWrite(project, author)) {
    refusals.add('forbidden', {
      module,
      at: ['path'],
      message: `you cannot save modules in project ${parent}: only its owner can`,
    });
  }
  return refusals.count === before;
}

/** The live module at the document's path, if the author may save a version of it. */
async function checkExisting(
  context: Context,
  document: ModuleDocument,
): Promise<{ ok: boolean; existing?: ModuleRow }> {
  const { tx, author, refusals, options } = context;
  const module = document.path;
  // Row lock: concurrent saves of one module take turns, so versions never collide.
  const [existing] = await tx
    .select()
    .from(modules)
    .where(and(eq(modules.path, document.path), isNull(modules.deletedAt)))
    .for('update');
  if (!existing) return { ok: true };
  if (!canRead(existing, author)) {
    refusals.add('conflict', {
      module,
      at: ['path'],
      message: `the path ${module} is already taken by a module you cannot read`,
    });
  } else if (options.mode === 'create') {
    refusals.add('conflict', { module, at: ['path'], message: `${module} already exists` });
  } else if (!canWrite(existing, author)) {
    refusals.add('forbidden', {
      module,
      at: [],
      message: `you cannot save ${module}: only its owner can`,
    });
  } else if (existing.kind !== document.kind) {
    refusals.add('invalid', {
      module,
      at: ['kind'],
      message: `${module} is ${withArticle(existing.kind)}; a module cannot change kind (this document makes it ${withArticle(document.kind)})`,
    });
  } else {
    return { ok: true, existing };
  }
  return { ok: false };
}

async function createModule(
  context: Context,
  document: ModuleDocument,
): Promise<SavedModule | null> {
  const { tx, author, options } = context;
  let row: ModuleRow | undefined;
  try {
    // A savepoint, so that losing a race for the path leaves the transaction usable.
    [row] = await tx.transaction((savepoint) =>
      savepoint
        .insert(modules)
        .values({
          path: document.path,
          kind: document.kind,
          parentPath: parentProjectPath(document.path),
          ownerId: author.id,
          latestVersion: 1,
        })
        .returning(),
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    context.refusals.add('conflict', {
      module: document.path,
      at: ['path'],
      message: `${document.path} was created by someone else at the same time; try again`,
    });
    return null;
  }
  if (!row) throw new Error('inserting a module returned nothing');
  await tx.insert(moduleVersions).values({
    moduleId: row.id,
    version: 1,
    document,
    comment: options.comment,
    authorId: author.id,
  });
  return { path: document.path, kind: document.kind, version: 1, created: true, changed: true };
}

async function addVersion(
  context: Context,
  existing: ModuleRow,
  document: ModuleDocument,
): Promise<SavedModule> {
  const { tx, author, options } = context;
  const [latest] = await tx
    .select()
    .from(moduleVersions)
    .where(
      and(
        eq(moduleVersions.moduleId, existing.id),
        eq(moduleVersions.version, existing.latestVersion),
      ),
    );
  const previous = latest?.document as ModuleDocument | undefined;
  const unchanged = { path: document.path, kind: document.kind, created: false };
  // Saving the same document again makes no version, so re-applying a file is idempotent.
  if (previous !== undefined && sameDocument(previous, document))
    return { ...unchanged, version: existing.latestVersion, changed: false };
  const version = existing.latestVersion + 1;
  await tx.insert(moduleVersions).values({
    moduleId: existing.id,
    version,
    document,
    comment: options.comment,
    authorId: author.id,
  });
  await tx
    .update(modules)
    .set({ latestVersion: version, updatedAt: new Date() })
    .where(eq(modules.id, existing.id));
  if (previous !== undefined && sameBuildSteps(previous, document)) {
    const builds = await tx
      .select()
      .from(imageBuilds)
      .where(
        and(eq(imageBuilds.moduleId, existing.id), eq(imageBuilds.version, existing.latestVersion)),
      );
    if (builds.length > 0)
      await tx.insert(imageBuilds).values(builds.map((build) => ({ ...build, version })));
  }
  return { ...unchanged, version, changed: true };
}

/** Problems of an image's ancestors are reported at its `parent`, where the user can act. */
function atParent(module: string, problem: Problem): Problem {
  if (problem.module === undefined || problem.module === module) return { ...problem, module };
  return { module, at: ['parent'], message: `${problem.module}: ${problem.message}` };
}

/** Checks what a document refers to, as the author sees it (this transaction's writes included). */
async function checkReferences(context: Context, document: ModuleDocument): Promise<Problem[]> {
  const { tx, author } = context;
  if (document.kind === 'image') {
    const ref = { path: document.path };
    const { lookup } = await loadImages(tx, author, [ref]);
    const resolved = resolveImage(ref, lookup);
    if (!resolved.ok) {
      for (const problem of resolved.problems)
        context.refusals.add('invalid', atParent(document.path, problem));
    }
    return [];
  }
  if (document.kind === 'deployment') {
    const refs = document.nodes
      .map((node) => parseModuleRef(node.image))
      .filter((ref): ref is ModuleRef => typeof ref !== 'string');
    const { lookup } = await loadImages(tx, author, refs);
    const validated = validateDeployment(document, lookup);
    if (validated.ok) return validated.value.warnings;
    for (const problem of validated.problems) context.refusals.add('invalid', problem);
  }
  return [];
}

/**
 * Saves module documents in one transaction: all of them, or none. Each becomes a new module
 * (version 1, owned by the author, private) or a new version of the author's module.
 */
export async function saveModules(
  db: Database,
  author: Viewer,
  documents: ModuleDocument[],
  options: SaveOptions,
): Promise<SaveResult> {
  const refusals = new Refusals();
  const seen = new Set<string>();
  for (const document of documents) {
    if (seen.has(document.path))
      refusals.add('invalid', {
        module: document.path,
        at: ['path'],
        message: `${document.path} appears more than once in this request`,
      });
    seen.add(document.path);
  }
  refusals.throwIfAny();
  const ordered = writingOrder(documents);
  return db.transaction(async (tx) => {
    const context: Context = {
      tx,
      author,
      options,
      refusals,
      batchProjects: new Set(ordered.filter((d) => d.kind === 'project').map((d) => d.path)),
    };
    const saved: SavedModule[] = [];
    const written: ModuleDocument[] = [];
    for (const document of ordered) {
      // Where the author may not create, whether the path is taken is none of their business.
      if (!(await checkPlace(context, document))) continue;
      const { ok, existing } = await checkExisting(context, document);
      if (!ok) continue;
      const result = existing
        ? await addVersion(context, existing, document)
        : await createModule(context, document);
      if (result === null) continue;
      saved.push(result);
      written.push(document);
    }
    const warnings: Problem[] = [];
    for (const document of written) warnings.push(...(await checkReferences(context, document)));
    refusals.throwIfAny();
    return { saved, warnings };
  });
}
