import { RunIdParam } from '@slipway/contracts';
import { Router } from 'express';
import { requireUser } from '../auth/authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parseRequest } from '../http/parse-request.js';
import type { Draining } from './draining.js';
import { streamRunEvents, streamUserEvents } from './stream-run-events.js';

/** Server-Sent Events for browsers: a run's live view, and the caller's run list. */
export function liveRoutes(deps: ApiDeps, draining: Draining): Router {
  const router = Router();
  router.get('/runs/:id/stream', async (req, res) => {
    const user = requireUser(req);
    const { id } = parseRequest(RunIdParam, req.params, 'path');
    await streamRunEvents(deps, draining, user, id, res);
  });
  router.get('/events', async (req, res) => {
    await streamUserEvents(deps, draining, requireUser(req), res);
  });
  return router;
}
