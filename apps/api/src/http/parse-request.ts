import { problemsFromZod } from '@slipway/domain';
import type { z } from 'zod';
import { invalid } from '../app-error.js';

/** Validates a part of a request; a mismatch is a 400 listing every problem. */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalid(
    'invalid_request',
    problemsFromZod(parsed.error).map((problem) => ({ ...problem, at: [where, ...problem.at] })),
  );
}
