/**
 * A problem found in a user's input. Validation collects every problem at once so a user
 * fixes them all in one pass; `at` locates it inside the document (node, parameter, …)
 * and `line` inside the source text when the document came from YAML or JSON.
 */
export interface Problem {
  /** The module path the problem belongs to, when known. */
  module?: string;
  /** Where inside the document, outermost first: ['nodes', 'testclient1', 'mappings', 'webserver.port']. */
  at: (string | number)[];
  message: string;
  line?: number;
}

export function formatProblem(problem: Problem): string {
  const where = [
    problem.module,
    problem.at.length > 0 ? problem.at.join('.') : undefined,
    problem.line !== undefined ? `line ${problem.line}` : undefined,
  ].filter((part) => part !== undefined);
  return where.length > 0 ? `${where.join(', ')}: ${problem.message}` : problem.message;
}

/** The result of a check that reports every problem rather than throwing on the first. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };
