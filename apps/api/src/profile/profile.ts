import type { Profile, UpdateProfileRequest } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import type { KeepRunning } from '@slipway/domain';
import { eq } from 'drizzle-orm';
import { AppError, invalid } from '../app-error.js';
import { quotaUsage } from '../clouds/quotas.js';

const { clouds, users } = schema;

export interface RunDefaults {
  defaultCloud: string;
  keepRunning: KeepRunning;
  runTimeoutMinutes: number;
}

/** What a launch falls back on when the user does not say. */
export async function readRunDefaults(db: Database, userId: string): Promise<RunDefaults> {
  const [user] = await db
    .select({
      defaultCloud: users.defaultCloud,
      keepRunning: users.keepRunning,
      runTimeoutMinutes: users.runTimeoutMinutes,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw new AppError('unauthenticated', 'this account no longer exists');
  return { ...user, keepRunning: user.keepRunning as KeepRunning };
}

export async function readProfile(db: Database, userId: string): Promise<Profile> {
  const [defaults, quotas] = await Promise.all([
    readRunDefaults(db, userId),
    quotaUsage(db, userId),
  ]);
  return { ...defaults, quotas };
}

export async function updateProfile(
  db: Database,
  userId: string,
  input: UpdateProfileRequest,
): Promise<Profile> {
  if (input.defaultCloud !== undefined) {
    const [cloud] = await db.select().from(clouds).where(eq(clouds.name, input.defaultCloud));
    if (!cloud?.enabled) {
      const known = (await db.select({ name: clouds.name }).from(clouds)).map((c) => c.name);
      throw invalid('invalid_request', [
        {
          at: ['body', 'defaultCloud'],
          message: cloud
            ? `cloud "${input.defaultCloud}" is disabled by an administrator`
            : `cloud "${input.defaultCloud}" does not exist; the clouds are: ${known.join(', ')}`,
        },
      ]);
    }
  }
  const changes = Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== undefined),
  ) as Partial<RunDefaults>;
  if (Object.keys(changes).length > 0) {
    await db.update(users).set(changes).where(eq(users.id, userId));
  }
  return readProfile(db, userId);
}
