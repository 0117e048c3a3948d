import type { RunState } from '@slipway/domain';

/**
 * What travels on a run's channel between processes. Every API process relays these to
 * its long polls and its browsers' event streams.
 */
export type RunMessage =
  | { type: 'parameter'; key: string; value: string | null }
  | { type: 'state'; state: RunState }
  /** `message` null means the abort flag was cleared (ss-abort --cancel). */
  | { type: 'abort'; message: string | null }
  | { type: 'log'; instance: string; stream: 'stdout' | 'stderr'; lines: string[] }
  | { type: 'event'; kind: string; instance: string | null; message: string };

/** What travels on a user's channel: their run list changed. */
export type UserMessage = { type: 'run'; runId: string; state: RunState };

export const runChannel = (runId: string) => `run:${runId}`;
export const userChannel = (userId: string) => `user:${userId}`;
