import type {
  ListRunsQuery,
  ListRunsResponse,
  RunDetail,
  RunEventsResponse,
  RunInstance,
  RunParameter,
  RunSummary,
} from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import type { KeepRunning, RunState, RunStatus } from '@slipway/domain';
import { and, asc, count, desc, eq, gt, like, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AppError, invalid, notFound } from '../app-error.js';
import type { Viewer } from '../modules/module-access.js';

const { runs, users, instances, runParameters, runEvents } = schema;
type RunRow = typeof runs.$inferSelect;
type RunWithOwner = { run: RunRow; ownerEmail: string };

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);

function summaryOf({ run, ownerEmail }: RunWithOwner): RunSummary {
  return {
    id: run.id,
    owner: { id: run.ownerId, email: ownerEmail },
    kind: run.kind,
    module: run.modulePath,
    moduleVersion: run.moduleVersion,
    state: run.state as RunState,
    outcome: run.outcome,
    abortMessage: run.abortMessage,
    keepRunning: run.keepRunning as KeepRunning,
    timeoutMinutes: run.timeoutMinutes,
    tags: run.tags,
    createdAt: iso(run.createdAt),
    startedAt: isoOrNull(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
  };
}

const withOwner = { run: runs, ownerEmail: users.email };

/**
 * A run its owner or an administrator asks for. To anyone else it does not exist, so run
 * ids of other users cannot be probed.
 */
export async function findVisibleRun(
  db: Database,
  viewer: Viewer,
  runId: string,
): Promise<RunWithOwner> {
  const [found] = await db
    .select(withOwner)
    .from(runs)
    .innerJoin(users, eq(users.id, runs.ownerId))
    .where(eq(runs.id, runId));
  if (!found || (!viewer.isAdmin && found.run.ownerId !== viewer.id))
    throw notFound(`run ${runId}`);
  return found;
}

export async function readRunSummary(
  db: Database,
  viewer: Viewer,
  runId: string,
): Promise<RunSummary> {
  return summaryOf(await findVisibleRun(db, viewer, runId));
}

function ownerCondition(viewer: Viewer, owner: string | undefined): SQL | undefined {
  if (!viewer.isAdmin) {
    if (owner !== undefined && owner !== viewer.id)
      throw new AppError('forbidden', "only an administrator can list other users' runs");
    return eq(runs.ownerId, viewer.id);
  }
  if (owner === undefined) return undefined;
  if (owner.includes('@')) return eq(users.email, owner.trim().toLowerCase());
  if (!z.uuid().safeParse(owner).success) {
    throw invalid('invalid_request', [
      { at: ['query', 'owner'], message: `"${owner}" is neither a user id nor an e-mail address` },
    ]);
  }
  return eq(runs.ownerId, owner);
}

/** The viewer's runs (every run, for an administrator), newest first. */
export async function listRuns(
  db: Database,
  viewer: Viewer,
  query: ListRunsQuery,
): Promise<ListRunsResponse> {
  const where = and(
    ownerCondition(viewer, query.owner),
    query.module === undefined ? undefined : eq(runs.modulePath, query.module),
    query.state === undefined ? undefined : eq(runs.state, query.state),
  );
  const [rows, [total]] = await Promise.all([
    db
      .select(withOwner)
      .from(runs)
      .innerJoin(users, eq(users.id, runs.ownerId))
      .where(where)
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    db
      .select({ total: count() })
      .from(runs)
      .innerJoin(users, eq(users.id, runs.ownerId))
      .where(where),
  ]);
  return {
    runs: rows.map(summaryOf),
    page: query.page,
    pageSize: query.pageSize,
    total: total?.total ?? 0,
  };
}

/** `testsuite-2:url.ssh` → ['testsuite-2', 'url.ssh']; instance names hold no colon. */
function splitKey(key: string): [string, string] {
  const colon = key.indexOf(':');
  return [key.slice(0, colon), key.slice(colon + 1)];
}

/** The run with its instances, what they show on the dashboard, and the states it went through. */
export async function readRun(db: Database, viewer: Viewer, runId: string): Promise<RunDetail> {
  const found = await findVisibleRun(db, viewer, runId);
  const { run } = found;
  const [instanceRows, shown, states] = await Promise.all([
    db
      .select()
      .from(instances)
      .where(eq(instances.runId, runId))
      .orderBy(asc(instances.node), asc(instances.index)),
    db
      .select({ key: runParameters.key, value: runParameters.value })
      .from(runParameters)
      .where(
        and(
          eq(runParameters.runId, runId),
          or(
            like(runParameters.key, '%:hostname'),
            like(runParameters.key, '%:statecustom'),
            like(runParameters.key, '%:url.%'),
          ),
        ),
      ),
    db
      .select({ state: runEvents.message, at: runEvents.at })
      .from(runEvents)
      .where(and(eq(runEvents.runId, runId), eq(runEvents.kind, 'state')))
      .orderBy(asc(runEvents.id)),
  ]);
  const values = new Map<string, Map<string, string>>();
  for (const { key, value } of shown) {
    if (value === null) continue;
    const [instance, name] = splitKey(key);
    const own = values.get(instance) ?? new Map<string, string>();
    own.set(name, value);
    values.set(instance, own);
  }
  const status = run.status as RunStatus;
  const instanceViews: RunInstance[] = instanceRows.map((row) => {
    const progress = Object.hasOwn(status.instances, row.name)
      ? status.instances[row.name]
      : undefined;
    const own = values.get(row.name) ?? new Map<string, string>();
    return {
      name: row.name,
      node: row.node,
      index: row.index,
      cloud: row.cloud,
      completed: progress?.completed ?? null,
      failed: progress?.failed ?? false,
      gone: (progress?.gone ?? false) || row.releasedAt !== null,
      statecustom: own.get('statecustom') ?? null,
      hostname: own.get('hostname') ?? null,
      urls: Object.fromEntries([...own].filter(([key]) => key.startsWith('url.'))),
    };
  });
  return {
    ...summaryOf(found),
    moduleVersions: run.moduleVersions as Record<string, number>,
    overrides: run.overrides,
    deadlineAt: isoOrNull(run.deadlineAt),
    instances: instanceViews,
    // Runs are created Initializing; the events record each later state.
    history: [
      { state: 'Initializing', at: iso(run.createdAt) },
      ...states.map(({ state, at }) => ({ state: state as RunState, at: iso(at) })),
    ],
  };
}

/** ss: keys first, then by node and instance number (server-2 before server-10). */
function compareKeys(a: string, b: string): number {
  const global = Number(b.startsWith('ss:')) - Number(a.startsWith('ss:'));
  return global !== 0 ? global : a.localeCompare(b, 'en', { numeric: true });
}

/**
 * The value a follower shows: that of the key it follows; for `node:*:key`, every instance's
 * value comma-separated once all are set.
 */
function followedValue(values: Map<string, string | null>, follows: string): string | null {
  const parts = follows.split(':');
  if (parts.length !== 3 || parts[1] !== '*') return values.get(follows) ?? null;
  const [node, , key] = parts as [string, string, string];
  const ids = values.get(`${node}:ids`);
  if (!ids) return null;
  const all = ids.split(',').map((index) => values.get(`${node}-${index}:${key}`) ?? null);
  return all.every((value) => value !== null) ? all.join(',') : null;
}

/** The run's parameter table, as the machines see it. */
export async function readRunParameters(
  db: Database,
  viewer: Viewer,
  runId: string,
): Promise<RunParameter[]> {
  await findVisibleRun(db, viewer, runId);
  const rows = await db.select().from(runParameters).where(eq(runParameters.runId, runId));
  const values = new Map(rows.map((row) => [row.key, row.value]));
  return rows
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((row) =>
      row.follows === null
        ? { key: row.key, value: row.value, updatedAt: iso(row.updatedAt) }
        : {
            key: row.key,
            value: followedValue(values, row.follows) ?? row.value,
            follows: row.follows,
            updatedAt: iso(row.updatedAt),
          },
    );
}

/** A page of the run's event log, oldest first, after the event id the caller has. */
export async function readRunEvents(
  db: Database,
  viewer: Viewer,
  runId: string,
  page: { after: number; limit: number },
): Promise<RunEventsResponse> {
  await findVisibleRun(db, viewer, runId);
  const rows = await db
    .select()
    .from(runEvents)
    .where(and(eq(runEvents.runId, runId), gt(runEvents.id, page.after)))
    .orderBy(asc(runEvents.id))
    .limit(page.limit + 1);
  return {
    events: rows.slice(0, page.limit).map((row) => ({
      id: row.id,
      at: iso(row.at),
      kind: row.kind,
      instance: row.instance,
      message: row.message,
      data: row.data,
    })),
    hasMore: rows.length > page.limit,
  };
}
