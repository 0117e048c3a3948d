import type { Redis } from 'ioredis';
import { AppError } from '../app-error.js';

/**
 * A fixed-window counter in Redis, shared by every API process: more than `limit` hits on
 * one key within `windowSeconds` is refused.
 */
export async function rateLimit(
  redis: Redis,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<void> {
  const count = await redis.incr(key);
  if (count === 1) await redis.expire(key, windowSeconds);
  if (count > limit) {
    const ttl = await redis.ttl(key);
    throw new AppError(
      'rate_limited',
      `too many attempts; try again in ${Math.max(ttl, 1)} seconds`,
    );
  }
}
