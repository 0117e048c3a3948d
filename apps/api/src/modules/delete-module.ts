import { schema, type Database } from '@slipway/db';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { AppError } from '../app-error.js';
import { canRead, canWrite, type Viewer } from './module-access.js';

const { modules } = schema;

/**
 * Soft-deletes a module: it leaves lists and reads and frees its path, while its versions
 * stay readable through the runs that used them. A project must be emptied first.
 */
export async function deleteModule(db: Database, caller: Viewer, path: string): Promise<void> {
  await db.transaction(async (tx) => {
    // Saves of a child lock the project in share mode, so no child appears meanwhile.
    const [module] = await tx
      .select()
      .from(modules)
      .where(and(eq(modules.path, path), isNull(modules.deletedAt)))
      .for('update');
    if (!module || !canRead(module, caller))
      throw new AppError('not_found', `module ${path} does not exist or you cannot read it`);
    if (!canWrite(module, caller))
      throw new AppError('forbidden', `only the owner of ${path} can delete it`);
    const children = await tx
      .select()
      .from(modules)
      .where(and(eq(modules.parentPath, path), isNull(modules.deletedAt)))
      .orderBy(asc(modules.path));
    if (children.length > 0) {
      const shown = children.filter((child) => canRead(child, caller));
      const hidden = children.length - shown.length;
      const names = [
        ...shown.map((child) => child.path),
        ...(hidden > 0 ? [`${hidden} module${hidden > 1 ? 's' : ''} you cannot read`] : []),
      ];
      throw new AppError(
        'conflict',
        `project ${path} still holds ${names.join(', ')}; delete ${children.length > 1 ? 'them' : 'it'} first`,
        {
          problems: shown.map((child) => ({
            module: child.path,
            at: [],
            message: `still in project ${path}`,
          })),
        },
      );
    }
    await tx
      .update(modules)
      .set({ deletedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(modules.id, module.id));
  });
}
