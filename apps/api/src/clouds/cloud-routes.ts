import { CloudNameParam, PutCloudRequest, PutQuotaRequest, QuotaParams } from '@slipway/contracts';
import { Router } from 'express';
import { requireAdmin, requireUser } from '../auth/authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parseRequest } from '../http/parse-request.js';
import { listClouds, putCloud, removeUserQuota, setUserQuota } from './clouds.js';

export function cloudRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get('/clouds', async (req, res) => {
    res.json({ clouds: await listClouds(db, requireUser(req)) });
  });

  router.put('/clouds/:name', async (req, res) => {
    requireAdmin(req);
    const { name } = parseRequest(CloudNameParam, req.params, 'path');
    const input = parseRequest(PutCloudRequest, req.body, 'body');
    const { cloud, created } = await putCloud(db, name, input);
    res.status(created ? 201 : 200).json({ cloud });
  });

  router.put('/admin/users/:id/quotas/:cloud', async (req, res) => {
    requireAdmin(req);
    const { id, cloud } = parseRequest(QuotaParams, req.params, 'path');
    const { maxMachines } = parseRequest(PutQuotaRequest, req.body, 'body');
    res.json({ quota: await setUserQuota(db, id, cloud, maxMachines) });
  });

  router.delete('/admin/users/:id/quotas/:cloud', async (req, res) => {
    requireAdmin(req);
    const { id, cloud } = parseRequest(QuotaParams, req.params, 'path');
    await removeUserQuota(db, id, cloud);
    res.status(204).end();
  });

  return router;
}
