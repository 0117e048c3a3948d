import { ERROR_STATUS, type ErrorCode } from '@slipway/contracts';
import { formatProblem, type Problem } from '@slipway/domain';

/**
 * The one error type of the API. `message` is safe to show to a user; `detail` is for the
 * log only.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { problems?: Problem[]; detail?: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }

  get problems(): Problem[] | undefined {
    return this.options.problems;
  }
}

/** A refusal listing every problem found in the input. */
export function invalid(
  code: 'invalid_request' | 'invalid_module' | 'invalid_run',
  problems: Problem[],
): AppError {
  const first = problems[0];
  const summary = first ? formatProblem(first) : 'invalid input';
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`
      : '';
  return new AppError(code, `${summary}${more}`, { problems });
}

export const notFound = (what: string) =>
  new AppError('not_found', `${what} does not exist or you cannot see it`);
