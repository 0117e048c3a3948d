import { z } from 'zod';

/**
 * Every error the API answers with has one of these codes. The table is the only place
 * that decides an HTTP status; clients (CLI, SPA, machine commands) switch on the code.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_module: 400,
  invalid_run: 400,
  unauthenticated: 401,
  csrf: 403,
  forbidden: 403,
  not_found: 404,
  unknown_key: 404,
  conflict: 409,
  run_aborted: 409,
  run_finished: 409,
  timeout: 408,
  payload_too_large: 413,
  quota_exceeded: 429,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const ProblemBody = z.object({
  module: z.string().optional(),
  at: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  line: z.number().optional(),
});

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    /** Safe to show to the user as is. */
    message: z.string(),
    /** Every problem found in the input, when the error is about a document or request. */
    problems: z.array(ProblemBody).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
