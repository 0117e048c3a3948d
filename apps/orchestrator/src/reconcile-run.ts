import { isFinalState, type RunEvent, type RunStatus } from '@slipway/domain';
import { schema } from '@slipway/db';
import {
  applyRunEvent,
  issueMachineToken,
  publishRunMessages,
  runChannel,
  type RunMessage,
} from '@slipway/engine';
import { and, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { OrchestratorDeps } from './deps.js';
import { buildMachineBundle, loadRunImages } from './machine-bundle.js';

/** After an abort, how long machines have to send their reports before the run ends anyway. */
export const REPORT_GRACE_MS = 2 * 60_000;

type RunRow = typeof schema.runs.$inferSelect;
type InstanceRow = typeof schema.instances.$inferSelect;

async function apply(deps: OrchestratorDeps, runId: string, event: RunEvent): Promise<RunStatus> {
  const applied = await applyRunEvent(deps.db, runId, event);
  await publishRunMessages(deps.events, runId, applied);
  return applied.status;
}

/**
 * Whether the run is still in Initializing, read at most once a second however many
 * provisionings ask: an abort during provisioning stops the machines not started yet.
 */
function initializingCheck(deps: OrchestratorDeps, runId: string): () => Promise<boolean> {
  let answer: { at: number; value: Promise<boolean> } | undefined;
  return () => {
    if (!answer || Date.now() - answer.at >= 1000) {
      const value = deps.db
        .select({ state: schema.runs.state })
        .from(schema.runs)
        .where(eq(schema.runs.id, runId))
        .then(([row]) => row?.state === 'Initializing');
      answer = { at: Date.now(), value };
    }
    return answer.value;
  };
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** Sets several parameters of a run in one statement, then tells every process. */
async function setParameters(
  deps: OrchestratorDeps,
  runId: string,
  values: Record<string, string>,
): Promise<void> {
  const entries = Object.entries(values);
  if (entries.length === 0) return;
  const rows = sql.join(
    entries.map(([key, value]) => sql`(${key}, ${value})`),
    sql`, `,
  );
  await deps.db.execute(sql`
    update run_parameters set value = v.value, updated_at = now()
    from (values ${rows}) as v(key, value)
    where run_parameters.run_id = ${runId} and run_parameters.key = v.key`);
  const messages: RunMessage[] = entries.map(([key, value]) => ({ type: 'parameter', key, value }));
  await Promise.all(messages.map((message) => deps.events.publish(runChannel(runId), message)));
}

async function provisionAll(
  deps: OrchestratorDeps,
  run: RunRow,
  status: RunStatus,
  pending: InstanceRow[],
  signal?: AbortSignal,
): Promise<void> {
  const imageOf = await loadRunImages(deps.db, run.moduleVersions as Record<string, number>);
  const byCloud = new Map<string, InstanceRow[]>();
  for (const instance of pending)
    byCloud.set(instance.cloud, [...(byCloud.get(instance.cloud) ?? []), instance]);
  await Promise.all(
    [...byCloud].map(async ([cloudName, instances]) => {
      const cloud = deps.clouds.get(cloudName);
      if (!cloud) {
        for (const instance of instances) {
          await apply(deps, run.id, {
            type: 'provisioningFailed',
            instance: instance.name,
            message: `cloud "${cloudName}" is not configured on this orchestrator`,
          });
        }
        return;
      }
      const initializing = initializingCheck(deps, run.id);
      // Machines a crashed worker started but did not record are adopted, not started twice.
      const existing = new Map(
        (await cloud.connector.describe(run.id)).map((machine) => [machine.instance, machine]),
      );
      await inParallel(
        instances,
        cloud.connector.capabilities().maxParallelProvisioning,
        async (instance) => {
          if (!status.instances[instance.name] || status.instances[instance.name]?.gone) return;
          // A worker shutting down starts no more machines: the next worker adopts the rest.
          if (signal?.aborted) return;
          // Nor does a run that has moved on (an abort): its unstarted instances are abandoned.
          if (!(await initializing())) return;
          const found = existing.get(instance.name);
          // A crashed worker's launch still in flight: the next pass adopts it once it runs,
          // or starts it again if it never does.
          if (found?.starting) return;
          try {
            let machine: { cloudInstanceId: string; hostname: string; urlSsh?: string };
            if (found?.running) {
              machine = found;
            } else {
              if (found) await cloud.connector.terminate([found.cloudInstanceId]);
              const token = await issueMachineToken(deps.db, run.id, instance.name);
              const bundle = await buildMachineBundle({
                image: imageOf(instance.imagePath, instance.imageVersion),
                cloud: cloudName,
                env: {
                  SLIPWAY_API: cloud.machineApiUrl,
                  SLIPWAY_TOKEN: token,
                  SLIPWAY_RUN: run.id,
                  SLIPWAY_INSTANCE: instance.name,
                  SLIPWAY_NODE: instance.node,
                  SLIPWAY_INDEX: String(instance.index),
                },
              });
              machine = await cloud.connector.provision({
                runId: run.id,
                instance: instance.name,
                cloudImageId: bundle.cloudImageId,
                bundle: { files: bundle.files, env: bundle.env },
              });
            }
            await deps.db
              .update(schema.instances)
              .set({ cloudInstanceId: machine.cloudInstanceId, provisionedAt: new Date() })
              .where(
                and(eq(schema.instances.runId, run.id), eq(schema.instances.name, instance.name)),
              );
            await setParameters(deps, run.id, {
              [`${instance.name}:hostname`]: machine.hostname,
              [`${instance.name}:instanceid`]: machine.cloudInstanceId,
              ...(machine.urlSsh && { [`${instance.name}:url.ssh`]: machine.urlSsh }),
            });
          } catch (error) {
            deps.logger.warn(
              { err: error, runId: run.id, instance: instance.name },
              'provisioning failed',
            );
            await apply(deps, run.id, {
              type: 'provisioningFailed',
              instance: instance.name,
              message: (error as Error).message,
            });
          }
        },
      );
    }),
  );
}

async function releaseMachines(
  deps: OrchestratorDeps,
  runId: string,
  instances: InstanceRow[],
): Promise<void> {
  const byCloud = new Map<string, InstanceRow[]>();
  for (const instance of instances)
    byCloud.set(instance.cloud, [...(byCloud.get(instance.cloud) ?? []), instance]);
  for (const [cloudName, group] of byCloud) {
    const cloud = deps.clouds.get(cloudName);
    if (!cloud) {
      deps.logger.error(
        { runId, cloud: cloudName },
        'cannot release machines: cloud not configured here',
      );
      continue;
    }
    await cloud.connector.terminate(group.map((instance) => instance.cloudInstanceId as string));
    for (const instance of group) {
      await deps.db
        .update(schema.instances)
        .set({ releasedAt: new Date() })
        .where(and(eq(schema.instances.runId, runId), eq(schema.instances.name, instance.name)));
    }
  }
}

/**
 * Instances still without a machine once the run has left Initializing (an abort came
 * first) will never get one: they are gone, so the report barrier does not wait for them.
 * A machine a crashed worker started for one of them is released by the reaper at the end.
 */
async function abandonUnprovisioned(
  deps: OrchestratorDeps,
  runId: string,
  status: RunStatus,
): Promise<RunStatus> {
  const unprovisioned = await deps.db
    .select({ name: schema.instances.name })
    .from(schema.instances)
    .where(and(eq(schema.instances.runId, runId), isNull(schema.instances.cloudInstanceId)));
  const abandoned = unprovisioned
    .map((instance) => instance.name)
    .filter((name) => status.instances[name]?.gone === false);
  if (abandoned.length === 0) return status;
  deps.logger.info({ runId, instances: abandoned.length }, 'run left Initializing: abandoning');
  return apply(deps, runId, { type: 'provisioningAbandoned', instances: abandoned });
}

async function enteredCurrentStateAt(deps: OrchestratorDeps, run: RunRow): Promise<Date> {
  const [last] = await deps.db
    .select({ at: schema.runEvents.at })
    .from(schema.runEvents)
    .where(and(eq(schema.runEvents.runId, run.id), eq(schema.runEvents.kind, 'state')))
    .orderBy(desc(schema.runEvents.id))
    .limit(1);
  return last?.at ?? run.createdAt;
}

/**
 * One pass that brings the world in line with the run's status: start it, provision what
 * is missing, fire the timeouts, release what must go. Safe to repeat and safe after a
 * crash at any point: it reads everything it needs from PostgreSQL and the clouds.
 * Returns true when the run needs no more driving (final with every machine released, or
 * Ready waiting on the user).
 */
export async function reconcileRun(
  deps: OrchestratorDeps,
  runId: string,
  options: { now?: Date; signal?: AbortSignal } = {},
): Promise<boolean> {
  const now = options.now ?? new Date();
  const [run] = await deps.db.select().from(schema.runs).where(eq(schema.runs.id, runId));
  if (!run) return true;
  let status = run.status as RunStatus;

  if (!status.started && !isFinalState(status.state)) {
    const started = await applyRunEvent(deps.db, runId, { type: 'start' });
    await publishRunMessages(deps.events, runId, started);
    status = started.status;
  }
  if (!isFinalState(status.state) && status.state !== 'Ready') {
    const started = run.startedAt ?? run.createdAt;
    if (now.getTime() - started.getTime() > run.timeoutMinutes * 60_000) {
      await apply(deps, runId, { type: 'timeout' });
      return false;
    }
    if (status.state === 'SendingReport' && status.abort !== null) {
      const since = await enteredCurrentStateAt(deps, run);
      if (now.getTime() - since.getTime() > REPORT_GRACE_MS) {
        await apply(deps, runId, { type: 'deadlinePassed', state: 'SendingReport' });
        return false;
      }
    }
  }

  const instances = await deps.db
    .select()
    .from(schema.instances)
    .where(eq(schema.instances.runId, runId));
  if (status.state === 'Initializing') {
    const pending = instances.filter(
      (instance) => instance.cloudInstanceId === null && !status.instances[instance.name]?.gone,
    );
    if (pending.length > 0) {
      await provisionAll(deps, run, status, pending, options.signal);
      const [fresh] = await deps.db
        .select({ status: schema.runs.status })
        .from(schema.runs)
        .where(eq(schema.runs.id, runId));
      status = (fresh?.status as RunStatus | undefined) ?? status;
    }
  }

  if (status.state !== 'Initializing' && !isFinalState(status.state)) {
    status = await abandonUnprovisioned(deps, runId, status);
  }

  const final = isFinalState(status.state);
  const toRelease = instances.filter(
    (instance) =>
      instance.cloudInstanceId !== null &&
      instance.releasedAt === null &&
      (final || status.instances[instance.name]?.gone === true),
  );
  if (toRelease.length > 0) await releaseMachines(deps, runId, toRelease);
  if (final) {
    const [left] = await deps.db
      .select({ name: schema.instances.name })
      .from(schema.instances)
      .where(
        and(
          eq(schema.instances.runId, runId),
          isNotNull(schema.instances.cloudInstanceId),
          isNull(schema.instances.releasedAt),
        ),
      )
      .limit(1);
    return left === undefined;
  }
  return status.state === 'Ready';
}
