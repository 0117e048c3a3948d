import { z } from 'zod';

/**
 * The queue catalog: every job Slipway puts on BullMQ, with its payload schema and options.
 * Producer (API) and consumer (orchestrator) import this one file. New payload fields are
 * optional so that jobs already in flight survive a rolling deploy.
 */
export const RUNS_QUEUE = 'runs';

export const JOBS = {
  /**
   * Drive a run: one job per run (its id is the run id), held by one worker for as long as
   * the run needs driving. Adding it while it exists does nothing; once it completes its
   * id is free again, so a run that needs driving anew (terminate after Ready) gets a job.
   */
  advanceRun: {
    name: 'advance-run',
    payload: z.object({ runId: z.uuid() }),
    options: {
      attempts: 5,
      backoff: { type: 'exponential' as const, delay: 1000 },
      removeOnComplete: true,
      removeOnFail: true,
    },
  },
} as const;

export type JobPayload<K extends keyof typeof JOBS> = z.infer<(typeof JOBS)[K]['payload']>;

/** The id of a run's job: one job per run, so two workers never drive the same run. */
export const runJobId = (runId: string) => runId;
