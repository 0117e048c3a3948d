import { createHash, randomBytes } from 'node:crypto';

/**
 * A random bearer secret. The prefix tells what it is: swu_ a user's API token, swm_ a
 * machine's token, sws_ a browser session, swc_ an e-mail confirmation.
 */
export function newToken(prefix: 'swu' | 'swm' | 'sws' | 'swc'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/** Tokens are stored only as their hash, so a database leak gives no usable credential. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
