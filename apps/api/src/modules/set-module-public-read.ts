import type { ModuleListItem } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import { eq } from 'drizzle-orm';
import { AppError } from '../app-error.js';
import { canWrite, findModule, type Viewer } from './module-access.js';
import { moduleListItems } from './list-modules.js';

/** Makes a module public-readable or private again; only its owner or an administrator may. */
export async function setModulePublicRead(
  db: Database,
  caller: Viewer,
  path: string,
  publicRead: boolean,
): Promise<ModuleListItem> {
  const module = await findModule(db, caller, path);
  if (!canWrite(module, caller))
    throw new AppError('forbidden', `only the owner of ${path} can change who reads it`);
  await db
    .update(schema.modules)
    .set({ publicRead, updatedAt: new Date() })
    .where(eq(schema.modules.id, module.id));
  const [item] = await moduleListItems(db, caller, eq(schema.modules.id, module.id));
  if (!item) throw new AppError('not_found', `module ${path} was deleted meanwhile`);
  return item;
}
