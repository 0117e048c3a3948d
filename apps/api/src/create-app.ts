import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import { authenticate } from './auth/authenticate.js';
import { authRoutes } from './auth/auth-routes.js';
import type { ApiDeps } from './deps.js';
import { errorMiddleware, notFoundRoute } from './http/error-middleware.js';
import { Draining } from './live/draining.js';
import { liveRoutes } from './live/live-routes.js';
import { machineRoutes } from './machine/machine-routes.js';
import { moduleRoutes } from './modules/module-routes.js';
import { openApiRoutes } from './openapi/openapi-routes.js';
import { reportRoutes } from './reports/report-routes.js';
import { runRoutes } from './runs/run-routes.js';
import { createMetrics, measureRequests, opsRoutes } from './ops/ops-routes.js';

export interface ApiApp {
  app: Express;
  /** Marks the app as draining: /readyz answers 503 and long polls end early. */
  beginShutdown(): void;
}

export function createApp(deps: ApiDeps): ApiApp {
  let shuttingDown = false;
  const draining = new Draining();
  const metrics = createMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }),
  );
  app.use(measureRequests(metrics));
  app.use(opsRoutes(deps, metrics, () => shuttingDown));

  const api = express.Router();
  api.use(express.json({ limit: '2mb' }));
  api.use(authenticate(deps.db));
  api.use(authRoutes(deps));
  api.use(reportRoutes(deps));
  api.use(moduleRoutes(deps));
  api.use(runRoutes(deps));
  api.use(machineRoutes(deps, draining), liveRoutes(deps, draining));
  api.use(openApiRoutes());
  api.use(notFoundRoute);
  app.use('/api', api);

  // The SPA in production: its files, and index.html for any other GET, so client-side
  // routes survive a reload.
  const web = deps.config.webDir;
  if (web && existsSync(join(web, 'index.html'))) {
    app.use(express.static(web, { index: false }));
    app.get(/^(?!\/api\/).*/, (_req, res) => res.sendFile(join(web, 'index.html')));
  }

  app.use(errorMiddleware(deps.logger));
  return {
    app,
    beginShutdown() {
      shuttingDown = true;
      draining.begin();
    },
  };
}
