import { RunState } from '@slipway/domain';
import { z } from 'zod';

/*
 * Live events for browsers, as Server-Sent Events:
 *
 *   GET /api/runs/:id/stream   `event: snapshot` (LiveRunSnapshot) first, then every change
 *                              of the run as `event: <type>` with the LiveRunMessage as data.
 *   GET /api/events            the caller's run list changes: `event: run` (LiveUserMessage).
 *
 * Events carry no id: a reconnecting EventSource receives a fresh snapshot, which replaces
 * whatever it missed.
 */

export const LiveInstance = z.object({
  name: z.string(),
  node: z.string(),
  index: z.number().int(),
  /** The instance's `state` key. */
  state: z.string().nullable(),
  /** Free text a machine shows on the dashboard (ss-display). */
  statecustom: z.string().nullable(),
});
export type LiveInstance = z.infer<typeof LiveInstance>;

export const LiveRunSnapshot = z.object({
  runId: z.uuid(),
  state: RunState,
  /** The first abort message, null when the run is not aborted. */
  abort: z.string().nullable(),
  /** By node name, then instance number. */
  instances: z.array(LiveInstance),
});
export type LiveRunSnapshot = z.infer<typeof LiveRunSnapshot>;

/** What happens in a run, as it happens; the SSE event name is `type`. */
export const LiveRunMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('parameter'), key: z.string(), value: z.string().nullable() }),
  z.object({ type: z.literal('state'), state: RunState }),
  /** `message` null: the abort flag was cleared (ss-abort --cancel). */
  z.object({ type: z.literal('abort'), message: z.string().nullable() }),
  z.object({
    type: z.literal('log'),
    instance: z.string(),
    stream: z.enum(['stdout', 'stderr']),
    lines: z.array(z.string()),
  }),
  z.object({
    type: z.literal('event'),
    kind: z.string(),
    instance: z.string().nullable(),
    message: z.string(),
  }),
]);
export type LiveRunMessage = z.infer<typeof LiveRunMessage>;

export const LIVE_RUN_EVENTS = ['snapshot', 'parameter', 'state', 'abort', 'log', 'event'] as const;

/** The caller's run list changed: a run of theirs entered `state`. */
export const LiveUserMessage = z.object({
  type: z.literal('run'),
  runId: z.string(),
  state: RunState,
});
export type LiveUserMessage = z.infer<typeof LiveUserMessage>;

/** Seconds between keep-alive comments, so proxies do not close an idle stream. */
export const LIVE_KEEP_ALIVE_SECONDS = 15;
