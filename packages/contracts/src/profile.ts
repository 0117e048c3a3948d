import { CloudName, KeepRunning } from '@slipway/domain';
import { z } from 'zod';
import { RunTimeoutMinutes } from './runs.js';

/*
 * Clouds, quotas, the user's profile and cloud credentials over the wire. No response
 * here ever carries a credential: they go in, never out.
 */

const Timestamp = z.iso.datetime();

export const CloudKind = z.enum(['local', 'ssh', 'ec2']);
export type CloudKind = z.infer<typeof CloudKind>;

/** Concurrent machines a user may hold on a cloud that costs money, unless an administrator says otherwise. */
export const DEFAULT_PAID_CLOUD_QUOTA = 20;

const MaxMachines = z.number().int('a quota is a whole number of machines').min(0).nullable();

export const Cloud = z.object({
  name: z.string(),
  kind: CloudKind,
  /** Concurrent machines per user; null: no limit. */
  defaultQuota: z.number().int().nullable(),
  enabled: z.boolean(),
  /** Connector settings; shown to administrators only. */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type Cloud = z.infer<typeof Cloud>;

export const ListCloudsResponse = z.object({ clouds: z.array(Cloud) });

export const CloudNameParam = z.object({ name: CloudName });

export const PutCloudRequest = z.strictObject({
  kind: CloudKind,
  /** Connector settings (region, host pool, …); never secrets: those are per-user credentials. */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Omitted: 20 on clouds that cost money (ec2, ssh), no limit on local. */
  defaultQuota: MaxMachines.optional(),
  enabled: z.boolean().default(true),
});
export type PutCloudRequest = z.infer<typeof PutCloudRequest>;

export const CloudResponse = z.object({ cloud: Cloud });

/** `PUT|DELETE /api/admin/users/{id}/quotas/{cloud}`. */
export const QuotaParams = z.object({ id: z.uuid('not a user id'), cloud: z.string().min(1) });

export const PutQuotaRequest = z.strictObject({
  /** null: no limit for this user. */
  maxMachines: MaxMachines,
});

export const Quota = z.object({
  userId: z.uuid(),
  cloud: z.string(),
  maxMachines: z.number().int().nullable(),
});
export const QuotaResponse = z.object({ quota: Quota });

export const UpdateProfileRequest = z.strictObject({
  defaultCloud: CloudName.optional(),
  keepRunning: KeepRunning.optional(),
  runTimeoutMinutes: RunTimeoutMinutes.optional(),
});
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequest>;

export const QuotaUsage = z.object({
  cloud: z.string(),
  /** null: no limit. */
  max: z.number().int().nullable(),
  /** Machines of the user's unfinished runs on this cloud that are not released. */
  inUse: z.number().int(),
});
export type QuotaUsage = z.infer<typeof QuotaUsage>;

export const Profile = z.object({
  defaultCloud: z.string(),
  keepRunning: KeepRunning,
  runTimeoutMinutes: z.number().int(),
  quotas: z.array(QuotaUsage),
});
export type Profile = z.infer<typeof Profile>;

export const ProfileResponse = z.object({ profile: Profile });

/** Field names a connector reads, such as accessKeyId; values up to 16 KiB (an ssh key fits). */
export const PutCloudCredentialsRequest = z
  .record(
    z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
        'a credential field name is a letter, then letters, digits or "_"',
      ),
    z
      .string()
      .min(1, 'a credential value cannot be empty')
      .max(16 * 1024),
  )
  .refine((fields) => Object.keys(fields).length > 0, 'give at least one credential field');
export type PutCloudCredentialsRequest = z.infer<typeof PutCloudCredentialsRequest>;

/** `PUT|DELETE /api/me/credentials/{cloud}`. */
export const CloudCredentialsParam = z.object({ cloud: z.string().min(1) });

/** Fields a cloud kind cannot work without. */
export const REQUIRED_CREDENTIAL_FIELDS: Record<CloudKind, readonly string[]> = {
  local: [],
  ssh: [],
  ec2: ['accessKeyId', 'secretAccessKey'],
};

/** That credentials exist for a cloud, and when they were last set; never their value. */
export const CloudCredentialsEntry = z.strictObject({
  cloud: z.string(),
  updatedAt: Timestamp,
});

export const ListCloudCredentialsResponse = z.object({
  credentials: z.array(CloudCredentialsEntry),
});
export const CloudCredentialsResponse = z.object({ credentials: CloudCredentialsEntry });
