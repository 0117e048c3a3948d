import { z } from 'zod';

/**
 * The queue catalog: every job Slipway puts on BullMQ, with its payload schema and options.
 * Producer (API) and consumer (orchestrator) import this one file. New payload fields are
 * optional so that jobs already in flight survive a rolling deploy.
 */
export const RUNS_QUEUE = 'runs';

export const JOBS = {
  /** Walk a run through its state machine until it ends or waits on machines. */
  advanceRun: {
    name: 'advance-run',
    payload: z.object({ runId: z.uuid() }),
    options: { attempts: 5, backoff: { type: 'exponential' as const, delay: 1000 } },
  },
} as const;

export type JobPayload<K extends keyof typeof JOBS> = z.infer<(typeof JOBS)[K]['payload']>;
