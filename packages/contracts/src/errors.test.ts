import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, ErrorBody } from './errors.js';
import { EXIT_CODES, STATUS_TO_EXIT } from './machine-exit-codes.js';

describe('error codes', () => {
  it('gives every API status an exit code of the machine commands', () => {
    const statuses = new Set(Object.values(ERROR_STATUS));
    for (const status of statuses) expect(STATUS_TO_EXIT[status], `status ${status}`).toBeDefined();
  });

  it('maps the statuses the parameter store answers with onto SlipStream exit codes', () => {
    expect(STATUS_TO_EXIT[ERROR_STATUS.run_aborted]).toBe(EXIT_CODES.aborted);
    expect(STATUS_TO_EXIT[ERROR_STATUS.timeout]).toBe(EXIT_CODES.timeout);
    expect(STATUS_TO_EXIT[ERROR_STATUS.unknown_key]).toBe(EXIT_CODES.client);
    expect(STATUS_TO_EXIT[ERROR_STATUS.unauthenticated]).toBe(EXIT_CODES.security);
    expect(STATUS_TO_EXIT[204]).toBe(EXIT_CODES.notSet);
  });

  it('accepts only known codes in an error body', () => {
    expect(ErrorBody.safeParse({ error: { code: 'not_found', message: 'x' } }).success).toBe(true);
    expect(ErrorBody.safeParse({ error: { code: 'teapot', message: 'x' } }).success).toBe(false);
  });
});
