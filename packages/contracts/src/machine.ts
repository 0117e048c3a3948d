import { MAX_VALUE_BYTES, RunState } from '@slipway/domain';
import { z } from 'zod';

/*
 * The API the machines of a run call (ss-get, ss-set, ss-abort, the bootstrap's state loop).
 * Written for POSIX sh + curl: a parameter's value travels as a text/plain body, every
 * outcome is told by the HTTP status (see machine-exit-codes.ts), errors carry the usual
 * JSON error body.
 *
 *   GET    /api/machine/parameters/<reference>?wait=S&ignoreAbort=1
 *          200 value | 204 not set (no wait) | 400 bad reference | 404 unknown key
 *          408 still not set after the wait | 409 run aborted | 503 API shutting down
 *   PUT    /api/machine/parameters/<key>   body: the value (text/plain, ≤ 4096 bytes UTF-8)
 *          200 | 403 not this instance's key | 404 unknown key | 413 value too large
 *   POST   /api/machine/abort      AbortRequest (JSON, or the message as text/plain) → MachineState
 *   DELETE /api/machine/abort      → MachineState
 *   POST   /api/machine/complete   CompleteRequest → MachineState
 *   GET    /api/machine/state?wait=S&known=<state>   → MachineState | 408
 *   POST   /api/machine/logs       LogLines (JSON), or raw text/plain output ?stream=&target=,
 *          read as it arrives (a whole target's log streams in one request)
 *          → LogLinesAccepted
 */

/** `1`/`true` and `0`/`false`, the way a shell script writes a flag in a query string. */
const Flag = z
  .enum(['0', '1', 'true', 'false'], { error: 'a flag is 1, 0, true or false' })
  .transform((flag) => flag === '1' || flag === 'true');

/** Seconds a long poll may wait; the API caps it at its configured maximum. */
const WaitSeconds = z.coerce
  .number({ error: 'wait is a number of seconds' })
  .min(0, 'wait is at least 0 seconds')
  .max(86_400, 'wait is at most 86400 seconds');

export const ParameterQuery = z.object({
  /** Absent or 0: answer at once (204 when not set). */
  wait: WaitSeconds.optional(),
  /** Answer even when the run is aborted (ss-get --ignore-abort). */
  ignoreAbort: Flag.optional(),
});
export type ParameterQuery = z.infer<typeof ParameterQuery>;

/** `{reference}`: a key of the caller's instance (`port`), of another (`apache.1:port`), or every instance of a node (`apache:port`). */
export const ParameterReferenceParam = z.object({ reference: z.string().min(1) });

/**
 * A parameter's value as it travels: the text/plain answer of ss-get and the body of ss-set,
 * at most MAX_VALUE_BYTES bytes of UTF-8 (the API counts bytes, not characters).
 */
export const ParameterValue = z.string();

export const MachineState = z.object({
  /** ss:state: the state every machine of the run is in or moving to. */
  state: RunState,
  /** ss:abort: the first abort message, null when the run is not aborted. */
  abort: z.string().nullable(),
});
export type MachineState = z.infer<typeof MachineState>;

export const StateQuery = z.object({
  wait: WaitSeconds.optional(),
  /** The state the machine already knows: answer once ss:state differs from it. Empty: none. */
  known: z.preprocess((known) => (known === '' ? undefined : known), RunState.optional()),
});
export type StateQuery = z.infer<typeof StateQuery>;

/** As JSON, or the message alone as a text/plain body (what ss-abort sends). */
export const AbortRequest = z.object({
  /** Absent or empty: a message naming the instance is used. */
  message: z
    .string()
    .max(MAX_VALUE_BYTES, `an abort message has at most ${MAX_VALUE_BYTES} characters`)
    .optional(),
});
export type AbortRequest = z.infer<typeof AbortRequest>;

export const CompleteRequest = z.object({
  /** The state whose target the instance finished; a stale one is ignored. */
  state: RunState,
  /** The target's exit code; non-zero marks the instance failed and the run Failing. */
  exitCode: z.number().int().min(0).max(255).optional(),
});
export type CompleteRequest = z.infer<typeof CompleteRequest>;

export const MAX_LOG_LINES = 1000;
export const MAX_LOG_LINE_LENGTH = 8192;

/** As JSON; or a text/plain body of raw output with LogQuery (what the bootstrap sends). */
export const LogLines = z.object({
  stream: z.enum(['stdout', 'stderr']),
  lines: z
    .array(
      z
        .string()
        .max(MAX_LOG_LINE_LENGTH, `a log line has at most ${MAX_LOG_LINE_LENGTH} characters`),
    )
    .max(MAX_LOG_LINES, `send at most ${MAX_LOG_LINES} lines at a time`),
});
export type LogLines = z.infer<typeof LogLines>;

export const LogQuery = z.object({
  stream: z.enum(['stdout', 'stderr']).default('stdout'),
  /** The target the output comes from (execute, report, …); informative only. */
  target: z.string().max(64).optional(),
});
export type LogQuery = z.infer<typeof LogQuery>;

export const LogLinesAccepted = z.object({ lines: z.number().int() });
export type LogLinesAccepted = z.infer<typeof LogLinesAccepted>;
