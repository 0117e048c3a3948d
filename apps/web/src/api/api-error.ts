import type { ErrorBody } from '@slipway/contracts';

export type Problem = NonNullable<ErrorBody['error']['problems']>[number];

/** An error answered by the API: its safe message, and every problem with its place. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads the API's error body; anything else (a proxy's HTML page) becomes a plain message. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (body.error && typeof body.error.message === 'string') {
      return new ApiError(
        body.error.message,
        response.status,
        body.error.code,
        body.error.problems ?? [],
      );
    }
  } catch (_error) {
    // not JSON: fall through
  }
  return new ApiError(
    `the server answered ${response.status} ${response.statusText}`.trim(),
    response.status,
    'internal',
  );
}

/** Problems whose place starts with `prefix` (a node's problems may name it by index or by name). */
export function problemsAt(problems: Problem[], ...prefixes: (string | number)[][]): Problem[] {
  return problems.filter((problem) =>
    prefixes.some((prefix) => prefix.every((segment, i) => problem.at[i] === segment)),
  );
}

export function problemsOf(error: unknown): Problem[] {
  return error instanceof ApiError ? error.problems : [];
}

/**
 * Whether a failed query is worth one more try: a lost connection or a server error may
 * pass; an answer about the request itself (404, 403, 400…) will not change.
 */
export function worthRetrying(failures: number, error: unknown): boolean {
  if (failures >= 1) return false;
  return !(error instanceof ApiError) || error.status >= 500;
}
