import { KeepRunning, MAX_VALUE_BYTES, RunState } from '@slipway/domain';
import { z } from 'zod';
import { ProblemBody } from './errors.js';

/*
 * Runs over the wire: launching, listing, reading, aborting and terminating. Dates travel as
 * ISO 8601 strings.
 */

const Timestamp = z.iso.datetime();
export const MAX_RUN_TIMEOUT_MINUTES = 7 * 24 * 60;
export const RunTimeoutMinutes = z
  .number()
  .int('a run timeout is a whole number of minutes')
  .min(1, 'a run timeout is at least 1 minute')
  .max(MAX_RUN_TIMEOUT_MINUTES, `a run timeout is at most ${MAX_RUN_TIMEOUT_MINUTES} minutes`);

/**
 * What a user chooses at launch. Node names, multiplicities and parameter names are checked
 * against the deployment, so those problems come back as `invalid_run` with their node.
 */
export const LaunchRunRequest = z.strictObject({
  /** `path` (the latest version) or `path@version`: a deployment, or an image to run alone. */
  module: z.string().min(1).max(600),
  /** node → number of instances */
  multiplicity: z.record(z.string(), z.number()).optional(),
  /** node → parameter → value */
  parameters: z
    .record(z.string(), z.record(z.string(), z.string().max(MAX_VALUE_BYTES)))
    .optional(),
  /**
   * node → cloud, or one cloud name: the run's default cloud, used by every node whose
   * deployment names no cloud (instead of the user's default cloud).
   */
  cloud: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  keepRunning: KeepRunning.optional(),
  timeoutMinutes: RunTimeoutMinutes.optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
});
export type LaunchRunRequest = z.infer<typeof LaunchRunRequest>;

/** The `{id}` of every `/api/runs/{id}/…` route. */
export const RunIdParam = z.object({ id: z.uuid('not a run id') });

export const RunKind = z.enum(['deployment', 'image', 'build']);

export const RunSummary = z.object({
  id: z.uuid(),
  owner: z.object({ id: z.uuid(), email: z.string() }),
  kind: RunKind,
  module: z.string(),
  moduleVersion: z.number().int(),
  state: RunState,
  outcome: z.enum(['success', 'failed']).nullable(),
  abortMessage: z.string().nullable(),
  keepRunning: KeepRunning,
  timeoutMinutes: z.number().int(),
  tags: z.array(z.string()),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const LaunchRunResponse = z.object({
  run: RunSummary,
  /** Not errors: e.g. an input with neither mapping nor default. */
  warnings: z.array(ProblemBody),
});
export type LaunchRunResponse = z.infer<typeof LaunchRunResponse>;

export const ListRunsQuery = z.strictObject({
  /** A module path: runs of that module only. */
  module: z.string().min(1).optional(),
  state: RunState.optional(),
  /** Administrators only: a user id or e-mail address. */
  owner: z.string().min(1).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListRunsQuery = z.infer<typeof ListRunsQuery>;

export const ListRunsResponse = z.object({
  runs: z.array(RunSummary),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
});
export type ListRunsResponse = z.infer<typeof ListRunsResponse>;

export const RunInstance = z.object({
  name: z.string(),
  node: z.string(),
  index: z.number().int(),
  cloud: z.string(),
  /** The last state this instance completed (from the run's status). */
  completed: RunState.nullable(),
  /** A target exited non-zero. */
  failed: z.boolean(),
  /** Provisioning failed (tolerated) or the machine was released. */
  gone: z.boolean(),
  statecustom: z.string().nullable(),
  hostname: z.string().nullable(),
  /** Every url.* parameter that is set, by key ('url.ssh', 'url.service', …). */
  urls: z.record(z.string(), z.string()),
});
export type RunInstance = z.infer<typeof RunInstance>;

export const RunDetail = RunSummary.extend({
  moduleVersions: z.record(z.string(), z.number().int()),
  overrides: z.unknown(),
  deadlineAt: Timestamp.nullable(),
  instances: z.array(RunInstance),
  /** Every state the run entered, oldest first. */
  history: z.array(z.object({ state: RunState, at: Timestamp })),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RunDetailResponse = z.object({ run: RunDetail });

export const RunParameter = z.object({
  key: z.string(),
  /** For an input that follows another key: that key's value, once set. */
  value: z.string().nullable(),
  follows: z.string().optional(),
  updatedAt: Timestamp,
});
export type RunParameter = z.infer<typeof RunParameter>;

export const RunParametersResponse = z.object({ parameters: z.array(RunParameter) });
export type RunParametersResponse = z.infer<typeof RunParametersResponse>;

export const RunEventsQuery = z.strictObject({
  /** Only events after this id: pass the last id you have. */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** One entry of a run's event log (not the state machine's RunEvent). */
export const RunLogEvent = z.object({
  id: z.number().int(),
  at: Timestamp,
  kind: z.string(),
  instance: z.string().nullable(),
  message: z.string(),
  data: z.unknown(),
});

export const RunEventsResponse = z.object({
  events: z.array(RunLogEvent),
  /** More events follow the last one returned. */
  hasMore: z.boolean(),
});
export type RunEventsResponse = z.infer<typeof RunEventsResponse>;

export const AbortRunRequest = z.strictObject({
  message: z.string().min(1).max(MAX_VALUE_BYTES).optional(),
});

export const RunResponse = z.object({ run: RunSummary });
export type RunResponse = z.infer<typeof RunResponse>;
