import { JOBS, RUNS_QUEUE } from '@slipway/contracts';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OrchestratorDeps } from './deps.js';
import { driveRun } from './drive-run.js';

/**
 * The BullMQ worker: one job per run, held for as long as the run needs driving. If this
 * process dies, BullMQ notices the lost lock and hands the job to another worker, which
 * carries the run on from PostgreSQL.
 */
export function startRunWorker(
  deps: OrchestratorDeps,
  connection: Redis,
): { worker: Worker; stop(): Promise<void> } {
  const stopping = new AbortController();
  const worker = new Worker(
    RUNS_QUEUE,
    async (job: Job, token?: string) => {
      const { runId } = JOBS.advanceRun.payload.parse(job.data);
      const outcome = await driveRun(deps, runId, stopping.signal);
      if (outcome === 'stopped') {
        // Shutting down: hand the run back to the queue for another worker, right away.
        await job.moveToDelayed(Date.now() + 500, token);
        throw new DelayedError();
      }
    },
    {
      connection,
      prefix: deps.config.redisPrefix,
      concurrency: deps.config.concurrency,
      name: deps.config.workerId,
      lockDuration: deps.config.jobLockMs,
      stalledInterval: Math.round(deps.config.jobLockMs / 2),
      // A run's job lives as long as the run; a crashed worker is not the job's fault.
      maxStalledCount: 1000,
    },
  );
  worker.on('failed', (job, error) =>
    deps.logger.error({ err: error, runId: job?.data?.runId }, 'run job failed'),
  );
  worker.on('error', (error) => deps.logger.error({ err: error }, 'worker error'));
  return {
    worker,
    async stop() {
      stopping.abort();
      await worker.close();
    },
  };
}
