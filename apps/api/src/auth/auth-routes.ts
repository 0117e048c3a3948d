import {
  ApiTokenIdParam,
  ConfirmEmailQuery,
  CreateApiTokenRequest,
  LoginRequest,
  RegisterRequest,
} from '@slipway/contracts';
import { Router } from 'express';
import type { ApiDeps } from '../deps.js';
import { parseRequest } from '../http/parse-request.js';
import {
  confirmEmail,
  createApiToken,
  listApiTokens,
  logIn,
  logOut,
  registerUser,
  revokeApiToken,
} from './accounts.js';
import {
  clearedSessionCookie,
  requireUser,
  SESSION_COOKIE,
  sessionCookie,
} from './authenticate.js';
import { rateLimit } from './rate-limit.js';

export function authRoutes(deps: ApiDeps): Router {
  const { db, logger, redis, config } = deps;
  const router = Router();

  router.post('/auth/register', async (req, res) => {
    const input = parseRequest(RegisterRequest, req.body, 'body');
    await rateLimit(redis, `${config.redisPrefix}:ratelimit:register:${req.ip}`, 20, 3600);
    const { user, confirmationToken } = await registerUser(db, input);
    const link = `${deps.publicUrl()}/api/auth/confirm?token=${confirmationToken}`;
    // No mail transport yet: the link goes to the log, where the operator finds it.
    logger.info({ email: user.email, link }, `confirm ${user.email} by opening ${link}`);
    res.status(201).json({ user });
  });

  router.get('/auth/confirm', async (req, res) => {
    const { token } = parseRequest(ConfirmEmailQuery, req.query, 'query');
    const user = await confirmEmail(db, token);
    if (req.accepts(['html', 'json']) === 'html')
      return res.redirect(303, `/login?confirmed=${encodeURIComponent(user.email)}`);
    res.json({ user });
  });

  router.post('/auth/login', async (req, res) => {
    const input = parseRequest(LoginRequest, req.body, 'body');
    await rateLimit(
      redis,
      `${config.redisPrefix}:ratelimit:login:${input.email.toLowerCase()}`,
      10,
      900,
    );
    const session = await logIn(db, input);
    const secure = deps.publicUrl().startsWith('https:');
    res.setHeader('Set-Cookie', sessionCookie(session.sessionToken, session.expiresAt, secure));
    res.json({ user: session.user, csrfToken: session.csrfToken });
  });

  router.post('/auth/logout', async (req, res) => {
    const token = req.headers.cookie?.match(new RegExp(`${SESSION_COOKIE}=([^;]+)`))?.[1];
    if (token && req.auth?.kind === 'user') await logOut(db, decodeURIComponent(token));
    res.setHeader('Set-Cookie', clearedSessionCookie());
    res.status(204).end();
  });

  router.get('/me', (req, res) => {
    const user = requireUser(req);
    res.json({
      user,
      csrfToken:
        req.auth?.kind === 'user' && req.auth.via === 'session' ? req.auth.csrfToken : null,
    });
  });

  router.get('/me/tokens', async (req, res) => {
    res.json({ tokens: await listApiTokens(db, requireUser(req).id) });
  });

  router.post('/me/tokens', async (req, res) => {
    const { name } = parseRequest(CreateApiTokenRequest, req.body, 'body');
    res.status(201).json(await createApiToken(db, requireUser(req).id, name));
  });

  router.delete('/me/tokens/:id', async (req, res) => {
    const { id } = parseRequest(ApiTokenIdParam, req.params, 'path');
    await revokeApiToken(db, requireUser(req).id, id);
    res.status(204).end();
  });

  return router;
}
