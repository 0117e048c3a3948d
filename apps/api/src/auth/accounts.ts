import { randomBytes } from 'node:crypto';
import { schema, type Database } from '@slipway/db';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { AppError } from '../app-error.js';
import { hashPassword, hashToken, newToken, verifyPassword } from './secrets.js';

const { users, sessions, apiTokens, emailConfirmations } = schema;

export interface UserSummary {
  id: string;
  email: string;
  isAdmin: boolean;
  confirmed: boolean;
}

const SESSION_DAYS = 14;
const CONFIRMATION_HOURS = 48;

function summary(user: typeof users.$inferSelect): UserSummary {
  return {
    id: user.id,
    email: user.email,
    isAdmin: user.isAdmin,
    confirmed: user.confirmedAt !== null,
  };
}

/** Creates an unconfirmed account and returns the token of its confirmation link. */
export async function registerUser(
  db: Database,
  input: { email: string; password: string },
): Promise<{ user: UserSummary; confirmationToken: string }> {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const confirmationToken = newToken('swc');
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ email, passwordHash })
      .onConflictDoNothing()
      .returning();
    if (!user) throw new AppError('conflict', `an account for ${email} already exists`);
    await tx.insert(emailConfirmations).values({
      tokenHash: hashToken(confirmationToken),
      userId: user.id,
      expiresAt: new Date(Date.now() + CONFIRMATION_HOURS * 3600_000),
    });
    return { user: summary(user), confirmationToken };
  });
}

export async function confirmEmail(db: Database, token: string): Promise<UserSummary> {
  return db.transaction(async (tx) => {
    const [confirmation] = await tx
      .delete(emailConfirmations)
      .where(
        and(
          eq(emailConfirmations.tokenHash, hashToken(token)),
          gt(emailConfirmations.expiresAt, new Date()),
        ),
      )
      .returning();
    if (!confirmation)
      throw new AppError('not_found', 'this confirmation link is unknown or has expired');
    const [user] = await tx
      .update(users)
      .set({ confirmedAt: sql`coalesce(${users.confirmedAt}, now())` })
      .where(eq(users.id, confirmation.userId))
      .returning();
    if (!user) throw new AppError('not_found', 'this confirmation link is unknown or has expired');
    return summary(user);
  });
}

export interface NewSession {
  user: UserSummary;
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function logIn(
  db: Database,
  input: { email: string; password: string },
): Promise<NewSession> {
  const email = input.email.trim().toLowerCase();
  const [user] = await db.select().from(users).where(eq(users.email, email));
  // Verify even for an unknown e-mail address so timing does not tell which accounts exist.
  const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, input.password);
  if (!user || !ok) throw new AppError('unauthenticated', 'wrong e-mail address or password');
  if (!user.confirmedAt) {
    throw new AppError(
      'forbidden',
      `confirm your e-mail address first: follow the link sent to ${email}`,
    );
  }
  const sessionToken = newToken('sws');
  const csrfToken = randomBytes(18).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await db
    .insert(sessions)
    .values({ tokenHash: hashToken(sessionToken), userId: user.id, csrfToken, expiresAt });
  return { user: summary(user), sessionToken, csrfToken, expiresAt };
}

const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$seQMGhsqRCwwiNDvuyj+QA$/8fwpMdIsWKJr/bNY/9c1h8eJidOz8DhJFu27uiSo4I';

export async function logOut(db: Database, sessionToken: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(sessionToken)));
}

export interface SessionAuth {
  user: UserSummary;
  csrfToken: string;
}

export async function findSession(db: Database, sessionToken: string): Promise<SessionAuth | null> {
  const [row] = await db
    .select({ user: users, csrfToken: sessions.csrfToken })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(eq(sessions.tokenHash, hashToken(sessionToken)), gt(sessions.expiresAt, new Date())),
    );
  return row ? { user: summary(row.user), csrfToken: row.csrfToken } : null;
}

export async function findUserByApiToken(db: Database, token: string): Promise<UserSummary | null> {
  const [row] = await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .from(users)
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        isNull(apiTokens.revokedAt),
        eq(users.id, apiTokens.userId),
      ),
    )
    .returning({ user: users });
  return row ? summary(row.user) : null;
}

export async function createApiToken(db: Database, userId: string, name: string) {
  const token = newToken('swu');
  const [row] = await db
    .insert(apiTokens)
    .values({ userId, name, tokenHash: hashToken(token) })
    .returning({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt });
  if (!row) throw new Error('insert returned nothing');
  return { ...row, token };
}

export async function listApiTokens(db: Database, userId: string) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .orderBy(apiTokens.createdAt);
}

export async function revokeApiToken(db: Database, userId: string, id: string): Promise<void> {
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (revoked.length === 0)
    throw new AppError('not_found', 'this API token does not exist or you cannot see it');
}

/**
 * The first start makes an administrator, so a fresh install can be used at once. Returns
 * the new credentials, or null when any user exists already.
 */
export async function ensureAdmin(
  db: Database,
  email: string,
): Promise<{ email: string; password: string } | null> {
  const [any] = await db.select({ id: users.id }).from(users).limit(1);
  if (any) return null;
  const password = randomBytes(12).toString('base64url');
  const inserted = await db
    .insert(users)
    .values({
      email,
      passwordHash: await hashPassword(password),
      isAdmin: true,
      confirmedAt: new Date(),
    })
    .onConflictDoNothing()
    .returning({ id: users.id });
  return inserted.length > 0 ? { email, password } : null;
}

/** An API token for the administrator, for the CLI that `slipway start` sets up. */
export async function createAdminToken(db: Database, email: string, name: string) {
  const [admin] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return admin ? { email, ...(await createApiToken(db, admin.id, name)) } : null;
}
