import type { CopyModuleRequest } from '@slipway/contracts';
import { formatModuleRef, type ModuleDocument } from '@slipway/domain';
import type { Database } from '@slipway/db';
import { findModuleVersion, type Viewer } from './module-access.js';
import { saveModules, type SaveResult } from './save-modules.js';

/**
 * Copies a version of a module the caller may read to a new module at `to`: version 1, owned
 * by the caller, private, checked like any new module (its project must be the caller's).
 * A project is copied alone, without the modules it holds.
 */
export async function copyModule(
  db: Database,
  caller: Viewer,
  path: string,
  request: CopyModuleRequest,
): Promise<SaveResult> {
  const source = await findModuleVersion(db, caller, { path, version: request.version });
  const document = { ...source.document, path: request.to } as ModuleDocument;
  return saveModules(db, caller, [document], {
    comment: `copied from ${formatModuleRef({ path, version: source.version })}`,
    mode: 'create',
  });
}
