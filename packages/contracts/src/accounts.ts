import { z } from 'zod';

/*
 * Accounts over the wire: registering, confirming an e-mail address, logging in and out,
 * the caller (`/api/me`) and their API tokens. A token's secret is shown once, when it is
 * created; lists carry only its name and dates.
 */

const Timestamp = z.iso.datetime();

/** `POST /api/auth/login`. */
export const LoginRequest = z.object({
  email: z.email('not an e-mail address').max(254),
  password: z.string().max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** `POST /api/auth/register`: an unconfirmed account; the confirmation link goes by e-mail. */
export const RegisterRequest = LoginRequest.extend({
  password: z.string().min(10, 'a password has at least 10 characters').max(1024),
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

/** `GET /api/auth/confirm?token=…`: the link of the confirmation e-mail. */
export const ConfirmEmailQuery = z.object({ token: z.string().min(1) });

export const User = z.object({
  id: z.uuid(),
  email: z.string(),
  isAdmin: z.boolean(),
  /** The e-mail address was confirmed; only then can the user log in. */
  confirmed: z.boolean(),
});
export type User = z.infer<typeof User>;

export const UserResponse = z.object({ user: User });
export type UserResponse = z.infer<typeof UserResponse>;

/** The session itself travels in the `slipway_session` cookie; unsafe methods send `csrfToken` as `X-CSRF-Token`. */
export const LoginResponse = z.object({ user: User, csrfToken: z.string() });
export type LoginResponse = z.infer<typeof LoginResponse>;

/** `GET /api/me`; `csrfToken` is null for a caller with an API token (no session). */
export const MeResponse = z.object({ user: User, csrfToken: z.string().nullable() });
export type MeResponse = z.infer<typeof MeResponse>;

export const ApiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const ListApiTokensResponse = z.object({ tokens: z.array(ApiToken) });
export type ListApiTokensResponse = z.infer<typeof ListApiTokensResponse>;

export const CreateApiTokenRequest = z.object({ name: z.string().min(1).max(100) });
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;

/** The only time the token's secret is shown: it is stored hashed. */
export const CreateApiTokenResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: Timestamp,
  token: z.string(),
});
export type CreateApiTokenResponse = z.infer<typeof CreateApiTokenResponse>;

export const ApiTokenIdParam = z.object({ id: z.uuid('not a token id') });
