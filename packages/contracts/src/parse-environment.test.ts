import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseEnvironment } from './parse-environment.js';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SLIPWAY_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('slipway'),
});

describe('parseEnvironment', () => {
  it('gives the values, with defaults and coercion, and ignores other variables', () => {
    expect(parseEnvironment(Env, { PORT: '9000', HOME: '/root' })).toEqual({
      PORT: 9000,
      SLIPWAY_REDIS_PREFIX: 'slipway',
    });
  });

  it('names every bad variable on its own line', () => {
    expect(() => parseEnvironment(Env, { PORT: '70000', SLIPWAY_REDIS_PREFIX: 'a b' })).toThrow(
      new Error(
        'invalid configuration:\n' +
          '  PORT: Too big: expected number to be <=65535\n' +
          '  SLIPWAY_REDIS_PREFIX: letters, digits, _ and - only',
      ),
    );
  });
});
