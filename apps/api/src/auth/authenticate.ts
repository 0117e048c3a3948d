import { schema, type Database } from '@slipway/db';
import { and, eq, notInArray } from 'drizzle-orm';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../app-error.js';
import { findSession, findUserByApiToken, type UserSummary } from './accounts.js';
import { hashToken } from './secrets.js';

export const SESSION_COOKIE = 'slipway_session';

export type Auth =
  | { kind: 'user'; user: UserSummary; via: 'session'; csrfToken: string }
  | { kind: 'user'; user: UserSummary; via: 'token' }
  | { kind: 'machine'; runId: string; instance: string; node: string; index: number };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point
  namespace Express {
    interface Request {
      auth?: Auth;
    }
  }
}

function cookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name)
      return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const FINAL_STATES = ['Done', 'Aborted'];

async function findMachine(db: Database, token: string): Promise<Auth | null> {
  const { instances, runs } = schema;
  const [row] = await db
    .select({
      runId: instances.runId,
      name: instances.name,
      node: instances.node,
      index: instances.index,
    })
    .from(instances)
    .innerJoin(runs, eq(runs.id, instances.runId))
    // A machine token dies with its run.
    .where(and(eq(instances.tokenHash, hashToken(token)), notInArray(runs.state, FINAL_STATES)));
  return row
    ? { kind: 'machine', runId: row.runId, instance: row.name, node: row.node, index: row.index }
    : null;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Works out who is calling: a browser session (cookie, with a CSRF header on every
 * unsafe method), a user's API token, or a machine's token. Anonymous requests pass
 * through with no `req.auth`; routes that need someone say so with requireUser/requireMachine.
 */
export function authenticate(db: Database): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const token = header.slice(7).trim();
      if (token.startsWith('swm_')) {
        const machine = await findMachine(db, token);
        if (!machine)
          throw new AppError(
            'unauthenticated',
            'this machine token is unknown or its run has ended',
          );
        req.auth = machine;
      } else {
        const user = await findUserByApiToken(db, token);
        if (!user) throw new AppError('unauthenticated', 'this API token is unknown or revoked');
        req.auth = { kind: 'user', user, via: 'token' };
      }
      return next();
    }
    const sessionToken = cookie(req, SESSION_COOKIE);
    if (sessionToken) {
      const session = await findSession(db, sessionToken);
      if (session) {
        if (UNSAFE.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken) {
          throw new AppError('csrf', 'missing or wrong X-CSRF-Token header; reload the page');
        }
        req.auth = {
          kind: 'user',
          user: session.user,
          via: 'session',
          csrfToken: session.csrfToken,
        };
      }
    }
    next();
  };
}

export function requireUser(req: Request): UserSummary {
  if (req.auth?.kind === 'user') return req.auth.user;
  if (req.auth?.kind === 'machine')
    throw new AppError('forbidden', 'machine tokens cannot use this endpoint');
  throw new AppError('unauthenticated', 'log in first');
}

export function requireAdmin(req: Request): UserSummary {
  const user = requireUser(req);
  if (!user.isAdmin) throw new AppError('forbidden', 'only an administrator can do this');
  return user;
}

export function requireMachine(req: Request): Extract<Auth, { kind: 'machine' }> {
  if (req.auth?.kind === 'machine') return req.auth;
  throw new AppError('unauthenticated', 'this endpoint is for machines of a run, with their token');
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const attributes = [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}
