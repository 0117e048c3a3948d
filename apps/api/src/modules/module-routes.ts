import {
  CopyModuleRequest,
  ListModulesQuery,
  ReadModuleQuery,
  UpdateModuleRequest,
} from '@slipway/contracts';
import { modulePathProblem } from '@slipway/domain';
import express, { Router, type Request } from 'express';
import { AppError, invalid } from '../app-error.js';
import { requireUser } from '../auth/authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parseRequest } from '../http/parse-request.js';
import { copyModule } from './copy-module.js';
import { deleteModule } from './delete-module.js';
import { documentFromRequest, documentsFromRequest, YAML_TYPES } from './documents-from-request.js';
import { listModuleVersions } from './list-module-versions.js';
import { listModules } from './list-modules.js';
import type { Viewer } from './module-access.js';
import { readModule } from './read-module.js';
import { saveModules } from './save-modules.js';
import { setModulePublicRead } from './set-module-public-read.js';

type Action = 'versions' | 'copy' | undefined;

/**
 * `/modules/*path` gives the path's segments; a trailing `:versions` or `:copy` names an
 * action (module path segments never contain ':'). Any other action is no route at all.
 */
function moduleTarget(
  req: Request,
  allowed: Action[] = [undefined],
): { path: string; action: Action } {
  const segments = (req.params as { path?: string[] }).path ?? [];
  const last = segments.at(-1) ?? '';
  const colon = last.indexOf(':');
  const action = (colon === -1 ? undefined : last.slice(colon + 1)) as Action;
  if (!allowed.includes(action))
    throw new AppError('not_found', `no route ${req.method} ${req.path}`);
  const path = [...segments.slice(0, -1), colon === -1 ? last : last.slice(0, colon)].join('/');
  const problem = modulePathProblem(path);
  if (problem) throw invalid('invalid_request', [{ at: ['path'], message: problem }]);
  return { path, action };
}

function viewerOf(req: Request): Viewer | null {
  return req.auth?.kind === 'user' ? req.auth.user : null;
}

export function moduleRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();
  router.use('/modules', express.text({ type: YAML_TYPES, limit: '2mb' }));

  router.get('/modules', async (req, res) => {
    const { parent } = parseRequest(ListModulesQuery, req.query, 'query');
    res.json({ modules: await listModules(db, viewerOf(req), parent) });
  });

  router.post('/modules', async (req, res) => {
    const author = requireUser(req);
    const { documents, comment } = documentsFromRequest(req);
    const result = await saveModules(db, author, documents, { comment, mode: 'save' });
    res.status(result.saved.some((saved) => saved.created) ? 201 : 200).json(result);
  });

  router.get('/modules/*path', async (req, res) => {
    const { path, action } = moduleTarget(req, [undefined, 'versions']);
    if (action === 'versions') return res.json(await listModuleVersions(db, viewerOf(req), path));
    const query = parseRequest(ReadModuleQuery, req.query, 'query');
    res.json(await readModule(db, viewerOf(req), path, query));
  });

  router.post('/modules/*path', async (req, res) => {
    const { path } = moduleTarget(req, ['copy']);
    const caller = requireUser(req);
    const request = parseRequest(CopyModuleRequest, req.body, 'body');
    const { saved, warnings } = await copyModule(db, caller, path, request);
    res.status(201).json({ saved: saved[0], warnings });
  });

  router.put('/modules/*path', async (req, res) => {
    const { path } = moduleTarget(req);
    const author = requireUser(req);
    const { document, comment } = documentFromRequest(req, path);
    const { saved, warnings } = await saveModules(db, author, [document], {
      comment,
      mode: 'save',
    });
    res.status(saved[0]?.created ? 201 : 200).json({ saved: saved[0], warnings });
  });

  router.patch('/modules/*path', async (req, res) => {
    const { path } = moduleTarget(req);
    const caller = requireUser(req);
    const { publicRead } = parseRequest(UpdateModuleRequest, req.body, 'body');
    res.json({ module: await setModulePublicRead(db, caller, path, publicRead) });
  });

  router.delete('/modules/*path', async (req, res) => {
    const { path } = moduleTarget(req);
    await deleteModule(db, requireUser(req), path);
    res.status(204).end();
  });

  return router;
}
