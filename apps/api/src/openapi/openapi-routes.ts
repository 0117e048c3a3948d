import { openApiDocument } from '@slipway/contracts';
import { Router } from 'express';

/** `GET /api/openapi.json`: this API as an OpenAPI 3.1 document, for anyone. */
export function openApiRoutes(): Router {
  const router = Router();
  // Built once per app: the catalog does not change while the process runs.
  const document = openApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
