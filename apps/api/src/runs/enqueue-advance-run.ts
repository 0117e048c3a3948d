import { JOBS, runJobId } from '@slipway/contracts';
import type { Queue } from 'bullmq';

/**
 * Asks an orchestrator worker to drive the run. A run has one job (its id is the run id):
 * while a worker drives it, this does nothing — the worker already follows every change
 * of the run through Redis — and after the job ended (Ready, or a crash the sweeper
 * mends) it starts a new one.
 */
export async function enqueueAdvanceRun(queue: Queue, runId: string): Promise<void> {
  const { name, payload, options } = JOBS.advanceRun;
  await queue.add(name, payload.parse({ runId }), { ...options, jobId: runJobId(runId) });
}
