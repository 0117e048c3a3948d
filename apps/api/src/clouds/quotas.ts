import type { QuotaUsage } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import { FINAL_STATES } from '@slipway/domain';
import { and, asc, count, eq, isNull, notInArray } from 'drizzle-orm';

const { clouds, instances, quotas, runs } = schema;

/**
 * Machines the user holds per cloud: instances of their unfinished runs not yet released.
 * Instances not provisioned yet count too, since they are about to be.
 */
export async function machinesInUse(db: Database, userId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ cloud: instances.cloud, machines: count() })
    .from(instances)
    .innerJoin(runs, eq(runs.id, instances.runId))
    .where(
      and(
        eq(runs.ownerId, userId),
        notInArray(runs.state, [...FINAL_STATES]),
        isNull(instances.releasedAt),
      ),
    )
    .groupBy(instances.cloud);
  return new Map(rows.map((row) => [row.cloud, row.machines]));
}

/** Per cloud, how many machines the user may hold at once: their override, else the cloud's default; null: no limit. */
export async function machineLimits(
  db: Database,
  userId: string,
): Promise<Map<string, number | null>> {
  const rows = await db
    .select({
      cloud: clouds.name,
      defaultQuota: clouds.defaultQuota,
      overridden: quotas.userId,
      maxMachines: quotas.maxMachines,
    })
    .from(clouds)
    .leftJoin(quotas, and(eq(quotas.cloud, clouds.name), eq(quotas.userId, userId)))
    .orderBy(asc(clouds.name));
  return new Map(
    rows.map((row) => [row.cloud, row.overridden === null ? row.defaultQuota : row.maxMachines]),
  );
}

export async function quotaUsage(db: Database, userId: string): Promise<QuotaUsage[]> {
  const [limits, inUse] = await Promise.all([machineLimits(db, userId), machinesInUse(db, userId)]);
  return [...limits].map(([cloud, max]) => ({ cloud, max, inUse: inUse.get(cloud) ?? 0 }));
}

export interface ExceededQuota {
  cloud: string;
  max: number;
  inUse: number;
  requested: number;
}

/** The clouds where the requested machines do not fit next to those already in use. */
export function exceededQuotas(
  limits: Map<string, number | null>,
  inUse: Map<string, number>,
  requested: Map<string, number>,
): ExceededQuota[] {
  const exceeded: ExceededQuota[] = [];
  for (const [cloud, machines] of requested) {
    const max = limits.get(cloud) ?? null;
    const used = inUse.get(cloud) ?? 0;
    if (max !== null && machines > 0 && used + machines > max) {
      exceeded.push({ cloud, max, inUse: used, requested: machines });
    }
  }
  return exceeded;
}
