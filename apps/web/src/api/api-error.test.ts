import { describe, expect, it } from 'vitest';
import { ApiError, worthRetrying } from './api-error';

describe('worthRetrying', () => {
  it('tries once more after a lost connection or a server error, never after an answer about the request', () => {
    expect(worthRetrying(0, new TypeError('Failed to fetch'))).toBe(true);
    expect(worthRetrying(0, new ApiError('down', 503, 'unavailable'))).toBe(true);
    expect(worthRetrying(1, new ApiError('down', 503, 'unavailable'))).toBe(false);
    expect(worthRetrying(0, new ApiError('no such module', 404, 'not_found'))).toBe(false);
    expect(worthRetrying(0, new ApiError('bad', 400, 'invalid_request'))).toBe(false);
  });
});
