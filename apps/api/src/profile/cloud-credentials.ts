import { REQUIRED_CREDENTIAL_FIELDS } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import { and, asc, eq } from 'drizzle-orm';
import { AppError, invalid } from '../app-error.js';
import { decryptSecret, encryptSecret } from '../auth/secrets.js';
import { findCloud } from '../clouds/clouds.js';

const { cloudCredentials } = schema;

export interface CloudCredentialsEntry {
  cloud: string;
  updatedAt: Date;
}

/** Stores a user's credentials for a cloud, sealed with the server key; replaces earlier ones. */
export async function saveCloudCredentials(
  db: Database,
  key: Buffer,
  userId: string,
  cloudName: string,
  fields: Record<string, string>,
): Promise<CloudCredentialsEntry> {
  const cloud = await findCloud(db, cloudName);
  const missing = REQUIRED_CREDENTIAL_FIELDS[cloud.kind].filter(
    (field) => !Object.hasOwn(fields, field),
  );
  if (missing.length > 0) {
    throw invalid(
      'invalid_request',
      missing.map((field) => ({
        at: ['body', field],
        message: `a ${cloud.kind} cloud needs "${field}"`,
      })),
    );
  }
  const secret = encryptSecret(key, JSON.stringify(fields));
  const updatedAt = new Date();
  await db
    .insert(cloudCredentials)
    .values({ userId, cloud: cloud.name, secret, updatedAt })
    .onConflictDoUpdate({
      target: [cloudCredentials.userId, cloudCredentials.cloud],
      set: { secret, updatedAt },
    });
  return { cloud: cloud.name, updatedAt };
}

/** Which clouds the user has credentials for: never the credentials themselves. */
export async function listCloudCredentials(
  db: Database,
  userId: string,
): Promise<CloudCredentialsEntry[]> {
  return db
    .select({ cloud: cloudCredentials.cloud, updatedAt: cloudCredentials.updatedAt })
    .from(cloudCredentials)
    .where(eq(cloudCredentials.userId, userId))
    .orderBy(asc(cloudCredentials.cloud));
}

export async function deleteCloudCredentials(
  db: Database,
  userId: string,
  cloud: string,
): Promise<void> {
  const deleted = await db
    .delete(cloudCredentials)
    .where(and(eq(cloudCredentials.userId, userId), eq(cloudCredentials.cloud, cloud)))
    .returning({ cloud: cloudCredentials.cloud });
  if (deleted.length === 0)
    throw new AppError('not_found', `you have no credentials for cloud ${cloud}`);
}

/**
 * The decrypted credentials a connector uses to act for this user on this cloud, or null
 * when the user has given none. For the orchestrator only: no route returns them.
 */
export async function readCloudCredentials(
  db: Database,
  key: Buffer,
  userId: string,
  cloud: string,
): Promise<Record<string, string> | null> {
  const [row] = await db
    .select({ secret: cloudCredentials.secret })
    .from(cloudCredentials)
    .where(and(eq(cloudCredentials.userId, userId), eq(cloudCredentials.cloud, cloud)));
  return row ? (JSON.parse(decryptSecret(key, row.secret)) as Record<string, string>) : null;
}
