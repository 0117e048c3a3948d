import {
  AbortRunRequest,
  LaunchRunRequest,
  ListRunsQuery,
  RunEventsQuery,
  RunIdParam,
} from '@slipway/contracts';
import { Router } from 'express';
import { requireUser } from '../auth/authenticate.js';
import { cloudRoutes } from '../clouds/cloud-routes.js';
import type { ApiDeps } from '../deps.js';
import { parseRequest } from '../http/parse-request.js';
import { profileRoutes } from '../profile/profile-routes.js';
import { launchRun } from './launch-run.js';
import { listRuns, readRun, readRunEvents, readRunParameters } from './read-runs.js';
import { stopRun } from './stop-run.js';

/** Runs, and the clouds, quotas and profile settings a launch depends on. */
export function runRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();
  router.use(cloudRoutes(deps));
  router.use(profileRoutes(deps));

  router.post('/runs', async (req, res) => {
    const user = requireUser(req);
    const request = parseRequest(LaunchRunRequest, req.body, 'body');
    res.status(201).json(await launchRun(deps, user, request));
  });

  router.get('/runs', async (req, res) => {
    const user = requireUser(req);
    res.json(await listRuns(db, user, parseRequest(ListRunsQuery, req.query, 'query')));
  });

  router.get('/runs/:id', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseRequest(RunIdParam, req.params, 'path');
    res.json({ run: await readRun(db, user, id) });
  });

  router.get('/runs/:id/parameters', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseRequest(RunIdParam, req.params, 'path');
    res.json({ parameters: await readRunParameters(db, user, id) });
  });

  router.get('/runs/:id/events', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseRequest(RunIdParam, req.params, 'path');
    const page = parseRequest(RunEventsQuery, req.query, 'query');
    res.json(await readRunEvents(db, user, id, page));
  });

  router.post('/runs/:id/abort', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseRequest(RunIdParam, req.params, 'path');
    const { message } = parseRequest(AbortRunRequest, req.body ?? {}, 'body');
    const event = { type: 'abort' as const, message: message ?? `aborted by ${user.email}` };
    res.json({ run: await stopRun(deps, user, id, event) });
  });

  router.post('/runs/:id/terminate', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseRequest(RunIdParam, req.params, 'path');
    res.json({ run: await stopRun(deps, user, id, { type: 'terminate' }) });
  });

  return router;
}
