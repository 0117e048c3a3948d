/**
 * The machine commands (ss-get, ss-set, …) turn HTTP statuses into SlipStream's exit codes
 * one-to-one. The shell scripts carry the same table; this copy documents it and is tested
 * against them.
 */
export const EXIT_CODES = {
  ok: 0,
  notSet: 1,
  usage: 2,
  network: 4,
  server: 5,
  security: 6,
  client: 7,
  aborted: 8,
  timeout: 9,
} as const;

export const STATUS_TO_EXIT: Record<number, number> = {
  200: EXIT_CODES.ok,
  204: EXIT_CODES.notSet,
  400: EXIT_CODES.usage,
  401: EXIT_CODES.security,
  403: EXIT_CODES.security,
  404: EXIT_CODES.client,
  413: EXIT_CODES.client,
  429: EXIT_CODES.client,
  409: EXIT_CODES.aborted,
  408: EXIT_CODES.timeout,
  500: EXIT_CODES.server,
  503: EXIT_CODES.server,
};
