import { LineCounter, parseAllDocuments, isNode, stringify, type Document } from 'yaml';
import type { z } from 'zod';
import { ModuleDocument } from './module.js';
import type { Checked, Problem } from './problem.js';

/** Turns zod issues into Problems, each with its place in the document. */
export function problemsFromZod(error: z.ZodError, module?: string): Problem[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.map((segment) =>
      typeof segment === 'symbol' ? String(segment) : segment,
    );
    const base = module !== undefined ? { module } : {};
    // A misspelt field is reported at the field itself, so its line is the right one.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        ...base,
        at: [...at, key],
        message: `unknown field "${key}"`,
      }));
    }
    return [{ ...base, at, message: issue.message }];
  });
}

/** Validates one module document given as a JS value (from JSON or the web app). */
export function checkModuleDocument(value: unknown): Checked<ModuleDocument> {
  const parsed = ModuleDocument.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const path =
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { path?: unknown }).path === 'string'
      ? (value as { path: string }).path
      : undefined;
  return { ok: false, problems: problemsFromZod(parsed.error, path) };
}

function lineOf(
  document: Document,
  lines: LineCounter,
  at: (string | number)[],
): number | undefined {
  // Walk up from the exact place to the nearest one that exists (a missing field has no
  // node, but the object that should hold it does).
  for (let depth = at.length; depth >= 0; depth -= 1) {
    const node = document.getIn(at.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/**
 * Parses a YAML (or JSON, which is YAML) text holding one or more module documents
 * separated by `---`. Every problem of every document is reported, with its line.
 */
export function parseModuleDocuments(text: string): Checked<ModuleDocument[]> {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  if (!Array.isArray(documents))
    return { ok: false, problems: [{ at: [], message: 'the file holds no document' }] };
  const problems: Problem[] = [];
  const modules: ModuleDocument[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const line = lines.linePos(error.pos[0]).line;
        problems.push({
          at: [],
          message: error.message.split('\n')[0] ?? error.message,
          ...(line !== undefined && { line }),
        });
      }
      continue;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const checked = checkModuleDocument(value);
    if (checked.ok) {
      modules.push(checked.value);
      continue;
    }
    for (const problem of checked.problems) {
      const line = lineOf(document, lines, problem.at);
      problems.push(line === undefined ? problem : { ...problem, line });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (modules.length === 0)
    return { ok: false, problems: [{ at: [], message: 'the file holds no document' }] };
  return { ok: true, value: modules };
}

/**
 * A module document as YAML, the way `slipway module get` prints it and the web app shows
 * it: long lines are never folded, so one value is one line (or one block of lines).
 */
export function formatModuleDocument(document: ModuleDocument): string {
  return stringify(document, { lineWidth: 0 });
}
