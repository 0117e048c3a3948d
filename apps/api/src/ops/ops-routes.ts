import { sql } from 'drizzle-orm';
import { Router, type RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { ApiDeps } from '../deps.js';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'slipway_api_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'slipway_api_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'slipway_api_http_request_seconds',
      help: 'Time to answer an HTTP request (long polls included)',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60],
      registers: [registry],
    }),
  };
}

/** Counts each request under its route pattern, not its URL, so label cardinality stays bounded. */
export function measureRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const labels = { method: req.method, route: `${req.baseUrl}${String(route)}` };
      stop(labels);
      metrics.httpRequests.inc({ ...labels, status: String(res.statusCode) });
    });
    next();
  };
}

export function opsRoutes(deps: ApiDeps, metrics: Metrics, isShuttingDown: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    if (isShuttingDown()) return res.status(503).json({ ok: false, reason: 'shutting down' });
    const checks = await Promise.allSettled([deps.db.execute(sql`select 1`), deps.redis.ping()]);
    const [database, redis] = checks.map((check) => check.status === 'fulfilled');
    res.status(database && redis ? 200 : 503).json({ ok: database && redis, database, redis });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}
