import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/*
 * The relational schema. Migrations under ../migrations are generated from this file by
 * `pnpm --filter @slipway/db generate` and checked in; never edit a generated migration.
 */

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Stored lower-cased: e-mail addresses are matched case-insensitively. */
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  isAdmin: boolean('is_admin').notNull().default(false),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  defaultCloud: text('default_cloud').notNull().default('local'),
  keepRunning: text('keep_running').notNull().default('never'),
  runTimeoutMinutes: integer('run_timeout_minutes').notNull().default(60),
  createdAt: createdAt(),
});

export const emailConfirmations = pgTable('email_confirmations', {
  tokenHash: text('token_hash').primaryKey(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

export const sessions = pgTable(
  'sessions',
  {
    /** sha-256 of the cookie value; the cookie itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('sessions_user_idx').on(table.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('api_tokens_user_idx').on(table.userId)],
);

export const modules = pgTable(
  'modules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    path: text('path').notNull(),
    kind: text('kind', { enum: ['project', 'image', 'deployment'] }).notNull(),
    /** The project holding this module; null for a root project. */
    parentPath: text('parent_path'),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    publicRead: boolean('public_read').notNull().default(false),
    latestVersion: integer('latest_version').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (table) => [
    // A deleted module frees its path; its versions stay readable through runs that used them.
    uniqueIndex('modules_live_path_idx')
      .on(table.path)
      .where(sql`${table.deletedAt} is null`),
    index('modules_parent_idx').on(table.parentPath),
  ],
);

export const moduleVersions = pgTable(
  'module_versions',
  {
    moduleId: uuid('module_id')
      .notNull()
      .references(() => modules.id),
    version: integer('version').notNull(),
    /** The validated module document, defaults applied. */
    document: jsonb('document').notNull(),
    comment: text('comment').notNull().default(''),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.moduleId, table.version] })],
);

/** Image ids produced by "build image", per module version and cloud. */
export const imageBuilds = pgTable(
  'image_builds',
  {
    moduleId: uuid('module_id')
      .notNull()
      .references(() => modules.id),
    version: integer('version').notNull(),
    cloud: text('cloud').notNull(),
    cloudImageId: text('cloud_image_id').notNull(),
    runId: uuid('run_id'),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.moduleId, table.version, table.cloud] })],
);

export const clouds = pgTable('clouds', {
  name: text('name').primaryKey(),
  kind: text('kind', { enum: ['local', 'ssh', 'ec2'] }).notNull(),
  /** Connector settings an administrator gives (region, host pool, …); never secrets. */
  config: jsonb('config').notNull().default({}),
  /** Concurrent machines a user may hold here; null means no limit (the local cloud). */
  defaultQuota: integer('default_quota'),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: createdAt(),
});

export const cloudCredentials = pgTable(
  'cloud_credentials',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    cloud: text('cloud')
      .notNull()
      .references(() => clouds.name),
    /** AES-256-GCM with the server key: iv, tag and ciphertext, base64. Never returned. */
    secret: text('secret').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.cloud] })],
);

/** An administrator's per-user override of a cloud's default quota. */
export const quotas = pgTable(
  'quotas',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    cloud: text('cloud')
      .notNull()
      .references(() => clouds.name),
    maxMachines: integer('max_machines'),
  },
  (table) => [primaryKey({ columns: [table.userId, table.cloud] })],
);

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: ['deployment', 'image', 'build'] }).notNull(),
    modulePath: text('module_path').notNull(),
    moduleVersion: integer('module_version').notNull(),
    state: text('state').notNull(),
    outcome: text('outcome', { enum: ['success', 'failed'] }),
    abortMessage: text('abort_message'),
    keepRunning: text('keep_running').notNull(),
    timeoutMinutes: integer('timeout_minutes').notNull(),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Every module version the run used (path → version), so it can be re-launched identically. */
    moduleVersions: jsonb('module_versions').notNull(),
    /** The launch overrides as given. */
    overrides: jsonb('overrides').notNull(),
    /** The state machine's status (packages/domain RunStatus): the run's truth. */
    status: jsonb('status').notNull(),
    /** Bumped on every write of status; writers compare-and-set on it. */
    revision: integer('revision').notNull().default(0),
    /** The orchestrator worker that holds the run, and until when. */
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    deadlineAt: timestamp('deadline_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('runs_owner_created_idx').on(table.ownerId, table.createdAt),
    index('runs_module_idx').on(table.modulePath),
    index('runs_state_idx').on(table.state),
  ],
);

export const instances = pgTable(
  'instances',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    node: text('node').notNull(),
    index: integer('index').notNull(),
    cloud: text('cloud').notNull(),
    imagePath: text('image_path').notNull(),
    imageVersion: integer('image_version').notNull(),
    /** sha-256 of the machine token, minted when the machine is provisioned; dies with the run. */
    tokenHash: text('token_hash').unique(),
    cloudInstanceId: text('cloud_instance_id'),
    provisionedAt: timestamp('provisioned_at', { withTimezone: true }),
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.runId, table.name] })],
);

export const runParameters = pgTable(
  'run_parameters',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    /** A store key: ss:key, node:key or node-N:key. */
    key: text('key').notNull(),
    value: text('value'),
    /** The key whose value this one takes, for inputs mapped to another node's output. */
    follows: text('follows'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.runId, table.key] }),
    index('run_parameters_follows_idx').on(table.runId, table.follows),
  ],
);

export const runEvents = pgTable(
  'run_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    instance: text('instance'),
    message: text('message').notNull().default(''),
    data: jsonb('data'),
  },
  (table) => [index('run_events_run_idx').on(table.runId, table.id)],
);

export const reports = pgTable(
  'reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    instance: text('instance').notNull(),
    fileName: text('file_name').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    /** Relative to the report store's root directory. */
    storageKey: text('storage_key').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('reports_run_idx').on(table.runId)],
);
