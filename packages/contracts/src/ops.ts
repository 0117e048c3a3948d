import { z } from 'zod';

/*
 * The operations endpoints, outside /api: liveness and readiness for a load balancer or
 * orchestrator, metrics for Prometheus.
 */

/** `GET /healthz`: the process answers. */
export const HealthResponse = z.object({ ok: z.literal(true) });

/**
 * `GET /readyz`: 200 when PostgreSQL and Redis answer; 503 when one does not (`database`,
 * `redis` say which) or the process is shutting down (`reason`).
 */
export const ReadinessResponse = z.object({
  ok: z.boolean(),
  database: z.boolean().optional(),
  redis: z.boolean().optional(),
  reason: z.string().optional(),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;

/** `GET /metrics`: the Prometheus text exposition format. */
export const MetricsText = z.string();

/** `GET /api/openapi.json`: an OpenAPI 3.1 document, built from the API catalog. */
export const ApiDescription = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});
