import {
  DEFAULT_PAID_CLOUD_QUOTA,
  type Cloud,
  type CloudKind,
  type PutCloudRequest,
} from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import { and, asc, eq } from 'drizzle-orm';
import { AppError } from '../app-error.js';

const { clouds, quotas, users } = schema;
type CloudRow = typeof clouds.$inferSelect;

function cloudView(row: CloudRow, withConfig: boolean): Cloud {
  return {
    name: row.name,
    kind: row.kind,
    defaultQuota: row.defaultQuota,
    enabled: row.enabled,
    ...(withConfig && { config: row.config as Record<string, unknown> }),
  };
}

/** Clouds cost money except the local one, so they get a limit unless the administrator gives one. */
export function defaultQuotaFor(kind: CloudKind): number | null {
  return kind === 'local' ? null : DEFAULT_PAID_CLOUD_QUOTA;
}

/** Every cloud; connector settings only for administrators. */
export async function listClouds(db: Database, viewer: { isAdmin: boolean }): Promise<Cloud[]> {
  const rows = await db.select().from(clouds).orderBy(asc(clouds.name));
  return rows.map((row) => cloudView(row, viewer.isAdmin));
}

/** Creates or replaces a cloud's settings. */
export async function putCloud(
  db: Database,
  name: string,
  input: PutCloudRequest,
): Promise<{ cloud: Cloud; created: boolean }> {
  const values = {
    kind: input.kind,
    config: input.config,
    defaultQuota:
      input.defaultQuota === undefined ? defaultQuotaFor(input.kind) : input.defaultQuota,
    enabled: input.enabled,
  };
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ name: clouds.name })
      .from(clouds)
      .where(eq(clouds.name, name))
      .for('update');
    const [row] = await tx
      .insert(clouds)
      .values({ name, ...values })
      .onConflictDoUpdate({ target: clouds.name, set: values })
      .returning();
    if (!row) throw new Error(`saving cloud ${name} returned nothing`);
    return { cloud: cloudView(row, true), created: existing === undefined };
  });
}

export async function findCloud(db: Database, name: string): Promise<CloudRow> {
  const [row] = await db.select().from(clouds).where(eq(clouds.name, name));
  if (!row) throw new AppError('not_found', `cloud ${name} does not exist`);
  return row;
}

async function requireUserExists(db: Database, userId: string): Promise<void> {
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  if (!user) throw new AppError('not_found', `user ${userId} does not exist`);
}

/** An administrator's limit for one user on one cloud, replacing the cloud's default. */
export async function setUserQuota(
  db: Database,
  userId: string,
  cloud: string,
  maxMachines: number | null,
): Promise<{ userId: string; cloud: string; maxMachines: number | null }> {
  await requireUserExists(db, userId);
  await findCloud(db, cloud);
  await db
    .insert(quotas)
    .values({ userId, cloud, maxMachines })
    .onConflictDoUpdate({ target: [quotas.userId, quotas.cloud], set: { maxMachines } });
  return { userId, cloud, maxMachines };
}

/** Back to the cloud's default quota for this user. */
export async function removeUserQuota(db: Database, userId: string, cloud: string): Promise<void> {
  await requireUserExists(db, userId);
  await findCloud(db, cloud);
  await db.delete(quotas).where(and(eq(quotas.userId, userId), eq(quotas.cloud, cloud)));
}
