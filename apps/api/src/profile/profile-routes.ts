import {
  CloudCredentialsParam,
  PutCloudCredentialsRequest,
  UpdateProfileRequest,
} from '@slipway/contracts';
import { Router } from 'express';
import { requireUser } from '../auth/authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parseRequest } from '../http/parse-request.js';
import {
  deleteCloudCredentials,
  listCloudCredentials,
  saveCloudCredentials,
} from './cloud-credentials.js';
import { readProfile, updateProfile } from './profile.js';

export function profileRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/me/profile', async (req, res) => {
    res.json({ profile: await readProfile(db, requireUser(req).id) });
  });

  router.patch('/me', async (req, res) => {
    const user = requireUser(req);
    const input = parseRequest(UpdateProfileRequest, req.body, 'body');
    res.json({ profile: await updateProfile(db, user.id, input) });
  });

  router.get('/me/credentials', async (req, res) => {
    res.json({ credentials: await listCloudCredentials(db, requireUser(req).id) });
  });

  router.put('/me/credentials/:cloud', async (req, res) => {
    const user = requireUser(req);
    const { cloud } = parseRequest(CloudCredentialsParam, req.params, 'path');
    const fields = parseRequest(PutCloudCredentialsRequest, req.body, 'body');
    const saved = await saveCloudCredentials(db, deps.secretKey, user.id, cloud, fields);
    res.json({ credentials: saved });
  });

  router.delete('/me/credentials/:cloud', async (req, res) => {
    const user = requireUser(req);
    const { cloud } = parseRequest(CloudCredentialsParam, req.params, 'path');
    await deleteCloudCredentials(db, user.id, cloud);
    res.status(204).end();
  });

  return router;
}
